"""Reactions to ticket events: SLA clocks start, pause, resume, and are met."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.target_type != "ticket" or event.verb.startswith("sla."):
        return
    from frontline.sla.services import sla_on_event

    try:
        sla_on_event(event=event)
    except Exception:  # listeners must not raise: the ticket's change is committed already
        logger.exception("SLA clocks did not follow event %s (%s)", event.pk, event.verb)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-sla-clocks")
