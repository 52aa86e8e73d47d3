"""Admin for the catalogue, reason codes, limits and budgets; the ledger and requests are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.remedies.models import (
    ApprovalLimit,
    Complaint,
    ComplaintReason,
    RemedyEntry,
    RemedyOption,
    RemedyRequest,
    TeamBudget,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over any model here
    """Written only by services (which record events); the admin shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ComplaintReason)
class ComplaintReasonAdmin(admin.ModelAdmin[ComplaintReason]):
    list_display = ("code", "name", "is_active", "position")
    list_editable = ("is_active", "position")


@admin.register(RemedyOption)
class RemedyOptionAdmin(admin.ModelAdmin[RemedyOption]):
    list_display = ("code", "name", "kind", "currency", "min_value", "max_value", "plan_version", "is_active")
    list_filter = ("kind", "currency", "is_active")
    search_fields = ("code", "name")


@admin.register(ApprovalLimit)
class ApprovalLimitAdmin(admin.ModelAdmin[ApprovalLimit]):
    list_display = ("role", "user", "currency", "max_amount")
    list_filter = ("role", "currency")
    raw_id_fields = ("user",)


@admin.register(TeamBudget)
class TeamBudgetAdmin(admin.ModelAdmin[TeamBudget]):
    list_display = ("team", "currency", "monthly_amount")
    list_filter = ("currency",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "customer", "reason", "severity", "status", "product", "created_at")
    list_filter = ("reason", "severity", "status")
    search_fields = ("product", "description")


@admin.register(RemedyRequest)
class RemedyRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "ticket",
        "option",
        "amount",
        "currency",
        "status",
        "requested_by",
        "decided_by",
        "created_at",
    )
    list_filter = ("status", "currency")


@admin.register(RemedyEntry)
class RemedyEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "ticket",
        "customer",
        "kind",
        "amount",
        "currency",
        "coupon_code",
        "fulfilment_status",
        "issued_by",
        "issued_at",
    )
    list_filter = ("kind", "currency", "fulfilment_status")
    search_fields = ("coupon_code", "item")
