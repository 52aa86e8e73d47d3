from django.urls import path

from frontline.connectors.webchat import views

app_name = "webchat"

urlpatterns = [
    path("strings/", views.widget_strings, name="strings"),
]
