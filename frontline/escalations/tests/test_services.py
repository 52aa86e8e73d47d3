"""Escalation chains walked step by step with time travel; triggers from ticket events; rosters."""

from datetime import time, timedelta

import pytest
from django.core import mail
from huey.contrib.djhuey import HUEY

from frontline.core.errors import Conflict, Invalid
from frontline.customers.factories import CustomerFactory
from frontline.escalations import selectors, services
from frontline.escalations.models import EscalationRun
from frontline.escalations.services import StepSpec
from frontline.escalations.tests.conftest import manila
from frontline.events.models import Event
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(calendar, roster, people):
    return services.chain_create(
        actor=None,
        name="Breach ladder",
        trigger="sla_breached",
        calendar=calendar,
        roster=roster,
        steps=[
            StepSpec("notify_assignee", message="Reply now, please"),
            StepSpec("notify_team_lead", timedelta(hours=1), business_time=True),
            StepSpec("reassign", timedelta(minutes=90), business_time=True, team=people["tier2"]),
            StepSpec("raise_priority", timedelta(minutes=150), business_time=True),
            StepSpec("page_on_call", timedelta(hours=72)),  # calendar time: Monday 17:30
        ],
    )


def _ticket(step, at, people):
    return step(
        at,
        ticket_create,
        actor=None,
        requester=CustomerFactory(),
        subject="Fridge warm",
        team=people["team"],
        assignee=people["agent"],
    )


def _breach(step, at, ticket):
    def record():
        event_record(actor=None, verb="sla.breached", target=ticket, after={"metric": "first_response"})

    from django.db import transaction

    step(at, transaction.atomic(record))


def test_a_chain_is_driven_through_every_step(step, chain, people):
    ticket = _ticket(step, manila(2026, 11, 20, 17, 0), people)  # Friday
    _breach(step, manila(2026, 11, 20, 17, 30), ticket)
    run = EscalationRun.objects.get(ticket=ticket)
    assert run.trigger == "sla_breached"
    assert run.steps_done == 1  # no delay: the assignee heard at once
    assert Notification.objects.get(user=people["agent"]).body.startswith("Reply now, please")
    # Business time skips the weekend: the lead hears Monday 09:30, not Friday 18:30.
    assert run.next_due_at == manila(2026, 11, 23, 9, 30)
    assert [task.eta for task in HUEY.scheduled() if task.args == (run.pk,)]

    for at, done in [
        (manila(2026, 11, 23, 9, 29), 1),  # too early: nothing
        (manila(2026, 11, 23, 9, 30), 2),
        (manila(2026, 11, 23, 10, 0), 3),
        (manila(2026, 11, 23, 11, 0), 4),
        (manila(2026, 11, 23, 17, 30), 5),
    ]:
        step(at, services.escalation_reconcile)
        run.refresh_from_db()
        assert run.steps_done == done, at

    ticket.refresh_from_db()
    assert Notification.objects.filter(user=people["lead"], kind="escalation").count() == 1
    assert ticket.team == people["tier2"]
    assert ticket.assignee is None
    assert ticket.priority == "high"
    page = Notification.objects.get(user=people["manager"], kind="page")
    assert page.urgent
    assert any(m.to == ["manager@staff.example.test"] for m in mail.outbox)
    assert run.state == "completed"
    verbs = list(
        Event.objects.filter(
            target_type="ticket", target_id=ticket.pk, verb__startswith="escalation."
        ).values_list("verb", flat=True)
    )
    assert verbs == ["escalation.started", *["escalation.step_done"] * 5, "escalation.completed"]
    # Running the reconcile again does nothing more: every step ran exactly once.
    step(manila(2026, 11, 24, 9, 0), services.escalation_reconcile)
    assert Event.objects.filter(verb="escalation.step_done", target_id=ticket.pk).count() == 5


def test_solving_the_ticket_stops_the_chain(step, chain, people):
    ticket = _ticket(step, manila(2026, 11, 20, 17, 0), people)
    _breach(step, manila(2026, 11, 20, 17, 30), ticket)
    step(manila(2026, 11, 20, 17, 45), ticket_update, actor=people["agent"], ticket=ticket, status="solved")
    run = EscalationRun.objects.get(ticket=ticket)
    assert run.state == "cancelled"
    step(manila(2026, 11, 23, 12, 0), services.escalation_reconcile)
    assert not Notification.objects.filter(user=people["lead"]).exists()


def test_a_trigger_twice_starts_one_run(step, chain, people):
    ticket = _ticket(step, manila(2026, 11, 20, 17, 0), people)
    _breach(step, manila(2026, 11, 20, 17, 30), ticket)
    _breach(step, manila(2026, 11, 20, 17, 40), ticket)
    assert EscalationRun.objects.filter(ticket=ticket).count() == 1


def test_chains_apply_only_to_their_team_and_trigger(step, calendar, roster, people):
    services.chain_create(
        actor=None,
        name="Tier 2 only",
        trigger="sla_breached",
        team=people["tier2"],
        steps=[StepSpec("notify_team_lead")],
    )
    services.chain_create(
        actor=None, name="Urgent", trigger="urgent", steps=[StepSpec("page_on_call")], roster=roster
    )
    ticket = _ticket(step, manila(2026, 11, 20, 10, 0), people)
    _breach(step, manila(2026, 11, 20, 11, 0), ticket)
    assert not EscalationRun.objects.filter(ticket=ticket).exists()
    # Marking it urgent starts the urgent chain, which pages the manager on call.
    step(manila(2026, 11, 20, 11, 5), ticket_update, actor=people["agent"], ticket=ticket, priority="urgent")
    run = EscalationRun.objects.get(ticket=ticket)
    assert run.chain.name == "Urgent"
    assert run.state == "completed"
    assert Notification.objects.filter(user=people["manager"], kind="page").exists()


