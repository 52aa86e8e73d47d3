"""Recorded events become deliveries for the active subscriptions whose patterns match, and no others."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.tickets.services import ticket_create
from frontline.webhooks import services
from frontline.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _subscribe(url, event_types, active=True, name="Hook"):
    return services.webhook_subscription_create(
        actor=None, name=name, url=url, event_types=event_types, active=active
    )


def test_an_event_is_delivered_to_matching_active_subscriptions_only(
    allow_loopback, receiver, django_capture_on_commit_callbacks
):
    tickets = _subscribe(receiver.url("/tickets"), ["ticket.*"], name="Tickets")
    everything = _subscribe(receiver.url("/all"), ["*"], name="All")
    customers = _subscribe(receiver.url("/customers"), ["customer.merged"], name="Customers")
    paused = _subscribe(receiver.url("/paused"), ["*"], active=False, name="Paused")
    agent = staff(Role.AGENT)
    requester = CustomerFactory()

    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(actor=agent, requester=requester, subject="Aircon leaks")

    event = Event.objects.get(verb="ticket.created", target_id=ticket.pk)
    deliveries = WebhookDelivery.objects.filter(event_type="ticket.created").order_by("subscription_id")
    assert [(d.subscription_id, d.event_id, d.status) for d in deliveries] == [
        (tickets.pk, f"evt_{event.pk}", "delivered"),
        (everything.pk, f"evt_{event.pk}", "delivered"),
    ]
    assert not WebhookDelivery.objects.filter(subscription__in=[customers, paused]).exists()
    received = {
        r.path: json.loads(r.body)
        for r in receiver.received
        if r.headers["Frontline-Event-Type"] == "ticket.created"
    }
    assert set(received) == {"/tickets", "/all"}
    assert received["/tickets"] == {
        "id": f"evt_{event.pk}",
        "type": "ticket.created",
        "occurred_at": "2026-03-02T09:00:00+00:00",
        "data": {
            "actor": agent.username,
            "target_type": "ticket",
            "target_id": ticket.pk,
            "before": event.before,
            "after": event.after,
        },
    }


def test_events_about_webhooks_are_not_sent_to_webhooks(
    allow_loopback, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscription = _subscribe(receiver.url(), ["*"])
        services.webhook_secret_rotate(actor=None, subscription=subscription)

    assert Event.objects.filter(verb__startswith="webhook_subscription.").count() == 2
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_without_subscriptions_an_event_costs_no_query(django_assert_num_queries):
    event = Event.objects.create(
        occurred_at=START, actor_label="system", verb="ticket.created", target_type="ticket", target_id=1
    )
    services.webhook_on_event(event=event)  # loads the (empty) list of active subscriptions once

    with django_assert_num_queries(0):
        assert services.webhook_on_event(event=event) == []


def test_a_new_subscription_is_seen_at_once_by_this_process(allow_loopback, receiver):
    event = Event.objects.create(
        occurred_at=START, actor_label="system", verb="ticket.created", target_type="ticket", target_id=1
    )
    assert services.webhook_on_event(event=event) == []

    subscription = _subscribe(receiver.url(), ["ticket.created"])

    [delivery] = services.webhook_on_event(event=event)
    assert (delivery.subscription_id, delivery.event_id) == (subscription.pk, f"evt_{event.pk}")
    # The same event again (a listener run twice) makes no second delivery
    assert [d.pk for d in services.webhook_on_event(event=event)] == [delivery.pk]
