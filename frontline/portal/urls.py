"""The customer portal: /portal/…"""

from django.urls import path

from frontline.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/sent/", views.login_sent, name="login-sent"),
    path("login/<str:token>/", views.login_link, name="login-link"),
    path("logout/", views.logout_view, name="logout"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("new/", views.ticket_new, name="new"),
    path("new/sent/", views.ticket_new_sent, name="new-sent"),
    path("new/solved/", views.ticket_new_solved, name="new-solved"),
    path("new/done/", views.ticket_new_done, name="new-done"),
    path("new/confirm/<str:token>/", views.ticket_confirm, name="confirm"),
    path("suggest", views.suggest, name="suggest"),
    path("deflect", views.deflect, name="deflect"),
    path("callback/", views.callback, name="callback"),
    path("callback/done/", views.callback_done, name="callback-done"),
    path("profile/", views.profile, name="profile"),
]
