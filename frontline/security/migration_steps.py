"""Steps for the migrations that move a plain secret column into an encrypted one.

Used by the migrations of the apps whose models hold secrets: encrypt the values stored before,
and take the secrets that earlier versions wrote into the event log out of it.
"""

from __future__ import annotations

from typing import Any

from frontline.security.fields import redact_names


def reencrypt(model: Any, fields: list[str]) -> int:
    """Write each row's secrets again through the encrypting field, with the current first key: plain
    values become encrypted, older ciphertexts move to the newest key. Rows changed; a value no key
    opens reads as empty and is left as it is."""
    changed = 0
    for row in model.objects.all().only("pk", *fields).iterator():
        values = {name: getattr(row, name) for name in fields if getattr(row, name)}
        if values:
            model.objects.filter(pk=row.pk).update(**values)  # the field encrypts on the way in
            changed += 1
    return changed


def encrypt_stored(app_label: str, model_name: str, fields: list[str]) -> Any:
    """A RunPython function: `reencrypt` the model's secret fields."""

    def run(apps: Any, schema_editor: Any) -> None:
        reencrypt(apps.get_model(app_label, model_name), fields)

    return run


def redact_events(model_name: str, fields: list[str]) -> Any:
    """A RunPython function: replace these fields' values in the events of this model with REDACTED."""

    def run(apps: Any, schema_editor: Any) -> None:
        event_model = apps.get_model("events", "Event")
        names = frozenset(fields)
        for event in (
            event_model.objects.filter(target_type=model_name).only("pk", "before", "after").iterator()
        ):
            before = redact_names(event.before, names)
            after = redact_names(event.after, names)
            if (before, after) != (event.before, event.after):
                # The log is append-only for the application; taking a leaked secret out is the exception.
                event_model.objects.filter(pk=event.pk).update(before=before, after=after)

    return run
