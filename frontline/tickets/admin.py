from django.contrib import admin

from frontline.tickets.models import Attachment, Message, Tag, Ticket


class MessageInline(admin.StackedInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = ("direction", "channel", "author_user", "author_customer", "body_text", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = ("id", "subject", "status", "priority", "channel", "team", "assignee", "updated_at")
    list_filter = ("status", "priority", "channel", "team")
    search_fields = ("subject",)
    raw_id_fields = ("requester", "assignee", "merged_into", "split_from", "plan_version")
    readonly_fields = ("created_at", "updated_at", "solved_at", "closed_at")
    inlines = [MessageInline]
    show_full_result_count = False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ("name",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    list_display = ("filename", "ticket", "content_type", "size", "created_at")
    raw_id_fields = ("ticket", "message", "uploaded_by")
