from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontline.events.models import Event
from frontline.events.services import event_record
from frontline.security.fields import secret_field_names


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


def _without(fields: Any, hidden: frozenset[str]) -> list[Any]:
    """Admin `fields`, where an entry may be a row (a tuple of names), without the hidden names."""
    kept: list[Any] = []
    for entry in fields:
        if isinstance(entry, list | tuple):
            row = tuple(name for name in entry if name not in hidden)
            if row:
                kept.append(row)
        elif entry not in hidden:
            kept.append(entry)
    return kept


class EventedAdmin(admin.ModelAdmin[Any]):
    """Admin changes are changes too: record an event for each save and delete made in the admin.

    Secret fields (frontline.security.fields) are redacted in those events by `event_record`; a user
    who may only view the object does not get them on the page either.
    """

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        hidden = secret_field_names(self.model)
        if not hidden or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (title, {**options, "fields": _without(options.get("fields", ()), hidden)})
            for title, options in fieldsets
        ]

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
