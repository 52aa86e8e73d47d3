"""Scripts and forbidden phrases are configured here; compliance findings are only shown."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.events.admin import EventedAdmin
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Macro, Script


@admin.register(Script)
class ScriptAdmin(EventedAdmin):
    """Greetings and closings may use {day_greeting} {salutation} {surname} {agent_first_name} {company}."""

    list_display = ("kind", "step", "language", "plan_version", "wait_seconds", "active", "text")
    list_filter = ("language", "kind", "active")
    list_select_related = ("plan_version__plan",)
    search_fields = ("text",)


@admin.register(ForbiddenPhrase)
class ForbiddenPhraseAdmin(EventedAdmin):
    """Saving a phrase clears the phrase cache; the compliance check reads it again."""

    list_display = ("phrase", "alternative", "language", "active", "updated_at")
    list_filter = ("language", "active")
    search_fields = ("phrase", "alternative")


@admin.register(ComplianceFinding)
class ComplianceFindingAdmin(admin.ModelAdmin[ComplianceFinding]):
    """Kept for quality review: recorded when an agent's reply is sent, never edited."""

    list_display = ("created_at", "ticket", "message", "agent", "kind", "phrase", "excerpt")
    list_filter = ("kind",)
    search_fields = ("=ticket__id", "phrase")
    raw_id_fields = ("ticket", "message", "agent")
    list_select_related = ("ticket", "message", "agent")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Macro)
class MacroAdmin(EventedAdmin):
    """Macros may use {day_greeting} {salutation} {surname} {agent_first_name} {company}."""

    list_display = ("name", "language", "active", "updated_at")
    list_filter = ("language", "active")
    search_fields = ("name", "body")
