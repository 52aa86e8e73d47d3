"""Recording events. Every service in Frontline calls `event_record` inside its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from frontline.events.models import Event
from frontline.events.signals import event_recorded
from frontline.security.fields import redact

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: Events recorded inside `events_deferred()`, not inserted yet (None: insert each at once).
_deferred: ContextVar[list[Event] | None] = ContextVar("frontline_events_deferred", default=None)


def _plain(value: Any) -> Any:
    """JSON-safe copy of a snapshot value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def actor_label(actor: AbstractBaseUser | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def event_record(
    *,
    actor: AbstractBaseUser | None,
    verb: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event; listeners hear of it once the surrounding transaction commits."""
    event = Event(
        occurred_at=at or timezone.now(),
        actor=actor if actor is not None and actor.pk else None,  # type: ignore[misc]  # any user model
        actor_label=actor_label(actor),
        verb=verb,
        target_type=target._meta.model_name or "",
        target_id=target.pk,
        # A field marked secret (frontline.security.fields) never enters the log, whoever records.
        before=_plain(redact(target, before or {})),
        after=_plain(redact(target, after or {})),
    )
    pending = _deferred.get()
    if pending is not None:
        pending.append(event)
        return event
    event.save()
    transaction.on_commit(lambda: event_recorded.send(sender=Event, event=event))
    return event


def _announce(events: list[Event]) -> None:
    for event in events:
        event_recorded.send(sender=Event, event=event)


def _flush(pending: list[Event]) -> None:
    """Insert the pending events in the order they were recorded; announce them after the commit."""
    if not pending:
        return
    events = list(pending)
    pending.clear()
    Event.objects.bulk_create(events)
    transaction.on_commit(lambda: _announce(events))


@contextmanager
def events_deferred() -> Iterator[None]:
    """Record the events of a bulk operation with one INSERT and one after-commit announcement.

    Inside, `event_record` returns the event unsaved (no pk yet); at the end of the block the
    events are inserted together, in order, and announced to listeners, in order, once the
    transaction commits. If the block raises, its events are dropped: use it only around work that
    is abandoned as a whole on any error (an event of work rolled back to a savepoint inside the
    block would otherwise be kept). Nested inside another such block, the outer one inserts them.
    """
    if _deferred.get() is not None:
        yield
        return
    pending: list[Event] = []
    token = _deferred.set(pending)
    try:
        yield
    except BaseException:
        _deferred.reset(token)
        raise
    _deferred.reset(token)
    _flush(pending)


@contextmanager
def events_immediate() -> Iterator[None]:
    """Inside `events_deferred()`, record events one by one again (for work with savepoints of its own).

    The events deferred so far are inserted first, so ids keep the order of recording.
    """
    pending = _deferred.get()
    if pending is None:
        yield
        return
    _flush(pending)
    token = _deferred.set(None)
    try:
        yield
    finally:
        _deferred.reset(token)


def changes(
    instance: models.Model, fields: list[str], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply `values` to `instance`; return (before, after) of the fields that really changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field in fields:
        if field not in values:
            continue
        old = getattr(instance, field)
        new = values[field]
        if old != new:
            before[field], after[field] = old, new
            setattr(instance, field, new)
    return before, after
