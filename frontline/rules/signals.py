"""Triggers react to recorded events: every ticket event reaches `rules_on_event` after commit."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    from frontline.rules.services import rules_on_event  # services import the apps below: import when used

    try:
        rules_on_event(event=event)
    except Exception:  # listeners must not raise: the change that recorded the event is committed already
        logger.exception("rules did not run for event %s (%s)", event.pk, event.verb)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-rules-triggers")
