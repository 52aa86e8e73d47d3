from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.events.models import Event
from frontline.events.services import event_record


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ("occurred_at", "actor_label", "verb", "target_type", "target_id")
    list_filter = ("verb", "target_type")
    search_fields = ("verb", "actor_label")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventedAdmin(admin.ModelAdmin[Any]):
    """Admin changes are changes too: record an event for each save and delete made in the admin."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data) if form is not None else []
        event_record(
            actor=request.user if request.user.is_authenticated else None,
            verb=f"{obj._meta.model_name}.{'changed' if change else 'created'}_in_admin",
            target=obj,
            after={name: form.cleaned_data.get(name) for name in fields if name in form.cleaned_data},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        event_record(
            actor=request.user if request.user.is_authenticated else None,
            verb=f"{obj._meta.model_name}.deleted_in_admin",
            target=obj,
            before={"repr": str(obj)},
        )
        super().delete_model(request, obj)
