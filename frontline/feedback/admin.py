"""Admin for product-line forms; invitations, responses and purchases are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.feedback.models import Purchase, Survey, SurveyInvitation, SurveyResponse


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over any model here
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ("name", "product", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "product")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "customer", "ticket", "channel", "sent_at", "expires_at", "used_at")
    list_filter = ("kind", "channel")
    exclude = ("token_digest",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "score",
        "scale_high",
        "is_low",
        "customer",
        "ticket",
        "agent",
        "team",
        "received_at",
    )
    list_filter = ("kind", "is_low", "channel")
    search_fields = ("comment", "product")


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "customer", "amount", "currency", "product", "purchased_at")
    search_fields = ("external_id", "product")
