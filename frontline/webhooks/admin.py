"""Webhook subscriptions are configured here; deliveries are a read-only log with a redeliver action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from frontline.core.errors import Conflict, Invalid
from frontline.events.admin import EventedAdmin
from frontline.webhooks import services, signing
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionForm(forms.ModelForm[WebhookSubscription]):
    """The same URL and event-type rules as the API (the URL's addresses are checked again on send)."""

    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "event_types", "active", "disabled_reason")

    def clean_url(self) -> str:
        try:
            return services.webhook_url_check(str(self.cleaned_data["url"]))
        except Invalid as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_event_types(self) -> list[str]:
        from frontline.webhooks import patterns

        try:
            return patterns.validate(self.cleaned_data["event_types"] or [])
        except patterns.PatternError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(EventedAdmin):
    form = WebhookSubscriptionForm
    list_display = ("name", "url", "active", "consecutive_failures", "disabled_reason", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    readonly_fields = ("consecutive_failures", "created_by", "created_at", "updated_at")
    actions = ("ping",)

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: bool) -> None:
        if not change:
            obj.secret = signing.secret_generate()
            obj.created_by = request.user if request.user.is_authenticated else None
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request, f"The signing secret of {obj.name} is {obj.secret}. It is shown only now: store it."
            )

    @admin.action(description="Send a webhook.ping to the selected webhooks")
    def ping(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        actor = request.user if request.user.is_authenticated else None
        sent = 0
        for subscription in queryset:
            try:
                services.webhook_ping(actor=actor, subscription=subscription)
                sent += 1
            except Conflict as exc:
                messages.error(request, f"{subscription.name}: {exc.message}")
        if sent:
            messages.success(request, f"Pinged {sent} webhook(s); see their deliveries.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(EventedAdmin):
    """The delivery log: read-only; `Redeliver` sends the same event id again."""

    list_display = (
        "created_at",
        "subscription",
        "event_type",
        "event_id",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("subscription",)
    search_fields = ("=event_id", "event_type")
    show_full_result_count = False
    actions = ("redeliver",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_webhooksubscription")

    @admin.action(description="Redeliver the selected deliveries (same event id)", permissions=["redeliver"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        actor = request.user if request.user.is_authenticated else None
        sent = 0
        for delivery in queryset:
            try:
                services.webhook_redeliver(actor=actor, delivery=delivery)
                sent += 1
            except Conflict as exc:
                messages.error(request, f"{delivery.event_id}: {exc.message}")
        if sent:
            messages.success(request, f"Queued {sent} deliveries again.")
