"""SLA clocks driven by ticket events, on the database, with time frozen by time-machine.

Ticket services record events whose listeners run after commit; each step runs inside
`django_capture_on_commit_callbacks(execute=True)` so the real signal wiring moves the clocks.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.plans import services as plans
from frontline.sla import services
from frontline.sla.models import SlaClock, SlaPolicy
from frontline.sla.selectors import sla_policy_for_ticket
from frontline.tickets.services import message_add, ticket_create, ticket_reopen, ticket_update

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")


def manila(*args):
    return datetime(*args, tzinfo=MANILA)


@pytest.fixture
def calendar():
    """The Manila office: 09:00-18:00 Monday to Friday, closed on Philippine public holidays."""
    return services.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours={str(day): [["09:00", "18:00"]] for day in range(5)},
        holiday_country="PH",
    )


@pytest.fixture
def policy(calendar):
    return services.sla_policy_create(
        actor=None,
        name="Standard",
        first_response_minutes=240,
        next_response_minutes=60,
        resolution_minutes=480,
        calendar=calendar,
    )


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run `fn` at aware time `at` (frozen), with after-commit listeners running as in production."""

    def run(at, fn, *args, **kwargs):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _open(step, at, **kwargs):
    kwargs.setdefault("priority", "normal")
    return step(
        at,
        ticket_create,
        actor=None,
        requester=kwargs.pop("requester", None) or CustomerFactory(),
        subject="Aircon rattles",
        body_text="It rattles at night",
        created_at=at,
        **kwargs,
    )


def _clock(ticket, metric):
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def _verbs(ticket):
    return list(
        Event.objects.filter(target_type="ticket", target_id=ticket.pk, verb__startswith="sla.").values_list(
            "verb", "after__metric"
        )
    )


def test_first_response_skips_the_weekend_and_a_monday_holiday(step, policy):
    # Given a ticket opened Friday 16:00 in Manila before National Heroes Day (Monday 31 August 2026)
    ticket = _open(step, manila(2026, 8, 28, 16, 0))
    # Then 4 business hours are Friday 16-18 and Tuesday 09-11
    clock = _clock(ticket, "first_response")
    assert (clock.state, clock.target_minutes, clock.business_time) == ("running", 240, True)
    assert clock.started_at == manila(2026, 8, 28, 16, 0)
    assert clock.due_at == manila(2026, 9, 1, 11, 0)
    assert clock.at_risk_at == manila(2026, 9, 1, 10, 0)  # 75 % = 3 business hours
    assert _clock(ticket, "resolution").due_at == manila(2026, 9, 1, 15, 0)
    assert not SlaClock.objects.filter(ticket=ticket, metric="next_response").exists()
    assert _verbs(ticket) == [("sla.clock_started", "first_response"), ("sla.clock_started", "resolution")]


def test_calendar_time_policies_count_around_the_clock(step):
    services.sla_policy_create(actor=None, name="24/7", first_response_minutes=60, business_time=False)
    ticket = _open(step, manila(2026, 8, 29, 23, 30))  # a Saturday night
    clock = _clock(ticket, "first_response")
    assert (clock.due_at, clock.calendar_id) == (manila(2026, 8, 30, 0, 30), None)
    assert not SlaClock.objects.filter(ticket=ticket, metric="resolution").exists()


def test_clock_moments_are_enqueued_as_eta_tasks(step, policy):
    HUEY.flush()
    try:
        ticket = _open(step, manila(2026, 9, 1, 9, 0))
        # Inline (no Redis) the tasks wait in the schedule; with Redis they wait in the queue until a
        # worker moves them to the schedule.
        waiting = [*HUEY.scheduled(), *(task for task in HUEY.pending() if task.eta)]
        scheduled = sorted((task.eta, task.args) for task in waiting)
    finally:
        HUEY.flush()
    first, resolution = _clock(ticket, "first_response"), _clock(ticket, "resolution")
    as_naive_utc = [
        (moment.astimezone(UTC).replace(tzinfo=None), (clock.pk,))
        for clock in (first, resolution)
        for moment in (clock.at_risk_at, clock.due_at)
    ]
    assert scheduled == sorted(as_naive_utc)


