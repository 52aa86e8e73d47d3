"""Live fan-out: each committed event is announced to websocket groups through the channel layer.

Groups: `events` (everything, for supervisors' screens) and `<target_type>.<target_id>`
(e.g. `ticket.42`, for everyone looking at that ticket). With REDIS_URL set the layer is
channels-redis, so every web process hears every event.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from frontline.events.models import Event

logger = logging.getLogger(__name__)


def group_names(event: Event) -> list[str]:
    return ["events", f"{event.target_type}.{event.target_id}"]


def message_for(event: Event) -> dict[str, Any]:
    return {
        "type": "event.recorded",
        "id": event.pk,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "actor": event.actor_label,
        "occurred_at": event.occurred_at.isoformat(),
    }


def publish(sender: object, event: Event, **kwargs: Any) -> None:
    """Send the event to its groups; a failing layer is logged, never raised (the change is committed)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = message_for(event)
    try:
        for group in group_names(event):
            async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("could not publish event %s to the channel layer", event.pk)
