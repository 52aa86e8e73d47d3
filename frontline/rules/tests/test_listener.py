"""The trigger listener drops events no active trigger listens to, without a query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline.events.models import Event
from frontline.rules import services, signals
from frontline.rules.models import RuleRun
from frontline.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _event(verb: str, ticket_id: int, **after: object) -> Event:
    return Event.objects.create(
        occurred_at=timezone.now(),
        actor_label="system",
        verb=verb,
        target_type="ticket",
        target_id=ticket_id,
        after=after,
    )


def _trigger(events: list[str], active: bool = True):
    return services.rule_create(
        actor=None,
        name=f"Tag on {events[0]}",
        kind="trigger",
        events=events,
        conditions={"all": [], "any": []},
        actions_json=[{"type": "add_tags", "tags": ["seen"]}],
        is_active=active,
    )


def test_an_event_no_active_trigger_listens_to_costs_no_query():
    ticket = TicketFactory()
    _trigger(["ticket.created"])
    _trigger(["message.inbound"], active=False)
    event = _event("message.added", ticket.pk, direction="inbound", message=1)
    signals._on_event(sender=Event, event=event)  # reads the triggers' events once
    with CaptureQueriesContext(connection) as queries:
        signals._on_event(sender=Event, event=event)
    assert queries.captured_queries == []
    assert not RuleRun.objects.exists()


def test_a_trigger_saved_in_this_process_is_heard_at_once():
    ticket = TicketFactory()
    event = _event("ticket.created", ticket.pk)
    signals._on_event(sender=Event, event=event)  # no trigger yet: the empty set is kept
    assert not RuleRun.objects.exists()
    rule = _trigger(["ticket.created"])
    signals._on_event(sender=Event, event=event)
    assert RuleRun.objects.filter(rule=rule, ticket=ticket).count() == 1
    assert "seen" in ticket.tags.values_list("name", flat=True)
    rule.is_active = False
    rule.save()
    assert "ticket.created" not in signals._trigger_events()