def test_pending_pauses_and_resuming_extends_the_due_time_by_the_paused_business_time(step, policy):
    # Given an 8-business-hour resolution target from Tuesday 09:00: due Tuesday 17:00
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    assert _clock(ticket, "resolution").due_at == manila(2026, 9, 1, 17, 0)
    # When the ticket waits on the customer from 16:00 until Wednesday 10:00
    step(manila(2026, 9, 1, 16, 0), ticket_update, actor=None, ticket=ticket, status="pending")
    paused = _clock(ticket, "resolution")
    assert (paused.state, paused.due_at, paused.paused_at) == ("paused", None, manila(2026, 9, 1, 16, 0))
    assert paused.elapsed == timedelta(hours=7)
    step(manila(2026, 9, 2, 10, 0), ticket_update, actor=None, ticket=ticket, status="open")
    # Then the 3 paused business hours (16-18, 09-10) move the due time to Wednesday 11:00
    resumed = _clock(ticket, "resolution")
    assert (resumed.state, resumed.paused_at, resumed.elapsed) == ("running", None, timedelta(hours=7))
    assert resumed.due_at == manila(2026, 9, 2, 11, 0)
    verbs = [verb for verb, metric in _verbs(ticket) if metric == "resolution"]
    # At 16:00 the at-risk moment (15:00) had passed with no check yet: pausing raises it first
    assert verbs == ["sla.clock_started", "sla.at_risk", "sla.paused", "sla.resumed"]


def test_a_breach_is_raised_exactly_once(step, policy):
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    clock = _clock(ticket, "first_response")
    assert clock.due_at == manila(2026, 9, 1, 13, 0)
    # A check before the moment (a stale or early task) changes nothing
    step(manila(2026, 9, 1, 12, 59), services.sla_check, clock_id=clock.pk)
    assert _clock(ticket, "first_response").at_risk_notified  # 12:00 passed: at risk
    assert _clock(ticket, "first_response").state == "running"
    # Two checks after it (the ETA task and the periodic reconcile) breach once
    step(manila(2026, 9, 1, 13, 0), services.sla_check, clock_id=clock.pk)
    step(manila(2026, 9, 1, 13, 5), services.sla_check, clock_id=clock.pk)
    assert step(manila(2026, 9, 1, 13, 10), services.sla_reconcile) == 0
    breached = _clock(ticket, "first_response")
    assert (breached.state, breached.breached_at, breached.breach_notified) == (
        "breached",
        manila(2026, 9, 1, 13, 0),
        True,
    )
    verbs = [verb for verb, metric in _verbs(ticket) if metric == "first_response"]
    assert verbs == ["sla.clock_started", "sla.at_risk", "sla.breached"]


def test_at_risk_is_raised_at_75_percent_by_the_reconcile_safety_net(step, policy):
    # 240 business minutes from Tuesday 09:00: at risk at 12:00 (180 minutes), due at 13:00
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    assert step(manila(2026, 9, 1, 11, 59), services.sla_reconcile) == 0
    assert step(manila(2026, 9, 1, 12, 0), services.sla_reconcile) == 1
    assert step(manila(2026, 9, 1, 12, 30), services.sla_reconcile) == 0
    clock = _clock(ticket, "first_response")
    assert (clock.state, clock.at_risk_notified, clock.breach_notified) == ("running", True, False)
    at_risk = Event.objects.get(target_id=ticket.pk, verb="sla.at_risk")
    assert at_risk.occurred_at == manila(2026, 9, 1, 12, 0)
    assert at_risk.after["due_at"] == "2026-09-01T05:00:00+00:00"


def test_a_check_of_a_paused_clock_is_stale_and_changes_nothing(step, policy):
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(manila(2026, 9, 1, 10, 0), ticket_update, actor=None, ticket=ticket, status="on_hold")
    clock_id = _clock(ticket, "first_response").pk
    step(manila(2026, 9, 1, 14, 0), services.sla_check, clock_id=clock_id)
    clock = _clock(ticket, "first_response")
    assert (clock.state, clock.at_risk_notified, clock.breach_notified) == ("paused", False, False)


def test_an_agent_reply_meets_the_first_response(step, policy):
    agent = staff(Role.AGENT)
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(
        manila(2026, 9, 1, 10, 30),
        message_add,
        actor=agent,
        ticket=ticket,
        direction="outbound",
        body_text="On it",
    )
    clock = _clock(ticket, "first_response")
    assert (clock.state, clock.met_at, clock.elapsed) == (
        "met",
        manila(2026, 9, 1, 10, 30),
        timedelta(hours=1.5),
    )
    assert (clock.due_at, clock.running_since) == (None, None)
    assert _clock(ticket, "resolution").state == "running"
    # A late check of the met clock does nothing
    step(manila(2026, 9, 1, 14, 0), services.sla_check, clock_id=clock.pk)
    assert _clock(ticket, "first_response").state == "met"
    assert ("sla.met", "first_response") in _verbs(ticket)


