from django.urls import path

from frontline.desk import views

app_name = "desk"

urlpatterns = [
    path("login/", views.DeskLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("presence/", views.presence_set_view, name="presence"),
    path("presence/heartbeat/", views.presence_heartbeat_view, name="heartbeat"),
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/thread/", views.ticket_thread, name="thread"),
    path("tickets/<int:ticket_id>/compliance/", views.ticket_compliance, name="compliance"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:ticket_id>/edit/", views.ticket_edit, name="edit"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/wallboard/", views.wallboard, name="wallboard"),
    path("supervisor/agents/<int:user_id>/state/", views.agent_state, name="agent-state"),
    path("supervisor/performance/", views.performance, name="performance"),
]
