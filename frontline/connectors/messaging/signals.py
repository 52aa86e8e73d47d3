"""Reactions to other apps' events: an agent's outbound message on an SMS/social ticket is sent."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.verb != "message.added" or event.after.get("direction") != "outbound":
        return
    if event.after.get("channel") not in ("sms", "social"):
        return
    from frontline.connectors.messaging.services import reply_queue

    try:
        reply_queue(message_id=int(event.after["message"]))
    except Exception:  # listeners must not raise; the safety net queues it again later
        logger.exception("queueing the reply of message %s failed", event.after.get("message"))


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-messaging-replies")
