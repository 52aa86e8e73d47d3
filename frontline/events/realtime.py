"""Live fan-out: each committed event is announced to websocket groups through the channel layer.

Groups: `events` (everything, for supervisors' screens) and `<target_type>.<target_id>`
(e.g. `ticket.42`, for everyone looking at that ticket). With REDIS_URL set the layer is
channels-redis, so every web process hears every event.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer, get_channel_layer

from frontline.events.models import Event

logger = logging.getLogger(__name__)
_paused = contextvars.ContextVar("frontline_realtime_paused", default=False)


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


@contextmanager
def paused() -> Iterator[None]:
    """Record events without announcing them: for imports of history, which nobody watches live."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


async def _send(layer: Any, groups: list[str], message: dict[str, Any]) -> None:
    for group in groups:
        await layer.group_send(group, message)


def publish(sender: object, event: Event, **kwargs: Any) -> None:
    """Send the event to its groups; a failing layer is logged, never raised (the change is committed)."""
    layer = get_channel_layer()
    if layer is None or _paused.get():
        return
    groups = group_names(event)
    if isinstance(layer, InMemoryChannelLayer):
        # Only this process's own listeners can hear an in-memory layer: skip groups nobody joined.
        groups = [group for group in groups if layer.groups.get(group)]
        if not groups:
            return
    try:
        async_to_sync(_send)(layer, groups, message_for(event))
    except Exception:
        logger.exception("could not publish event %s to the channel layer", event.pk)


class JsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON websocket consumer that does not hop to the database thread for every message.

    Channels closes stale database connections before each handler, in the database thread, so
    every frame and every group message waits behind whatever that thread is doing (a chat
    batch being written, say). Our consumers reach the database only through
    `database_sync_to_async`, which closes stale connections in that thread itself, so the extra
    hop buys nothing.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
