"""Chains and rosters are configured here; runs are shown, and only services move them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.escalations.models import (
    EscalationChain,
    EscalationRun,
    EscalationStep,
    OnCallOverride,
    OnCallRoster,
    OnCallShift,
)
from frontline.escalations.selectors import on_call_now
from frontline.events.admin import EventedAdmin


class StepInline(admin.TabularInline[EscalationStep, EscalationChain]):
    model = EscalationStep
    extra = 1
    fields = ("position", "delay", "business_time", "action", "team", "priority", "message")


@admin.register(EscalationChain)
class EscalationChainAdmin(EventedAdmin):
    list_display = ("name", "trigger", "plan_version", "team", "calendar", "roster", "position", "active")
    list_filter = ("trigger", "active")
    search_fields = ("name",)
    inlines = (StepInline,)


class ShiftInline(admin.TabularInline[OnCallShift, OnCallRoster]):
    model = OnCallShift
    extra = 1
    fields = ("position", "name", "user", "phone", "email", "weekdays", "start", "end")
    raw_id_fields = ("user",)


class OverrideInline(admin.TabularInline[OnCallOverride, OnCallRoster]):
    model = OnCallOverride
    extra = 0
    fields = ("name", "user", "phone", "email", "starts_at", "ends_at", "reason")
    raw_id_fields = ("user",)


@admin.register(OnCallRoster)
class OnCallRosterAdmin(EventedAdmin):
    list_display = ("name", "timezone", "on_call")
    inlines = (ShiftInline, OverrideInline)

    @admin.display(description="On call now")
    def on_call(self, roster: OnCallRoster) -> str:
        answer = on_call_now(roster=roster)
        if answer is None:
            return "nobody"
        return " · ".join(part for part in (answer.name, answer.phone, answer.email) if part)


@admin.register(EscalationRun)
class EscalationRunAdmin(admin.ModelAdmin[EscalationRun]):
    list_display = ("ticket", "chain", "trigger", "state", "steps_done", "triggered_at", "next_due_at")
    list_filter = ("state", "trigger")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
