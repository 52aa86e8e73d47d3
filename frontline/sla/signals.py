"""Reactions to ticket events: SLA clocks start, pause, resume, and are met.

Each event is handled after its commit in a transaction of its own; inside `sla_events_batched()`
(bulk work such as a batch of inbound mail) they are collected and handled together when it ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)


class _Batch(threading.local):
    depth = 0
    events: list[Event]

    def __init__(self) -> None:
        self.events = []


_batch = _Batch()


def _handle_one(event: Event) -> None:
    from frontline.sla.services import sla_on_event

    try:
        sla_on_event(event=event)
    except Exception:  # listeners must not raise: the ticket's change is committed already
        logger.exception("SLA clocks did not follow event %s (%s)", event.pk, event.verb)


def _handle_many(events: list[Event]) -> None:
    from frontline.sla.services import sla_on_events

    try:
        sla_on_events(events=events)
    except Exception:  # one bad event must not cost the others: handle them one by one
        logger.warning("SLA clocks: a batch of %s events failed, handling them one by one", len(events))
        for event in events:
            _handle_one(event)


@contextmanager
def sla_events_batched() -> Iterator[None]:
    """Collect the ticket events committed inside, and handle them in one transaction when it ends.

    The clocks then follow the events a little later than the commit that recorded them (at the end
    of the block rather than right after), in the same order. Nested blocks hand over to the outermost.
    """
    _batch.depth += 1
    try:
        yield
    finally:
        _batch.depth -= 1
        if _batch.depth == 0 and _batch.events:
            events, _batch.events = _batch.events, []
            _handle_many(events)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.target_type != "ticket" or event.verb.startswith("sla."):
        return
    if _batch.depth:
        _batch.events.append(event)
        return
    _handle_one(event)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-sla-clocks")
