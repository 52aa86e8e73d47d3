from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from frontline.connectors.messaging import services
from frontline.connectors.messaging.models import (
    Conversation,
    InboundPayload,
    MessagingAccount,
    OutboundSocialMessage,
)
from frontline.events.admin import EventedAdmin

_ROUTE = {"twilio": "messaging-twilio-inbound", "meta": "messaging-meta-inbound", "x": "messaging-x-inbound"}


@admin.register(MessagingAccount)
class MessagingAccountAdmin(EventedAdmin):
    list_display = ("name", "kind", "provider", "sender_id", "team", "is_active", "webhook_url")
    list_filter = ("provider", "kind", "is_active")
    search_fields = ("name", "sender_id", "account_sid")
    readonly_fields = ("webhook_url",)
    exclude = ("provider",)  # follows from the kind
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Webhook URL to register with the provider")
    def webhook_url(self, obj: MessagingAccount) -> str:
        if obj.pk is None or obj.provider not in _ROUTE:
            return "(save first)"
        path = reverse(_ROUTE[obj.provider], kwargs={"account_id": obj.pk})
        return f"{str(settings.FRONTLINE_BASE_URL).rstrip('/')}{path}"

    def save_model(self, request: HttpRequest, obj: MessagingAccount, form: Any, change: bool) -> None:
        obj.provider = MessagingAccount.PROVIDER_OF_KIND[MessagingAccount.Kind(obj.kind)]
        super().save_model(request, obj, form, change)


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundPayload)
class InboundPayloadAdmin(_ReadOnly):
    list_display = ("id", "received_at", "account", "status", "provider_message_id", "ticket", "error")
    list_filter = ("status", "account")
    search_fields = ("provider_message_id", "error")
    readonly_fields = [f.name for f in InboundPayload._meta.fields]
    actions = ["reprocess"]

    @admin.action(description="Process again (failed payloads)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundPayload]) -> None:
        done = 0
        for payload in queryset.filter(status=InboundPayload.Status.FAILED):
            services.payload_reprocess(
                actor=request.user if request.user.is_authenticated else None, payload=payload
            )
            done += 1
        self.message_user(request, f"Processed {done} failed payload(s) again.")


@admin.register(Conversation)
class ConversationAdmin(_ReadOnly):
    list_display = ("id", "account", "address", "ticket", "created_at")
    list_filter = ("account",)
    search_fields = ("address",)
    readonly_fields = [f.name for f in Conversation._meta.fields]


@admin.register(OutboundSocialMessage)
class OutboundSocialMessageAdmin(_ReadOnly):
    list_display = ("id", "created_at", "account", "ticket", "recipient", "status", "attempts", "error")
    list_filter = ("status", "account")
    search_fields = ("provider_message_id", "recipient")
    readonly_fields = [f.name for f in OutboundSocialMessage._meta.fields]
