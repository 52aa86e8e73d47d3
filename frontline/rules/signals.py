"""Triggers react to recorded events: every ticket event reaches `rules_on_event` after commit.

Events no active trigger listens to are dropped here without a query: the event names the active
triggers listen to are kept for a few seconds (cleared at once when a rule is saved or deleted in
this process; other processes notice within `_CACHE_SECONDS`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from frontline.events.models import Event
from frontline.events.signals import event_recorded
from frontline.rules import logic
from frontline.rules.models import Rule

logger = logging.getLogger(__name__)

_CACHE_SECONDS = 5.0
_lock = threading.Lock()
_cached: tuple[float, frozenset[str]] | None = None


def _trigger_events() -> frozenset[str]:
    """The event names at least one active trigger listens to; no query while the cache is fresh."""
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    names: set[str] = set()
    active = Rule.objects.filter(kind=Rule.Kind.TRIGGER, is_active=True)
    for events in active.values_list("events", flat=True):
        names.update(str(name) for name in events or ())
    with _lock:
        _cached = (now, frozenset(names))
    return frozenset(names)


def _forget(sender: object = None, **kwargs: Any) -> None:
    global _cached
    with _lock:
        _cached = None


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    from frontline.rules.services import rules_on_event  # services import the apps below: import when used

    try:
        if not logic.rule_events_for(event.verb, event.after) & _trigger_events():
            return
        rules_on_event(event=event)
    except Exception:  # listeners must not raise: the change that recorded the event is committed already
        logger.exception("rules did not run for event %s (%s)", event.pk, event.verb)


def _on_rule_change(sender: object, **kwargs: Any) -> None:
    _forget()
    transaction.on_commit(_forget)  # and again once others can read the change


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-rules-triggers")
    post_save.connect(_on_rule_change, sender=Rule, dispatch_uid="frontline-rules-saved")
    post_delete.connect(_on_rule_change, sender=Rule, dispatch_uid="frontline-rules-deleted")
