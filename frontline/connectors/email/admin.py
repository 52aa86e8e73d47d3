from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from frontline.connectors.email import imap, services
from frontline.connectors.email.models import InboundEmail, Mailbox, OutboundEmail
from frontline.events.admin import EventedAdmin


@admin.register(Mailbox)
class MailboxAdmin(EventedAdmin):
    list_display = ("name", "address", "team", "is_active", "imap_host", "imap_last_uid")
    readonly_fields = ("imap_uidvalidity", "imap_last_uid")
    actions = ["test_connection"]

    @admin.action(description="Test the IMAP connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            if not mailbox.imap_host:
                self.message_user(request, f"{mailbox}: no IMAP server set", messages.WARNING)
                continue
            try:
                self.message_user(request, f"{mailbox}: {imap.check(mailbox)}", messages.SUCCESS)
            except Exception as exc:  # the operator needs the server's own words
                self.message_user(request, f"{mailbox}: {type(exc).__name__}: {exc}", messages.ERROR)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin[InboundEmail]):
    list_display = ("id", "received_at", "mailbox", "source", "status", "message_key", "ticket", "note")
    list_filter = ("status", "source", "mailbox")
    search_fields = ("message_key", "note")
    readonly_fields = [f.name for f in InboundEmail._meta.fields]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Process again (quarantined mail)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        done = 0
        for inbound in queryset.filter(status=InboundEmail.Status.QUARANTINED):
            services.inbound_reprocess(
                actor=request.user if request.user.is_authenticated else None, inbound=inbound
            )
            done += 1
        self.message_user(request, f"Processed {done} quarantined message(s) again.")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = ("id", "created_at", "ticket", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "mailbox")
    search_fields = ("message_id_header", "subject")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
