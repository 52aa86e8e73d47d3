"""Reactions to other apps' events: an agent's outbound message on an email ticket is emailed."""

from __future__ import annotations

from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.verb != "message.added" or event.after.get("direction") != "outbound":
        return
    if event.after.get("channel") != "email":
        return
    from frontline.connectors.email.services import reply_by_email

    reply_by_email(message_id=int(event.after["message"]))


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-email-replies")
