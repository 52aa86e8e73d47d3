"""Calendars and policies are configured here; clocks are shown, and only services change them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.events.admin import EventedAdmin
from frontline.sla.models import BusinessCalendarConfig, ChannelHours, SlaClock, SlaPolicy


@admin.register(BusinessCalendarConfig)
class BusinessCalendarConfigAdmin(EventedAdmin):
    list_display = ("name", "timezone", "holiday_country", "holiday_subdivision", "updated_at")
    search_fields = ("name",)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(EventedAdmin):
    list_display = (
        "name",
        "plan_version",
        "position",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "business_time",
        "calendar",
    )
    list_filter = ("business_time",)
    list_select_related = ("plan_version__plan", "calendar")
    search_fields = ("name",)


@admin.register(ChannelHours)
class ChannelHoursAdmin(EventedAdmin):
    """A row without a plan version is every plan's default; the model's `clean` checks the offer."""

    list_display = ("channel", "plan_version", "calendar", "outside_hours", "updated_at")
    list_filter = ("channel", "outside_hours")
    list_select_related = ("plan_version__plan", "calendar")


@admin.register(SlaClock)
class SlaClockAdmin(EventedAdmin):
    """Re-apply a policy through `sla_reapply` (API: POST /tickets/{id}/sla/reapply), not by editing rows."""

    list_display = ("ticket", "metric", "state", "target_minutes", "due_at", "breached_at", "met_at")
    list_filter = ("metric", "state")
    search_fields = ("=ticket__id",)
    raw_id_fields = ("ticket", "policy")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
