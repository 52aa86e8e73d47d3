from django.contrib import admin

from frontline.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """A read-only log: notifications are created by escalations, rules and mentions."""

    list_display = ("created_at", "user", "kind", "title", "urgent", "emailed", "read_at")
    list_filter = ("kind", "urgent")
    search_fields = ("title", "user__username")
    raw_id_fields = ("user", "ticket")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
