from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.connectors.webchat.selectors import embed_snippet
from frontline.connectors.webchat.services import public_key_new


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("name", "public_key", "active", "queue")
    list_filter = ("active",)
    readonly_fields = ("public_key", "embed_code", "created_at")
    fields = ("name", "allowed_origins", "queue", "active", "public_key", "embed_code", "created_at")

    @admin.display(description=_("Paste into your site"))
    def embed_code(self, site: Site) -> SafeString | str:
        if not site.public_key:
            return "-"
        return format_html("<code>{}</code>", embed_snippet(site))

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        if not obj.public_key:
            obj.public_key = public_key_new()
        super().save_model(request, obj, form, change)


class ChatEntryInline(admin.TabularInline[ChatEntry, Conversation]):
    model = ChatEntry
    fields = ("seq", "author", "author_name", "body", "attachment", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ("id", "site", "customer_name", "state", "agent_name", "last_seq", "started_at")
    list_filter = ("state", "site")
    readonly_fields = [f.name for f in Conversation._meta.fields]
    inlines = [ChatEntryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
