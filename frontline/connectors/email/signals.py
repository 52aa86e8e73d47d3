"""Reactions to other apps: an agent's outbound message on an email ticket is emailed; automatic mail
asked for by apps below this one (notifications) goes into the outbox."""

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


def _on_automatic_email(sender: object, to: list[str], subject: str, body: str, **kwargs: Any) -> object:
    from frontline.connectors.email.services import automatic_mail_queue

    return automatic_mail_queue(to=to, subject=subject, body=body)


def connect() -> None:
    from frontline.notifications.delivery import automatic_email_wanted

    event_recorded.connect(_on_event, dispatch_uid="frontline-email-replies")
    automatic_email_wanted.connect(_on_automatic_email, dispatch_uid="frontline-email-automatic")