def test_nobody_to_notify_is_recorded_not_raised(step, calendar, people):
    chain = services.chain_create(
        actor=None, name="Lead", trigger="manual", steps=[StepSpec("notify_team_lead")]
    )
    ticket = step(
        manila(2026, 11, 20, 10, 0), ticket_create, actor=None, requester=CustomerFactory(), subject="x"
    )
    step(manila(2026, 11, 20, 10, 0), services.escalation_start, ticket=ticket, chain=chain)
    event = Event.objects.get(verb="escalation.step_done", target_id=ticket.pk)
    assert event.after["result"]["done"] is False
    assert "nobody" in event.after["result"]["why"]


def test_a_finished_ticket_cannot_be_escalated(step, calendar, people):
    chain = services.chain_create(
        actor=None, name="Lead", trigger="manual", steps=[StepSpec("notify_team_lead")]
    )
    ticket = _ticket(step, manila(2026, 11, 20, 10, 0), people)
    step(manila(2026, 11, 20, 10, 1), ticket_update, actor=None, ticket=ticket, status="solved")
    with pytest.raises(Conflict):
        services.escalation_start(ticket=ticket, chain=chain)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"steps": []}, "steps"),
        ({"steps": [StepSpec("dance")]}, "steps[0].action"),
        ({"steps": [StepSpec("reassign")]}, "steps[0].team"),
        ({"steps": [StepSpec("page_on_call")]}, "steps[0].action"),
        (
            {"steps": [StepSpec("notify_assignee", timedelta(hours=1), business_time=True)]},
            "steps[0].business_time",
        ),
        ({"steps": [StepSpec("notify_assignee", timedelta(minutes=-1))]}, "steps[0].delay_minutes"),
        ({"steps": [StepSpec("raise_priority", priority="asap")]}, "steps[0].priority"),
        ({"steps": [StepSpec("notify_assignee")], "trigger": "moon"}, "trigger"),
    ],
)
def test_bad_chains_name_the_field(kwargs, field):
    kwargs.setdefault("trigger", "manual")
    with pytest.raises(Invalid) as error:
        services.chain_create(actor=None, name="Bad", **kwargs)
    assert error.value.field == field


def test_changing_a_chain_does_not_move_a_started_run(step, chain, people):
    ticket = _ticket(step, manila(2026, 11, 20, 17, 0), people)
    _breach(step, manila(2026, 11, 20, 17, 30), ticket)
    services.chain_update(
        actor=None,
        chain=chain,
        steps=[StepSpec("notify_assignee"), StepSpec("notify_team_lead", timedelta(days=9))],
    )
    run = EscalationRun.objects.get(ticket=ticket)
    assert run.next_due_at == manila(2026, 11, 23, 9, 30)
    assert len(run.due_times) == 5


def test_on_call_manager_changes_at_midnight_in_the_rosters_zone(people):
    roster = services.roster_create(actor=None, name="Weekdays", timezone_name="Asia/Manila")
    services.shift_add(
        actor=None,
        roster=roster,
        person=services.Person(name="Ana", phone="+639170000001"),
        weekdays=["mon"],
        start=time(0),
        end=time(0),
    )
    services.shift_add(
        actor=None,
        roster=roster,
        person=services.Person(name="Ben", user=people["manager"]),
        weekdays=["tue"],
        start=time(0),
        end=time(0),
    )
    before = selectors.on_call_now(roster=roster, at=manila(2026, 11, 23, 23, 59))
    after = selectors.on_call_now(roster=roster, at=manila(2026, 11, 24, 0, 0))
    assert (before.name, before.phone, before.until) == ("Ana", "+639170000001", manila(2026, 11, 24, 0, 0))
    assert (after.name, after.user, after.email) == ("Ben", people["manager"], "manager@staff.example.test")
    # A change to the roster at midnight: an override for Tuesday's first hours wins.
    services.override_add(
        actor=None,
        roster=roster,
        person=services.Person(name="Cy", email="cy@example.test"),
        starts_at=manila(2026, 11, 24, 0, 0),
        ends_at=manila(2026, 11, 24, 6, 0),
        reason="Ben flies back",
    )
    covered = selectors.on_call_now(roster=roster, at=manila(2026, 11, 24, 0, 0))
    assert (covered.name, covered.source, covered.until) == ("Cy", "override", manila(2026, 11, 24, 6, 0))
    assert selectors.on_call_now(roster=roster, at=manila(2026, 11, 25, 0, 0)) is None


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (services.Person(name=""), "name"),
        (services.Person(name="No way to reach"), "phone"),
        (services.Person(name="Bad phone", phone="0917-123"), "phone"),
    ],
)
def test_roster_entries_need_a_reachable_person(person, field):
    roster = services.roster_create(actor=None, name="R", timezone_name="UTC")
    with pytest.raises(Invalid) as error:
        services.shift_add(
            actor=None, roster=roster, person=person, weekdays=["mon"], start=time(9), end=time(17)
        )
    assert error.value.field == field


def test_roster_timezone_is_checked():
    with pytest.raises(Invalid) as error:
        services.roster_create(actor=None, name="R", timezone_name="Mars/Olympus")
    assert error.value.field == "timezone"
