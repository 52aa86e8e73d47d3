from django.urls import path

from frontline.desk import views, views_email, views_notifications, views_remedies, views_reports

app_name = "desk"

urlpatterns = [
    path("login/", views.DeskLoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login-verify"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/second-factor/start/", views.second_factor_start, name="second-factor-start"),
    path("profile/second-factor/confirm/", views.second_factor_confirm, name="second-factor-confirm"),
    path("profile/second-factor/disable/", views.second_factor_disable, name="second-factor-disable"),
    path("presence/", views.presence_set_view, name="presence"),
    path("presence/heartbeat/", views.presence_heartbeat_view, name="heartbeat"),
    path("presence/badge/", views.presence_badge, name="presence-badge"),
    path("rail/", views.ticket_rail, name="rail"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/panel/", views_notifications.notifications_panel, name="notifications-panel"),
    path(
        "notifications/read-all/", views_notifications.notifications_read_all, name="notifications-read-all"
    ),
    path(
        "notifications/<int:notification_id>/read/",
        views_notifications.notification_read,
        name="notification-read",
    ),
    path("", views.inbox, name="inbox"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/thread/", views.ticket_thread, name="thread"),
    path("tickets/<int:ticket_id>/compliance/", views.ticket_compliance, name="compliance"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:ticket_id>/edit/", views.ticket_edit, name="edit"),
    path("tickets/<int:ticket_id>/merge/", views.ticket_merge_view, name="merge"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:interaction_id>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:interaction_id>/decline/", views.offer_decline, name="offer-decline"),
    path("contacts/<int:interaction_id>/", views.contact, name="contact"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/wallboard/", views.wallboard, name="wallboard"),
    path("supervisor/agents/<int:user_id>/action/", views.agent_action, name="agent-action"),
    path("supervisor/agents/<int:user_id>/state/", views.agent_state, name="agent-state"),
    path("supervisor/agents/<int:user_id>/reassign/", views.agent_reassign, name="agent-reassign"),
    path("supervisor/performance/", views.performance, name="performance"),
    path("supervisor/reports/", views_reports.reports, name="reports"),
    path("tickets/<int:ticket_id>/remedies/", views_remedies.remedies_panel, name="remedies"),
    path("tickets/<int:ticket_id>/remedies/complaint/", views_remedies.complaint_save, name="complaint"),
    path("tickets/<int:ticket_id>/remedies/issue/", views_remedies.remedy_issue, name="remedy-issue"),
    path("complaints/", views_remedies.complaint_register, name="complaints"),
    path("supervisor/approvals/", views_remedies.approvals, name="remedy-approvals"),
    path("supervisor/approvals/<int:request_id>/", views_remedies.approval_decide, name="remedy-decide"),
    path("admin/quarantine/", views_email.quarantine, name="quarantine"),
    path("admin/quarantine/<int:inbound_id>/retry/", views_email.quarantine_retry, name="quarantine-retry"),
    path(
        "admin/quarantine/<int:inbound_id>/ticket/", views_email.quarantine_ticket, name="quarantine-ticket"
    ),
]
