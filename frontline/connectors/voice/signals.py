"""Routing moves a call's interaction (the desk accepts it, wrap-up ends): the call mirrors its times."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)
_VERBS = {"interaction.connected", "interaction.wrapped_up", "interaction.ended"}
_CALL_CHANNELS = {"voice", "callback"}


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.target_type != "interaction" or event.verb not in _VERBS:
        return
    if event.after.get("channel") not in _CALL_CHANNELS:  # emails and chats have no call to mirror
        return
    from frontline.connectors.voice.services import call_sync_from_interaction

    try:
        call_sync_from_interaction(interaction_id=event.target_id)
    except Exception:  # listeners must not raise: routing's change is committed already
        logger.exception("the call did not follow event %s (%s)", event.pk, event.verb)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-voice-interactions")
