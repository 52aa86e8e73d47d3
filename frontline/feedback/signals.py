"""A ticket that becomes solved is asked for CSAT (when its plan enables it), by a background task."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.target_type != "ticket" or event.verb not in ("ticket.updated", "ticket.status_changed"):
        return
    if event.after.get("status") != "solved":
        return
    from frontline.feedback.tasks import csat_send_task

    try:
        csat_send_task(event.target_id)
    except Exception:  # listeners must not raise: the ticket's change is committed already
        logger.exception("the CSAT survey of ticket %s was not queued", event.target_id)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-feedback-csat")
