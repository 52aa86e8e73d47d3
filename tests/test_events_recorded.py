"""Every service writes an append-only event naming the actor, the verb and the object."""

import io
from decimal import Decimal

import pytest

from frontline.accounts import services as accounts
from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers import services as customers
from frontline.customers.factories import CustomerFactory
from frontline.events.models import AppendOnlyError, Event
from frontline.plans import services as plans
from frontline.tickets import services as tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    actor = staff(Role.ADMIN)
    team = TeamFactory()
    customer = CustomerFactory()
    ticket = tickets.ticket_create(
        actor=actor, requester=customer, subject="Microwave sparks", body_text="sparks"
    )
    plan = plans.plan_create(actor=actor, name="Standard")
    return {"actor": actor, "team": team, "customer": customer, "ticket": ticket, "plan": plan}


def _draft(w):
    return plans.plan_version_draft(actor=w["actor"], plan=w["plan"], summary="v")


def _active(w):
    return plans.plan_version_activate(actor=w["actor"], version=_draft(w))


CALLS = {
    "staff.created": lambda w: accounts.staff_create(
        actor=w["actor"], username="new", email="n@x.ph", password=None, role="agent"
    ),
    "staff.role_changed": lambda w: accounts.staff_set_role(
        actor=w["actor"], user=staff(), role="supervisor"
    ),
    "team.created": lambda w: accounts.team_create(actor=w["actor"], name="Billing"),
    "team.updated": lambda w: accounts.team_update(actor=w["actor"], team=w["team"], is_private=True),
    "agent.updated": lambda w: accounts.agent_profile_update(
        actor=w["actor"], agent=w["actor"].agent, skills={"aircon": 4}, cost_per_hour=Decimal("7.50")
    ),
    "api_token.created": lambda w: accounts.api_token_create(actor=w["actor"], user=w["actor"], name="t"),
    "api_token.revoked": lambda w: accounts.api_token_revoke(
        actor=w["actor"], token=accounts.api_token_create(actor=w["actor"], user=w["actor"], name="t")[0]
    ),
    "customer.created": lambda w: customers.customer_create(actor=w["actor"], emails=["c@x.ph"]),
    "customer.updated": lambda w: customers.customer_update(
        actor=w["actor"], customer=w["customer"], tier="gold"
    ),
    "customer.created#dedup": lambda w: customers.customer_find_or_create(actor=w["actor"], email="d@x.ph"),
    "customer.updated#dedup": lambda w: customers.customer_find_or_create(
        actor=w["actor"], email=w["customer"].contact_points.get().value, phone="+639170000000"
    ),
    "organization.created": lambda w: customers.organization_create(actor=w["actor"], name="Acme"),
    "organization.updated": lambda w: customers.organization_update(
        actor=w["actor"],
        organization=customers.organization_create(actor=None, name="B"),
        shares_tickets=True,
    ),
    "segment.created": lambda w: customers.segment_create(actor=w["actor"], name="Gold", rule="tier = gold"),
    "segment.updated": lambda w: customers.segment_update(
        actor=w["actor"],
        segment=customers.segment_create(actor=None, name="S", rule="tier = gold"),
        rule="tier = silver",
    ),
    "plan.created": lambda w: plans.plan_create(actor=w["actor"], name="VIP"),
    "plan_version.drafted": _draft,
    "plan_version.updated": lambda w: plans.plan_version_update(
        actor=w["actor"], version=_draft(w), summary="new"
    ),
    "plan_version.activated": _active,
    "plan_version.retired": lambda w: plans.plan_version_retire(actor=w["actor"], version=_active(w)),
    "ticket.created": lambda w: tickets.ticket_create(actor=w["actor"], requester=w["customer"], subject="s"),
    "message.added": lambda w: tickets.message_add(
        actor=w["actor"], ticket=w["ticket"], direction="note", body_text="n"
    ),
    "ticket.updated": lambda w: tickets.ticket_update(actor=w["actor"], ticket=w["ticket"], priority="high"),
    "ticket.status_changed": lambda w: tickets.message_add(
        actor=w["actor"], ticket=w["ticket"], direction="outbound", body_text="hi"
    ),
    "ticket.reopened": lambda w: tickets.ticket_reopen(
        actor=w["actor"],
        ticket=tickets.ticket_update(actor=None, ticket=w["ticket"], status="solved"),
        reason="customer wrote back",
    ),
    "ticket.followed": lambda w: tickets.ticket_follow(actor=w["actor"], ticket=w["ticket"], user=w["actor"]),
    "ticket.merged": lambda w: tickets.ticket_merge(
        actor=w["actor"],
        source=tickets.ticket_create(actor=None, requester=w["customer"], subject="dup", body_text="d"),
        target=w["ticket"],
    ),
    "ticket.split": lambda w: tickets.ticket_split(
        actor=w["actor"],
        ticket=w["ticket"],
        message_ids=[
            tickets.message_add(actor=None, ticket=w["ticket"], direction="inbound", body_text="b").pk
        ],
        subject="apart",
    ),
    "attachment.added": lambda w: tickets.attachment_add(
        actor=w["actor"],
        ticket=w["ticket"],
        file=io.BytesIO(b"hello"),
        filename="a.txt",
        content_type="text/plain",
    ),
}


@pytest.mark.parametrize("verb", list(CALLS))
def test_service_records_its_event(world, verb):
    before = Event.objects.count()
    CALLS[verb](world)
    events = Event.objects.filter(pk__gt=before, verb=verb.split("#")[0])
    assert events.exists(), f"no {verb} event"
    event = events.last()
    assert event.occurred_at is not None
    assert event.target_id is not None
    if event.actor_id is not None:
        assert event.actor_label == event.actor.username


def test_events_cannot_be_changed_or_deleted(world):
    event = Event.objects.first()
    event.verb = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(verb="rewritten").count() == 0


def test_a_failed_service_call_leaves_no_event(world):
    count = Event.objects.count()
    with pytest.raises(Exception, match="cannot become"):
        tickets.ticket_update(actor=world["actor"], ticket=world["ticket"], status="closed")
    assert Event.objects.count() == count
