"""Reactions to other apps' events: an agent's reply on a chat ticket, and the files on it, reach the
widget; an accepted chat tells the widget who joined. Listeners run after commit and never raise."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    try:
        if event.verb == "message.added":
            if event.after.get("direction") == "outbound" and event.after.get("channel") == "chat":
                from frontline.connectors.webchat.services import agent_line_from_message

                agent_line_from_message(message_id=int(event.after["message"]))
        elif event.verb == "attachment.added":
            from frontline.connectors.webchat.services import agent_line_from_attachment

            agent_line_from_attachment(attachment_id=int(event.after["attachment"]))
        elif event.verb == "interaction.connected" and event.after.get("channel") == "chat":
            from frontline.connectors.webchat.services import agent_joined

            agent_joined(interaction_id=event.target_id)
    except Exception:  # listeners must not raise; the reply stays on the ticket either way
        logger.exception("web chat: reacting to event %s failed", event.pk)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-webchat")
