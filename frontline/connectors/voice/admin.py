from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from frontline.connectors.voice import services
from frontline.connectors.voice.models import (
    CallbackAttempt,
    CallbackRequest,
    CallEvent,
    CallRecord,
    VoiceLine,
)
from frontline.events.admin import EventedAdmin


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VoiceLine)
class VoiceLineAdmin(EventedAdmin):
    list_display = ("name", "provider", "phone_number", "queue", "callback_queue", "language", "active")
    list_filter = ("provider", "active")
    search_fields = ("name", "phone_number")
    fieldsets = (
        (None, {"fields": ("name", "provider", "phone_number", "queue", "callback_queue", "active")}),
        ("Twilio", {"fields": ("twilio_account_sid", "twilio_auth_token_env", "twilio_auth_token")}),
        (
            "What the caller hears",
            {
                "fields": (
                    "language",
                    "greeting",
                    "position_text",
                    "unknown_wait_text",
                    "menu_text",
                    "callback_text",
                    "voicemail_text",
                    "goodbye_text",
                    "apology_text",
                )
            },
        ),
        ("Menu and callbacks", {"fields": ("offer_callback", "offer_voicemail", "callback_max_attempts")}),
    )


@admin.register(CallRecord)
class CallRecordAdmin(_ReadOnly):
    list_display = (
        "provider_call_id",
        "line",
        "from_number",
        "status",
        "queued_at",
        "wait_seconds",
        "talk_seconds",
        "hold_seconds",
        "after_call_seconds",
    )
    list_filter = ("status", "line")
    search_fields = ("provider_call_id", "from_number", "to_number")
    date_hierarchy = "queued_at"


@admin.register(CallEvent)
class CallEventAdmin(_ReadOnly):
    list_display = ("id", "received_at", "line", "kind", "call_id", "status", "attempts", "error")
    list_filter = ("status", "kind", "line")
    search_fields = ("call_id", "key", "error")
    actions = ["reprocess"]

    @admin.action(description="Process again (failed deliveries)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[CallEvent]) -> None:
        done = failed = 0
        for event in queryset.filter(status=CallEvent.Status.FAILED).order_by("id"):
            try:
                services.call_event_reprocess(event=event)
                done += 1
            except Exception as exc:  # the operator needs the error; it is stored on the row too
                failed += 1
                self.message_user(request, f"#{event.pk}: {type(exc).__name__}: {exc}", messages.ERROR)
        self.message_user(request, f"Processed {done} delivery(ies) again; {failed} failed.")


class CallbackAttemptInline(admin.TabularInline[CallbackAttempt, CallbackRequest]):
    model = CallbackAttempt
    extra = 0
    readonly_fields = ("number", "outcome", "note", "agent", "interaction", "at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin[CallbackRequest]):
    list_display = (
        "id",
        "phone",
        "name",
        "line",
        "source",
        "status",
        "attempts",
        "next_attempt_at",
        "outcome",
    )
    list_filter = ("status", "source", "line")
    search_fields = ("phone", "name")
    readonly_fields = [f.name for f in CallbackRequest._meta.fields]
    inlines = [CallbackAttemptInline]
    actions = ["cancel"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Cancel the selected callbacks")
    def cancel(self, request: HttpRequest, queryset: QuerySet[CallbackRequest]) -> None:
        actor = request.user if request.user.is_authenticated else None
        for callback in queryset:
            services.callback_cancel(actor=actor, request=callback)
        self.message_user(request, f"Cancelled {queryset.count()} callback(s).")
