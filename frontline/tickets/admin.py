"""Tickets are worked through the API and the desk, where their rules apply; the admin only shows them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.events.admin import EventedAdmin
from frontline.tickets.models import Attachment, Message, Tag, Ticket


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(admin.StackedInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = ("direction", "channel", "author_user", "author_customer", "body_text", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "status", "priority", "channel", "team", "assignee", "updated_at")
    list_filter = ("status", "priority", "channel", "team")
    search_fields = ("=id", "subject")
    inlines = [MessageInline]
    show_full_result_count = False
    list_select_related = ("team", "assignee")


@admin.register(Tag)
class TagAdmin(EventedAdmin):
    search_fields = ("name",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("filename", "ticket", "content_type", "size", "created_at")
    list_select_related = ("ticket",)
