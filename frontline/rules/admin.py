"""Rules are configured here (checked by the same services as the API); runs are a read-only log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from frontline.core.errors import Invalid
from frontline.events.admin import EventedAdmin
from frontline.rules import services
from frontline.rules.models import Rule, RuleRun


class RuleForm(forms.ModelForm[Rule]):
    class Meta:
        model = Rule
        fields = [
            "name",
            "description",
            "kind",
            "events",
            "conditions",
            "actions",
            "position",
            "is_active",
            "plan_version",
            "calendar",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.rule_check(
                kind=data.get("kind") or "",
                events=data.get("events") or [],
                conditions=data.get("conditions") or {},
                actions_json=data.get("actions"),
                calendar=data.get("calendar"),
            )
        except Invalid as exc:
            field = (exc.field or "").split(".")[0].split("[")[0].removesuffix("_id")
            self.add_error(field if field in self.fields else None, f"{exc.field}: {exc.message}")
        return data


@admin.register(Rule)
class RuleAdmin(EventedAdmin):
    form = RuleForm
    list_display = ("name", "kind", "position", "is_active", "plan_version", "calendar", "updated_at")
    list_editable = ("position", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("plan_version__plan", "calendar")
    search_fields = ("name",)
    ordering = ("kind", "position", "id")
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RuleRun)
class RuleRunAdmin(admin.ModelAdmin[RuleRun]):
    list_display = ("at", "rule_name", "ticket", "trigger", "outcome")
    list_filter = ("outcome", "trigger")
    search_fields = ("=ticket__id", "rule_name")
    raw_id_fields = ("rule", "ticket")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
