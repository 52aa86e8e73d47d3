"""Presence, offers, wrap-up, ticket push and pull, overflow: the contact center on the database."""

from datetime import timedelta

import pytest

from frontline.core.errors import Conflict, Invalid
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.routing import services
from frontline.routing.models import AgentPresence, Interaction, Queue
from frontline.routing.tests.conftest import T0, make_agent
from frontline.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def s(seconds):
    return T0 + timedelta(seconds=seconds)


def test_presence_changes_are_events_with_their_duration(clock):
    ana = make_agent()
    clock(s(0), services.presence_set, actor=ana, user=ana, state="available")
    clock(s(600), services.presence_set, actor=ana, user=ana, state="not_ready", reason="lunch")
    clock(s(4200), services.presence_set, actor=ana, user=ana, state="logged_out")
    events = list(Event.objects.filter(verb="presence.changed", target_id=ana.pk).order_by("id"))
    assert [(e.before["state"], e.after["state"], e.after.get("reason")) for e in events] == [
        ("logged_out", "available", ""),
        ("available", "not_ready", "lunch"),
        ("not_ready", "logged_out", ""),
    ]
    assert [e.after["seconds"] for e in events[1:]] == [600, 3600]


@pytest.mark.parametrize(
    ("state", "reason", "field"), [("busy", "", "state"), ("not_ready", "nap", "reason")]
)
def test_bad_presence_names_the_field(state, reason, field):
    ana = make_agent()
    with pytest.raises(Invalid) as error:
        services.presence_set(actor=ana, user=ana, state=state, reason=reason)
    assert error.value.field == field


def test_a_call_is_offered_accepted_ended_and_wrapped_up(clock, voice_queue):
    ana = make_agent(available_at=s(0))
    call = clock(
        s(10), services.interaction_enqueue, queue=voice_queue, customer=CustomerFactory(), external_id="CA1"
    )
    call.refresh_from_db()
    assert (call.state, call.agent, call.offered_to) == ("offered", ana, [ana.pk])
    assert call.offer_expires_at == s(30)
    clock(s(15), services.interaction_accept, user=ana, interaction=call)
    assert AgentPresence.objects.get(user=ana).state == "busy"
    clock(s(200), services.interaction_end, actor=ana, interaction=call, outcome="resolved")
    presence = AgentPresence.objects.get(user=ana)
    assert (presence.state, presence.wrap_up_until) == ("wrap_up", s(230))
    clock(s(230), services.wrap_up_end, interaction=call)
    call.refresh_from_db()
    assert (call.state, call.answered_at, call.ended_at, call.wrap_up_ended_at) == (
        "ended",
        s(15),
        s(200),
        s(230),
    )
    assert AgentPresence.objects.get(user=ana).state == "available"
    # The same provider id again is the same call.
    assert clock(s(240), services.interaction_enqueue, queue=voice_queue, external_id="CA1").pk == call.pk


def test_a_missed_offer_goes_to_the_next_agent_and_the_first_is_not_ready(clock, voice_queue):
    ana = make_agent(available_at=s(0))
    ben = make_agent(available_at=s(5))
    call = clock(s(10), services.interaction_enqueue, queue=voice_queue)
    call.refresh_from_db()
    assert call.offered_to == [ana.pk]  # idle longest
    clock(s(30), services.offer_expire, interaction_id=call.pk)
    call.refresh_from_db()
    assert call.offered_to == [ben.pk]
    assert call.excluded_agents == [ana.pk]
    presence = AgentPresence.objects.get(user=ana)
    assert (presence.state, presence.reason) == ("not_ready", "missed_offer")
    with pytest.raises(Conflict):
        services.interaction_accept(user=ana, interaction=call)


def test_declining_passes_it_on_without_penalty(clock, voice_queue):
    ana = make_agent(available_at=s(0))
    ben = make_agent(available_at=s(5))
    call = clock(s(10), services.interaction_enqueue, queue=voice_queue)
    clock(s(12), services.interaction_decline, user=ana, interaction=call)
    call.refresh_from_db()
    assert call.offered_to == [ben.pk]
    assert AgentPresence.objects.get(user=ana).state == "available"


def test_ring_all_the_first_to_accept_wins(clock):
    chat = Queue.objects.create(name="Chat", channel="chat", strategy="ring_all")
    ana = make_agent(available_at=s(0))
    ben = make_agent(available_at=s(0))
    session = clock(s(10), services.interaction_enqueue, queue=chat)
    session.refresh_from_db()
    assert sorted(session.offered_to) == sorted([ana.pk, ben.pk])
    clock(s(12), services.interaction_accept, user=ben, interaction=session)
    with pytest.raises(Conflict):
        clock(s(13), services.interaction_accept, user=ana, interaction=session)
    session.refresh_from_db()
    assert (session.state, session.agent) == ("connected", ben)


def test_email_tickets_are_pushed_by_capacity(clock):
    Queue.objects.create(name="Email", channel="email", strategy="least_occupied")
    ana = make_agent(capacity={"email": 2}, available_at=s(0))
    tickets = [
        clock(
            s(10 + i),
            ticket_create,
            actor=None,
            requester=CustomerFactory(),
            subject=f"T{i}",
            channel="email",
        )
        for i in range(3)
    ]
    for ticket in tickets:
        ticket.refresh_from_db()
    assert [t.assignee for t in tickets] == [ana, ana, None]  # the third waits: Ana is full
    clock(s(100), ticket_update, actor=ana, ticket=tickets[0], status="solved")
    tickets[2].refresh_from_db()
    assert tickets[2].assignee == ana  # a slot freed: the waiting ticket is pushed


