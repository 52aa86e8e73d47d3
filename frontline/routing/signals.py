"""Reactions to ticket events: email and web-form tickets wait in their channel's queue until solved."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)
_FINISHED = {"solved", "closed"}


def _push(groups: list[str], message: dict[str, Any]) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):  # nobody else can hear it: skip groups nobody joined
        groups = [group for group in groups if layer.groups.get(group)]
    for group in groups:
        async_to_sync(layer.group_send)(group, message)


def _on_routing_event(event: Event) -> None:
    """Wallboards recompute on any change; an agent hears of their own offers and state."""
    after = event.after
    groups = ["wallboard"]
    if event.target_type == "user":
        groups.append(f"person.{event.target_id}")
    else:
        agents = set(after.get("offered_to") or []) | ({after["agent"]} if after.get("agent") else set())
        groups += [f"person.{agent}" for agent in sorted(agents)]
    message = {
        "type": "personal.push",
        "payload": {
            "type": "routing",
            "verb": event.verb,
            "target_type": event.target_type,
            "target_id": event.target_id,
            **{
                k: after.get(k)
                for k in ("state", "reason", "queue", "channel", "offered_to", "agent")
                if k in after
            },
        },
    }
    try:
        _push(groups[1:], message)
        _push(["wallboard"], {"type": "wallboard.changed"})
    except Exception:
        logger.exception("could not push routing event %s", event.pk)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.verb.startswith(("interaction.", "presence.")):
        _on_routing_event(event)
        return
    if event.target_type != "ticket":
        return
    created = event.verb == "ticket.created"
    finished = event.verb == "ticket.merged" or (
        event.verb in ("ticket.updated", "ticket.status_changed") and event.after.get("status") in _FINISHED
    )
    if not (created or finished):
        return
    from frontline.routing import services
    from frontline.routing.models import Queue
    from frontline.tickets.models import Ticket

    try:
        if not Queue.objects.filter(active=True).exists():
            return
        ticket = Ticket.objects.filter(pk=event.target_id).first()
        if ticket is None:
            return
        if created:
            services.ticket_enqueue(ticket=ticket)
        else:
            services.ticket_release(ticket=ticket)
    except Exception:  # listeners must not raise: the ticket's change is committed already
        logger.exception("routing did not follow event %s (%s)", event.pk, event.verb)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-routing-tickets")
