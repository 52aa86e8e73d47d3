"""Reactions to ticket events: SLA notices and urgency start chains; solving or merging stops them."""

from __future__ import annotations

import logging
from typing import Any

from frontline.events.models import Event
from frontline.events.signals import event_recorded

logger = logging.getLogger(__name__)

_TRIGGERS = {"sla.at_risk": "sla_at_risk", "sla.breached": "sla_breached"}
_STOPS = {"solved", "closed"}


def _became_urgent(event: Event) -> bool:
    if event.verb == "ticket.created":
        return bool(event.after.get("priority") == "urgent")
    return event.verb == "ticket.updated" and event.after.get("priority") == "urgent"


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.target_type != "ticket" or event.verb.startswith("escalation."):
        return
    trigger = _TRIGGERS.get(event.verb) or ("urgent" if _became_urgent(event) else None)
    stop = event.verb == "ticket.merged" or (
        event.verb in ("ticket.status_changed", "ticket.updated") and event.after.get("status") in _STOPS
    )
    if trigger is None and not stop:
        return
    from frontline.escalations import services
    from frontline.tickets.models import Ticket

    try:
        ticket = Ticket.objects.filter(pk=event.target_id).first()
        if ticket is None:
            return
        if stop:
            services.escalation_stop_for_ticket(ticket=ticket, reason=f"ticket {event.verb.split('.', 1)[1]}")
        elif trigger is not None:
            metric = event.after.get("metric")
            services.escalation_trigger(ticket=ticket, trigger=trigger, reason=metric or "")
    except Exception:  # listeners must not raise: the ticket's change is committed already
        logger.exception("escalations did not follow event %s (%s)", event.pk, event.verb)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-escalations")