def test_an_automatic_outbound_message_is_not_a_response(step, policy):
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(
        manila(2026, 9, 1, 9, 1),
        message_add,
        actor=None,
        ticket=ticket,
        direction="outbound",
        body_text="Got it",
    )
    assert _clock(ticket, "first_response").state == "running"


def test_a_late_reply_breaches_even_when_no_check_ran(step, policy):
    agent = staff(Role.AGENT)
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(
        manila(2026, 9, 1, 15, 0),
        message_add,
        actor=agent,
        ticket=ticket,
        direction="outbound",
        body_text="Sorry",
    )
    clock = _clock(ticket, "first_response")
    assert (clock.state, clock.breached_at, clock.met_at) == (
        "breached",
        manila(2026, 9, 1, 13, 0),
        manila(2026, 9, 1, 15, 0),
    )
    assert [v for v, m in _verbs(ticket) if m == "first_response"] == ["sla.clock_started", "sla.breached"]


def test_next_response_runs_from_the_customers_reply_to_the_agents_answer(step, policy):
    agent = staff(Role.AGENT)
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(
        manila(2026, 9, 1, 9, 30),
        message_add,
        actor=agent,
        ticket=ticket,
        direction="outbound",
        body_text="Hi",
    )
    step(
        manila(2026, 9, 1, 11, 0),
        message_add,
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="Well?",
    )
    clock = _clock(ticket, "next_response")
    assert (clock.state, clock.started_at, clock.due_at) == (
        "running",
        manila(2026, 9, 1, 11, 0),
        manila(2026, 9, 1, 12, 0),
    )
    # A second customer message does not restart the wait
    step(
        manila(2026, 9, 1, 11, 20),
        message_add,
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="Hello?",
    )
    assert _clock(ticket, "next_response").started_at == manila(2026, 9, 1, 11, 0)
    step(
        manila(2026, 9, 1, 11, 40),
        message_add,
        actor=agent,
        ticket=ticket,
        direction="outbound",
        body_text="Yes",
    )
    assert _clock(ticket, "next_response").state == "met"
    # The next customer message starts it again, with the same frozen target
    SlaPolicy.objects.filter(pk=policy.pk).update(next_response_minutes=30)
    step(
        manila(2026, 9, 1, 14, 0),
        message_add,
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="More",
    )
    again = _clock(ticket, "next_response")
    assert (again.state, again.met_at, again.due_at) == ("running", None, manila(2026, 9, 1, 15, 0))


def test_solving_meets_resolution_and_reopening_runs_it_on(step, policy):
    agent = staff(Role.AGENT)
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    step(
        manila(2026, 9, 1, 10, 0),
        message_add,
        actor=agent,
        ticket=ticket,
        direction="outbound",
        body_text="Fixed",
    )
    step(manila(2026, 9, 1, 11, 0), ticket_update, actor=agent, ticket=ticket, status="solved")
    solved = _clock(ticket, "resolution")
    assert (solved.state, solved.met_at, solved.elapsed) == (
        "met",
        manila(2026, 9, 1, 11, 0),
        timedelta(hours=2),
    )
    step(manila(2026, 9, 2, 9, 0), ticket_reopen, actor=None, ticket=ticket, reason="customer replied")
    reopened = _clock(ticket, "resolution")
    # 6 business hours were left: Wednesday 09:00 + 6 h
    assert (reopened.state, reopened.met_at, reopened.due_at) == ("running", None, manila(2026, 9, 2, 15, 0))


def test_a_policy_change_moves_deadlines_only_when_reapplied(step, policy):
    supervisor = staff(Role.SUPERVISOR)
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    # When the policy's first response becomes 2 hours
    policy.first_response_minutes = 120
    policy.save()
    # Then the existing clock keeps its frozen 4 hours, while new tickets get 2
    assert _clock(ticket, "first_response").due_at == manila(2026, 9, 1, 13, 0)
    newer = _open(step, manila(2026, 9, 1, 9, 0))
    assert _clock(newer, "first_response").due_at == manila(2026, 9, 1, 11, 0)
    # Until a supervisor re-applies it at 10:00: one hour counted, one left
    step(manila(2026, 9, 1, 10, 0), services.sla_reapply, ticket=ticket, actor=supervisor)
    clock = _clock(ticket, "first_response")
    assert (clock.target_minutes, clock.elapsed, clock.due_at) == (
        120,
        timedelta(hours=1),
        manila(2026, 9, 1, 11, 0),
    )
    reapplied = Event.objects.get(target_id=ticket.pk, verb="sla.reapplied")
    assert (reapplied.actor, reapplied.after["policy"]) == (supervisor, policy.pk)


