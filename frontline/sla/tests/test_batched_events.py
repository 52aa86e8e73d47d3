"""Ticket events committed inside `sla_events_batched()` move the clocks together, when it ends."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.sla import services
from frontline.sla.models import SlaClock
from frontline.sla.signals import sla_events_batched
from frontline.tickets.models import Ticket
from frontline.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def policy():
    calendar = services.business_calendar_create(
        actor=None,
        name="Around the clock",
        timezone_name="UTC",
        weekly_hours={str(day): [["00:00", "24:00"]] for day in range(7)},
    )
    return services.sla_policy_create(
        actor=None,
        name="Standard",
        first_response_minutes=60,
        next_response_minutes=30,
        resolution_minutes=600,
        calendar=calendar,
    )


def _clocks():
    return sorted(
        SlaClock.objects.values_list("ticket__subject", "metric", "state", "due_at"), key=lambda row: row[:2]
    )


def _scenario():
    """Two tickets; the first is answered by an agent and the customer writes again."""
    agent = staff(Role.AGENT)
    with time_machine.travel(MONDAY, tick=False):
        first = ticket_create(actor=None, requester=CustomerFactory(), subject="Aircon", created_at=MONDAY)
        ticket_create(actor=None, requester=CustomerFactory(), subject="Washer", created_at=MONDAY)
    answered = MONDAY + timedelta(minutes=20)
    with time_machine.travel(answered, tick=False):
        message_add(actor=agent, ticket=first, direction="outbound", body_text="On it", created_at=answered)
    again = MONDAY + timedelta(minutes=40)
    with time_machine.travel(again, tick=False):
        message_add(actor=None, ticket=first, direction="inbound", body_text="Thanks, and?", created_at=again)


def test_batched_events_give_the_clocks_one_by_one_handling_gives(policy):
    # The clocks' at-risk checks run at once in tests: keep "now" before any of them is due.
    with time_machine.travel(MONDAY + timedelta(minutes=45), tick=False):
        with sla_events_batched():
            _scenario()
            assert not SlaClock.objects.exists()  # committed, but the clocks wait for the block's end
        batched = _clocks()
        Ticket.objects.all().delete()
        _scenario()
        assert batched == _clocks()
    assert ("Aircon", "next_response", "running", MONDAY + timedelta(minutes=70)) in batched
    assert ("Aircon", "first_response", "met", None) in batched


@time_machine.travel(MONDAY + timedelta(minutes=45), tick=False)
def test_batched_events_are_handled_in_one_call_and_one_transaction(policy, monkeypatch):
    calls = []
    batch, single = services.sla_on_events, services.sla_on_event

    def recording_batch(*, events):
        calls.append(("batch", [event.verb for event in events]))
        with CaptureQueriesContext(connection) as queries:
            handled = batch(events=events)
        calls.append(("begins", [q["sql"] for q in queries.captured_queries if q["sql"].startswith("BEGIN")]))
        return handled

    def recording_single(*, event):
        calls.append(("single", event.verb))
        return single(event=event)

    monkeypatch.setattr(services, "sla_on_events", recording_batch)
    monkeypatch.setattr(services, "sla_on_event", recording_single)
    monkeypatch.setattr(services, "_schedule", lambda clock: None)  # ETA checks run as tasks of their own
    with sla_events_batched():
        _scenario()
    assert calls == [
        (
            "batch",
            ["ticket.created", "ticket.created", "message.added", "ticket.status_changed", "message.added"],
        ),
        ("begins", ["BEGIN IMMEDIATE"] if connection.vendor == "sqlite" else ["BEGIN"]),
    ]
    assert SlaClock.objects.count() == 5


@time_machine.travel(MONDAY + timedelta(minutes=45), tick=False)
def test_when_a_batch_fails_the_events_are_handled_one_by_one(policy, monkeypatch):
    def failing(*, events):
        raise RuntimeError("a bug in batching")

    monkeypatch.setattr(services, "sla_on_events", failing)
    with sla_events_batched():
        _scenario()
    assert SlaClock.objects.count() == 5
