from django.urls import path

from frontline.connectors.messaging import views

urlpatterns = [
    path("twilio/<int:account_id>/", views.twilio_inbound, name="messaging-twilio-inbound"),
    path("meta/<int:account_id>/", views.meta_inbound, name="messaging-meta-inbound"),
    path("x/<int:account_id>/", views.x_inbound, name="messaging-x-inbound"),
]