def test_plan_version_policies_go_before_global_ones_and_conditions_choose(calendar):
    plan = plans.plan_create(actor=None, name="Standard")
    version = plans.plan_version_activate(
        actor=None,
        version=plans.plan_version_draft(actor=None, plan=plan),
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    everyone = services.sla_policy_create(
        actor=None, name="Global", resolution_minutes=600, calendar=calendar
    )
    urgent = services.sla_policy_create(
        actor=None,
        name="Urgent",
        plan_version=version,
        position=1,
        conditions_json=[{"field": "priority", "op": "eq", "value": "urgent"}],
        first_response_minutes=30,
        calendar=calendar,
    )
    gold = services.sla_policy_create(
        actor=None,
        name="Gold",
        plan_version=version,
        position=2,
        conditions_json=[{"field": "customer_tier", "op": "in", "value": ["gold", "platinum"]}],
        first_response_minutes=60,
        calendar=calendar,
    )
    at = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)

    def ticket(priority, tier):
        return ticket_create(
            actor=None, requester=CustomerFactory(tier=tier), subject="Help", priority=priority, created_at=at
        )

    assert ticket("urgent", "gold").plan_version == version
    assert sla_policy_for_ticket(ticket("urgent", "gold")) == urgent
    assert sla_policy_for_ticket(ticket("low", "gold")) == gold
    assert sla_policy_for_ticket(ticket("low", "standard")) == everyone


def test_segment_conditions_use_the_requesters_segments(calendar):
    from frontline.customers.services import segment_create

    vip = segment_create(actor=None, name="VIP", rule="tier = platinum")
    in_segment = services.sla_policy_create(
        actor=None,
        name="VIP",
        conditions_json=[{"field": "segment", "op": "eq", "value": vip.pk}],
        first_response_minutes=15,
        calendar=calendar,
    )
    at = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
    platinum = ticket_create(
        actor=None, requester=CustomerFactory(tier="platinum"), subject="Hi", created_at=at
    )
    standard = ticket_create(actor=None, requester=CustomerFactory(), subject="Hi", created_at=at)
    assert sla_policy_for_ticket(platinum) == in_segment
    assert sla_policy_for_ticket(standard) is None


def test_no_policy_means_no_clocks(step):
    ticket = _open(step, manila(2026, 9, 1, 9, 0))
    assert not SlaClock.objects.filter(ticket=ticket).exists()


def test_calendar_and_policy_creation_refuse_bad_input(calendar):
    from frontline.core.errors import Invalid

    with pytest.raises(Invalid) as bad_zone:
        services.business_calendar_create(actor=None, name="Moon", timezone_name="Moon/Base", weekly_hours={})
    with pytest.raises(Invalid) as never_open:
        services.business_calendar_create(
            actor=None, name="Shut", timezone_name="UTC", weekly_hours={"0": []}
        )
    with pytest.raises(Invalid) as no_calendar:
        services.sla_policy_create(actor=None, name="X", first_response_minutes=5)
    with pytest.raises(Invalid) as bad_status:
        services.sla_policy_create(
            actor=None, name="X", first_response_minutes=5, calendar=calendar, paused_statuses=["solved"]
        )
    with pytest.raises(Invalid) as bad_channel:
        services.sla_policy_create(
            actor=None,
            name="X",
            first_response_minutes=5,
            calendar=calendar,
            conditions_json=[{"field": "channel", "op": "eq", "value": "pigeon"}],
        )
    fields = [e.value.field for e in (bad_zone, never_open, no_calendar, bad_status, bad_channel)]
    assert fields == ["timezone", "weekly_hours", "calendar_id", "paused_statuses", "conditions"]
    assert SlaPolicy.objects.count() == 0


def test_a_merged_tickets_clocks_stop_unmet(step, policy):
    from frontline.tickets.services import ticket_merge

    source = _open(step, manila(2026, 9, 1, 9, 0))
    target = _open(step, manila(2026, 9, 1, 9, 30))
    step(manila(2026, 9, 1, 10, 0), ticket_merge, actor=None, source=source, target=target)
    assert set(SlaClock.objects.filter(ticket=source).values_list("metric", "state")) == {
        ("first_response", "paused"),
        ("resolution", "paused"),
    }
    assert set(SlaClock.objects.filter(ticket=target).values_list("state", flat=True)) == {"running"}