def test_pull_mode_get_next(clock):
    queue = Queue.objects.create(name="Web", channel="web_form", ticket_mode="pull")
    ana = make_agent(capacity={"web_form": 5}, available_at=s(0))
    first = clock(
        s(10), ticket_create, actor=None, requester=CustomerFactory(), subject="A", channel="web_form"
    )
    urgent = clock(
        s(20), ticket_create, actor=None, requester=CustomerFactory(), subject="B", channel="web_form"
    )
    Interaction.objects.filter(ticket=urgent).update(priority=50)
    first.refresh_from_db()
    assert first.assignee is None  # pull: nobody is pushed work
    got = clock(s(30), services.get_next, user=ana, queue=queue)
    assert got.ticket == urgent
    urgent.refresh_from_db()
    assert urgent.assignee == ana


def test_overflow_and_maximum_wait(clock):
    spill = Queue.objects.create(name="Spill", channel="voice")
    main = Queue.objects.create(name="Main", channel="voice", overflow_queue=spill, overflow_after_seconds=60)
    call = clock(s(0), services.interaction_enqueue, queue=main)
    clock(s(59), services.route_all)
    call.refresh_from_db()
    assert call.queue == main
    clock(s(60), services.route_all)
    call.refresh_from_db()
    assert (call.queue, call.state) == (spill, "waiting")
    limited = Queue.objects.create(name="Limited", channel="voice", max_wait_seconds=120, fallback="callback")
    other = clock(s(0), services.interaction_enqueue, queue=limited)
    clock(s(120), services.route_all)
    other.refresh_from_db()
    assert (other.state, other.outcome) == ("fallback", "callback: waited too long")


def test_full_queue_falls_back_at_once(clock):
    queue = Queue.objects.create(name="Small", channel="voice", max_waiting=1, fallback="voicemail")
    clock(s(0), services.interaction_enqueue, queue=queue)
    second = clock(s(1), services.interaction_enqueue, queue=queue)
    assert second.state == "fallback"


def test_stale_clients_become_away(clock):
    ana = make_agent(available_at=s(0))
    clock(s(60), services.presence_heartbeat, user=ana)
    assert clock(s(140), services.presence_sweep) == 0
    assert clock(s(151), services.presence_sweep) == 1
    presence = AgentPresence.objects.get(user=ana)
    assert (presence.state, presence.reason) == ("not_ready", "away")


def test_signing_off_with_open_contacts_is_refused(clock, voice_queue):
    ana = make_agent(available_at=s(0))
    call = clock(s(10), services.interaction_enqueue, queue=voice_queue)
    clock(s(11), services.interaction_accept, user=ana, interaction=call)
    with pytest.raises(Conflict):
        services.presence_set(actor=ana, user=ana, state="logged_out")


def test_only_ticket_channels_are_queued_as_tickets(clock):
    Queue.objects.create(name="Phone", channel="voice")
    ticket = clock(
        s(0), ticket_create, actor=None, requester=CustomerFactory(), subject="Call", channel="voice"
    )
    assert not Interaction.objects.filter(ticket=ticket).exists()


def test_a_supervisor_changes_an_agents_state(clock):
    from frontline.accounts.factories import staff
    from frontline.accounts.models import Role

    boss = staff(Role.SUPERVISOR)
    ana = make_agent(available_at=s(0))
    clock(s(10), services.presence_set, actor=boss, user=ana, state="not_ready", reason="coaching")
    event = Event.objects.filter(verb="presence.changed", target_id=ana.pk).latest("id")
    assert (event.actor, event.after["reason"]) == (boss, "coaching")


def test_priority_comes_from_sla_state_ticket_priority_and_tier(clock):
    from frontline.sla.models import SlaClock

    gold = CustomerFactory(tier="gold")
    plain = CustomerFactory(tier="standard")
    urgent = clock(s(0), ticket_create, actor=None, requester=plain, subject="A", priority="urgent")
    normal_gold = clock(s(0), ticket_create, actor=None, requester=gold, subject="B", priority="normal")
    assert services.derived_priority(customer=plain, ticket=urgent) == 30
    assert services.derived_priority(customer=gold, ticket=normal_gold) == 12
    assert services.derived_priority(customer=gold, ticket=None) == 12
    SlaClock.objects.create(
        ticket=normal_gold,
        metric="first_response",
        target_minutes=60,
        business_time=False,
        started_at=s(0),
        running_since=s(0),
        at_risk_notified=True,
        at_risk_ratio=0.75,
        elapsed=timedelta(0),
    )
    assert services.derived_priority(customer=gold, ticket=normal_gold) == 112
    queue = Queue.objects.create(name="Phone", channel="voice")
    assert clock(s(1), services.interaction_enqueue, queue=queue, ticket=normal_gold).priority == 112
    assert clock(s(1), services.interaction_enqueue, queue=queue, ticket=urgent, priority=1).priority == 1
