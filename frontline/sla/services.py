"""Every write to SLA calendars, policies and clocks; each records its events.

Clocks react to ticket events (`sla_on_event`, wired in `sla/signals.py`):
- `ticket.created`: the policy is chosen and first-response and resolution clocks start;
- an agent's outbound message: first and next response are met (or breached, if late);
- a customer's inbound message after an agent's reply: next response starts (again);
- a status change: into one of a clock's paused statuses pauses it, out of it resumes it; solved or
  closed meets resolution and pauses the response clocks (nobody is waiting for us); reopening runs
  resolution again, from the time it had already counted;
- `ticket.merged`: the merged ticket's clocks pause for good (the target ticket's clocks carry on).

A running clock's at-risk and due moments are ETA tasks (`sla/tasks.py`) that call `sla_check`;
`sla_reconcile` is the periodic safety net for tasks that were lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import Invalid
from frontline.customers.models import Tier
from frontline.events.models import Event
from frontline.events.services import event_record
from frontline.plans.models import PlanVersion
from frontline.sla import conditions, hours
from frontline.sla.models import (
    PAUSABLE_STATUSES,
    BusinessCalendarConfig,
    ChannelHours,
    SlaClock,
    SlaPolicy,
    offers_for_channel,
)
from frontline.sla.selectors import (
    Basis,
    clock_elapsed,
    clock_target,
    sla_clock_ids_due,
    sla_policy_candidates,
    sla_policy_for_ticket,
)
from frontline.tickets.models import Channel, Message, Ticket

Metric = SlaClock.Metric
State = SlaClock.State
_DONE = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)
_ZERO = timedelta(0)


# --- Configuration


@transaction.atomic
def business_calendar_create(
    *,
    actor: User | None,
    name: str,
    timezone_name: str,
    weekly_hours: dict[str, Any],
    holiday_country: str = "",
    holiday_subdivision: str = "",
    extra_holidays: list[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> BusinessCalendarConfig:
    """A business calendar; 422 naming the field when the stored form does not make a calendar."""
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if BusinessCalendarConfig.objects.filter(name__iexact=name).exists():
        raise Invalid(f"a calendar named {name!r} exists", field="name")
    config = BusinessCalendarConfig(
        name=name,
        timezone=timezone_name.strip(),
        weekly_hours=weekly_hours,
        holiday_country=holiday_country.strip().upper(),
        holiday_subdivision=holiday_subdivision.strip().upper(),
        extra_holidays=extra_holidays or [],
        overrides=overrides or {},
    )
    year = timezone.now().year
    try:
        hours.build(config.stored(), years=range(year, year + 1))
    except hours.HoursError as exc:
        raise Invalid(str(exc), field="timezone" if exc.field == "timezone" else exc.field) from exc
    if not any(hours.parse_weekly(weekly_hours).values()):
        raise Invalid("the calendar is never open: give some weekly hours", field="weekly_hours")
    config.save()
    event_record(
        actor=actor,
        verb="business_calendar.created",
        target=config,
        after={
            "name": config.name,
            "timezone": config.timezone,
            "weekly_hours": config.weekly_hours,
            "holiday_country": config.holiday_country,
            "holiday_subdivision": config.holiday_subdivision,
            "extra_holidays": config.extra_holidays,
            "overrides": config.overrides,
        },
    )
    return config


@transaction.atomic
def sla_policy_create(
    *,
    actor: User | None,
    name: str,
    plan_version: PlanVersion | None = None,
    position: int = 0,
    conditions_json: list[Any] | None = None,
    first_response_minutes: int | None = None,
    next_response_minutes: int | None = None,
    resolution_minutes: int | None = None,
    business_time: bool = True,
    calendar: BusinessCalendarConfig | None = None,
    paused_statuses: list[str] | None = None,
    at_risk_ratio: float = 0.75,
) -> SlaPolicy:
    """An SLA policy; tickets opened from now on are measured by it when it is the first to match."""
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    try:
        parsed = conditions.parse(conditions_json or [])
    except conditions.ConditionError as exc:
        raise Invalid(str(exc), field="conditions") from exc
    _check_condition_values(parsed)
    targets = {
        "first_response_minutes": first_response_minutes,
        "next_response_minutes": next_response_minutes,
        "resolution_minutes": resolution_minutes,
    }
    for field, minutes in targets.items():
        if minutes is not None and minutes < 1:
            raise Invalid("a target is at least one minute", field=field)
    if all(minutes is None for minutes in targets.values()):
        raise Invalid("give at least one target", field="first_response_minutes")
    if business_time and calendar is None:
        raise Invalid("business time needs a calendar", field="calendar_id")
    if not 0 < at_risk_ratio < 1:
        raise Invalid("give a share between 0 and 1, e.g. 0.75", field="at_risk_ratio")
    statuses = (
        list(paused_statuses)
        if paused_statuses is not None
        else [Ticket.Status.PENDING.value, Ticket.Status.ON_HOLD.value]
    )
    bad = [status for status in statuses if status not in PAUSABLE_STATUSES]
    if bad:
        raise Invalid(
            f"{bad[0]!r} cannot pause a clock; give some of {', '.join(PAUSABLE_STATUSES)}",
            field="paused_statuses",
        )
    if position < 0:
        raise Invalid("the position is zero or more", field="position")
    policy = SlaPolicy.objects.create(
        name=name,
        plan_version=plan_version,
        position=position,
        conditions=conditions_json or [],
        business_time=business_time,
        calendar=calendar,
        paused_statuses=statuses,
        at_risk_ratio=at_risk_ratio,
        **targets,
    )
    event_record(
        actor=actor,
        verb="sla_policy.created",
        target=policy,
        after={
            "name": name,
            "plan_version": plan_version,
            "position": position,
            "conditions": policy.conditions,
            **targets,
            "business_time": business_time,
            "calendar": calendar,
            "paused_statuses": statuses,
            "at_risk_ratio": at_risk_ratio,
        },
    )
    return policy


def _check_condition_values(parsed: list[conditions.Condition]) -> None:
    allowed = {
        "channel": set(Channel.values),
        "customer_tier": set(Tier.values),
    }
    for condition in parsed:
        if condition.field not in allowed:
            continue
        values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
        for value in values:
            if value not in allowed[condition.field]:
                raise Invalid(
                    f"{condition.field} must be one of {', '.join(sorted(allowed[condition.field]))}, "
                    f"got {value!r}",
                    field="conditions",
                )


def _check_channel_hours(channel: str, outside_hours: str) -> None:
    if channel not in Channel.values:
        raise Invalid(f"channel must be one of {', '.join(Channel.values)}, got {channel!r}", field="channel")
    allowed = offers_for_channel(channel)
    if outside_hours not in allowed:
        raise Invalid(
            f"outside hours, {channel} offers one of {', '.join(allowed)}; got {outside_hours!r}",
            field="outside_hours",
        )


def _channel_hours_taken(plan_version: PlanVersion | None, channel: str, exclude: int | None = None) -> None:
    rows = ChannelHours.objects.filter(channel=channel, plan_version=plan_version)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        scope = f"plan version {plan_version.pk}" if plan_version is not None else "every plan"
        raise Invalid(f"{channel} already has hours for {scope}", field="channel")


def _channel_hours_data(row: ChannelHours) -> dict[str, Any]:
    return {
        "plan_version": row.plan_version_id,
        "channel": row.channel,
        "calendar": row.calendar_id,
        "outside_hours": row.outside_hours,
    }


@transaction.atomic
def channel_hours_create(
    *,
    actor: User | None,
    channel: str,
    calendar: BusinessCalendarConfig,
    outside_hours: str,
    plan_version: PlanVersion | None = None,
) -> ChannelHours:
    """A channel's hours for a plan version (None: the default for every plan); 422 naming the field."""
    _check_channel_hours(channel, outside_hours)
    _channel_hours_taken(plan_version, channel)
    row = ChannelHours.objects.create(
        plan_version=plan_version, channel=channel, calendar=calendar, outside_hours=outside_hours
    )
    event_record(actor=actor, verb="channel_hours.created", target=row, after=_channel_hours_data(row))
    return row


@transaction.atomic
def channel_hours_update(
    *,
    actor: User | None,
    channel_hours: ChannelHours,
    calendar: BusinessCalendarConfig | None = None,
    outside_hours: str | None = None,
) -> ChannelHours:
    """Change the calendar or the outside-hours offer; the plan version and channel stay."""
    row = ChannelHours.objects.select_for_update(of=("self",)).get(pk=channel_hours.pk)
    before = _channel_hours_data(row)
    if outside_hours is not None:
        _check_channel_hours(row.channel, outside_hours)
        row.outside_hours = outside_hours
    if calendar is not None:
        row.calendar = calendar
    after = _channel_hours_data(row)
    if after == before:
        return row
    row.save(update_fields=["calendar", "outside_hours", "updated_at"])
    changed = [key for key in after if after[key] != before[key]]
    event_record(
        actor=actor,
        verb="channel_hours.updated",
        target=row,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return row


@transaction.atomic
def channel_hours_delete(*, actor: User | None, channel_hours: ChannelHours) -> None:
    """Remove a channel's hours: the default row (or always open) applies again."""
    before = _channel_hours_data(channel_hours)
    event_record(actor=actor, verb="channel_hours.deleted", target=channel_hours, before=before)
    channel_hours.delete()


# --- Clock arithmetic (callers hold the clock's row lock)


def _start_running(clock: SlaClock, at: datetime, basis: Basis) -> None:
    """Count from `at`; due and at-risk moments from what is left of the target."""
    target = clock_target(clock)
    clock.state = State.RUNNING
    clock.running_since = at
    clock.paused_at = None
    clock.due_at = basis.add(at, target - clock.elapsed)
    clock.at_risk_at = basis.add(at, target * clock.at_risk_ratio - clock.elapsed)


def _stop_counting(clock: SlaClock, at: datetime, basis: Basis) -> None:
    clock.elapsed = clock_elapsed(clock, at, basis)
    clock.running_since = None
    clock.due_at = None
    clock.at_risk_at = None


def _clock_data(clock: SlaClock, **extra: Any) -> dict[str, Any]:
    return {
        "clock": clock.pk,
        "metric": clock.metric,
        "target_minutes": clock.target_minutes,
        "business_time": clock.business_time,
        **extra,
    }


def _schedule(clock: SlaClock) -> None:
    """After commit, ETA tasks for the running clock's at-risk and due moments (each check is idempotent)."""
    if clock.state != State.RUNNING:
        return
    moments = []
    if not clock.at_risk_notified and clock.at_risk_at is not None:
        moments.append(clock.at_risk_at)
    if not clock.breach_notified and clock.due_at is not None:
        moments.append(clock.due_at)
    if not moments:
        return
    clock_id = clock.pk

    def enqueue() -> None:
        from frontline.sla.tasks import sla_check_task  # tasks call services: import when used

        for eta in moments:
            sla_check_task.schedule(args=(clock_id,), eta=eta)

    transaction.on_commit(enqueue)


def _settle(clock: SlaClock, at: datetime) -> bool:
    """Raise the breach or at-risk notice whose moment has passed by `at`, exactly once each.

    A breach makes the at-risk notice moot: it is marked given without an event of its own.
    Returns whether the clock changed.
    """
    if clock.state != State.RUNNING:
        return False
    if not clock.breach_notified and clock.due_at is not None and at >= clock.due_at:
        clock.state = State.BREACHED
        clock.breached_at = clock.due_at
        clock.breach_notified = True
        clock.at_risk_notified = True
        event_record(
            actor=None,
            verb="sla.breached",
            target=clock.ticket,
            at=at,
            after=_clock_data(clock, due_at=clock.due_at),
        )
        return True
    if not clock.at_risk_notified and clock.at_risk_at is not None and at >= clock.at_risk_at:
        clock.at_risk_notified = True
        event_record(
            actor=None,
            verb="sla.at_risk",
            target=clock.ticket,
            at=at,
            after=_clock_data(clock, at_risk_at=clock.at_risk_at, due_at=clock.due_at),
        )
        return True
    return False


def _fulfil(clock: SlaClock, at: datetime, basis: Basis) -> None:
    """The target is fulfilled at `at`: met, or (if its deadline passed) breached and now answered."""
    _settle(clock, at)
    if clock.state in (State.RUNNING, State.PAUSED):
        _stop_counting(clock, at, basis)
        clock.state = State.MET
        clock.met_at = at
        event_record(
            actor=None,
            verb="sla.met",
            target=clock.ticket,
            at=at,
            after=_clock_data(clock, elapsed_seconds=clock.elapsed.total_seconds()),
        )
    elif clock.state == State.BREACHED and clock.met_at is None:
        _stop_counting(clock, at, basis)
        clock.met_at = at


def _pause(clock: SlaClock, at: datetime, basis: Basis, reason: str) -> None:
    _settle(clock, at)
    if clock.state != State.RUNNING:
        return
    _stop_counting(clock, at, basis)
    clock.state = State.PAUSED
    clock.paused_at = at
    event_record(
        actor=None,
        verb="sla.paused",
        target=clock.ticket,
        at=at,
        after=_clock_data(clock, reason=reason, elapsed_seconds=clock.elapsed.total_seconds()),
    )


def _resume(clock: SlaClock, at: datetime, basis: Basis, reason: str) -> None:
    if clock.state not in (State.PAUSED, State.MET):
        return
    clock.met_at = None
    _start_running(clock, at, basis)
    event_record(
        actor=None,
        verb="sla.resumed",
        target=clock.ticket,
        at=at,
        after=_clock_data(
            clock, reason=reason, due_at=clock.due_at, elapsed_seconds=clock.elapsed.total_seconds()
        ),
    )
    _schedule(clock)


def _new_clock(ticket: Ticket, policy: SlaPolicy, metric: str, at: datetime) -> SlaClock | None:
    minutes = policy.target_minutes(metric)
    if minutes is None:
        return None
    clock = SlaClock(
        ticket=ticket,
        metric=metric,
        policy=policy,
        target_minutes=minutes,
        business_time=policy.business_time,
        calendar=policy.calendar if policy.business_time else None,
        paused_statuses=list(policy.paused_statuses),
        at_risk_ratio=policy.at_risk_ratio,
        started_at=at,
        elapsed=_ZERO,
    )
    _begin(clock, at, ticket.status)
    clock.save()
    return clock


def _begin(clock: SlaClock, at: datetime, status: str) -> None:
    """Start (or restart) a clock at `at`: running, or paused if the ticket waits on the customer."""
    clock.started_at = at
    clock.elapsed = _ZERO
    clock.met_at = clock.breached_at = None
    clock.at_risk_notified = clock.breach_notified = False
    if status in clock.paused_statuses or status in _DONE:
        clock.state = State.PAUSED
        clock.paused_at = at
        clock.running_since = clock.due_at = clock.at_risk_at = None
    else:
        _start_running(clock, at, Basis.of(clock))


def _started(clock: SlaClock, at: datetime) -> None:
    event_record(
        actor=None,
        verb="sla.clock_started",
        target=clock.ticket,
        at=at,
        after=_clock_data(
            clock, policy=clock.policy_id, state=clock.state, started_at=clock.started_at, due_at=clock.due_at
        ),
    )
    _schedule(clock)


def _locked_clocks(ticket: Ticket) -> dict[str, SlaClock]:
    clocks = SlaClock.objects.select_for_update(of=("self",)).select_related("calendar").filter(ticket=ticket)
    result = {}
    for clock in clocks:
        clock.ticket = ticket
        result[clock.metric] = clock
    return result


# --- Clock life


@dataclass
class _Reads:
    """What is read once when many events are handled together: policies per plan version, and the
    first agent reply of each ticket (None: ask the database ticket by ticket)."""

    policies: dict[int | None, list[tuple[SlaPolicy, list[conditions.Condition]]]] = dataclass_field(
        default_factory=dict
    )
    first_agent_reply: dict[int, datetime] | None = None

    def policy_for(self, ticket: Ticket) -> SlaPolicy | None:
        key = ticket.plan_version_id
        if key not in self.policies:
            self.policies[key] = sla_policy_candidates(key)
        return sla_policy_for_ticket(ticket, self.policies[key])

    def has_agent_reply(self, ticket: Ticket, before: datetime | None = None) -> bool:
        if self.first_agent_reply is None:
            return _has_agent_reply(ticket, before)
        first = self.first_agent_reply.get(ticket.pk)
        return first is not None and (before is None or first <= before)


def _first_agent_replies(ticket_ids: Iterable[int]) -> dict[int, datetime]:
    rows = (
        Message.objects.filter(
            ticket_id__in=list(ticket_ids), direction=Message.Direction.OUTBOUND, author_user__isnull=False
        )
        .order_by()
        .values("ticket_id")
        .annotate(first=Min("created_at"))
        .values_list("ticket_id", "first")
    )
    return dict(rows)


@transaction.atomic
def sla_start(*, ticket: Ticket) -> list[SlaClock]:
    """Choose the ticket's policy and start its first-response and resolution clocks at the ticket's creation.

    Idempotent: clocks that exist already are kept.
    """
    ticket = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    return _start(ticket, _Reads())


def _start(ticket: Ticket, reads: _Reads, as_of: datetime | None = None) -> list[SlaClock]:
    """As `sla_start`; with `as_of` (the creation event's time) an agent reply after it does not count:
    its own event, handled later, meets the clock."""
    policy = reads.policy_for(ticket)
    if policy is None:
        return []
    existing = _locked_clocks(ticket)
    started = []
    for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
        if metric in existing:
            continue
        if metric == Metric.FIRST_RESPONSE and reads.has_agent_reply(ticket, before=as_of):
            continue
        clock = _new_clock(ticket, policy, metric, ticket.created_at)
        if clock is not None:
            _started(clock, ticket.created_at)
            started.append(clock)
    return started


def _has_agent_reply(ticket: Ticket, before: datetime | None = None) -> bool:
    replies = Message.objects.filter(
        ticket=ticket, direction=Message.Direction.OUTBOUND, author_user__isnull=False
    )
    if before is not None:
        replies = replies.filter(created_at__lte=before)
    return replies.exists()


@transaction.atomic
def sla_on_agent_reply(*, ticket: Ticket, at: datetime) -> None:
    """An agent answered: first and next response are fulfilled."""
    _agent_reply(ticket, at)


def _agent_reply(ticket: Ticket, at: datetime) -> None:
    clocks = _locked_clocks(ticket)
    for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE):
        clock = clocks.get(metric)
        if clock is None:
            continue
        _fulfil(clock, at, Basis.of(clock))
        clock.save()


@transaction.atomic
def sla_on_customer_message(*, ticket: Ticket, at: datetime) -> SlaClock | None:
    """The customer wrote after an agent's reply: next response starts, unless it is already waiting."""
    ticket = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    return _customer_message(ticket, at, _Reads())


def _customer_message(ticket: Ticket, at: datetime, reads: _Reads) -> SlaClock | None:
    if not reads.has_agent_reply(ticket, before=at):
        return None
    clocks = _locked_clocks(ticket)
    clock = clocks.get(Metric.NEXT_RESPONSE)
    if clock is not None:
        if clock.state in (State.RUNNING, State.PAUSED):
            return clock  # still waiting for the answer to an earlier message
        _begin(clock, at, ticket.status)  # restart with the targets frozen on the clock
        clock.save()
    else:
        policy = next((c.policy for c in clocks.values() if c.policy is not None), None)
        policy = policy or reads.policy_for(ticket)
        if policy is None:
            return None
        clock = _new_clock(ticket, policy, Metric.NEXT_RESPONSE, at)
        if clock is None:
            return None
    _started(clock, at)
    return clock


@transaction.atomic
def sla_on_status(*, ticket: Ticket, status: str, at: datetime) -> None:
    """The ticket moved to `status`: pause, resume, meet or reopen its clocks."""
    _status(ticket, status, at)


def _status(ticket: Ticket, status: str, at: datetime) -> None:
    for clock in _locked_clocks(ticket).values():
        basis = Basis.of(clock)
        if status in _DONE:
            if clock.metric == Metric.RESOLUTION:
                _fulfil(clock, at, basis)
            else:
                _pause(clock, at, basis, reason=status)
        else:
            if clock.metric == Metric.RESOLUTION:
                _reopen(clock, at, basis)
            if status in clock.paused_statuses:
                _pause(clock, at, basis, reason=status)
            elif clock.state == State.PAUSED:
                _resume(clock, at, basis, reason=status)
        clock.save()


@transaction.atomic
def sla_on_merge(*, ticket: Ticket, at: datetime) -> None:
    """The ticket was merged into another, whose clocks carry on: its own stop counting, unmet."""
    _merge(ticket, at)


def _merge(ticket: Ticket, at: datetime) -> None:
    for clock in _locked_clocks(ticket).values():
        _pause(clock, at, Basis.of(clock), reason="merged")
        clock.save()


def _reopen(clock: SlaClock, at: datetime, basis: Basis) -> None:
    """Resolution runs again, continuing from what it had counted."""
    if clock.state == State.MET:
        _resume(clock, at, basis, reason="reopened")
    elif clock.state == State.BREACHED and clock.met_at is not None:
        clock.met_at = None
        clock.running_since = at  # keep counting how late it is


@transaction.atomic
def sla_check(*, clock_id: int, now: datetime | None = None) -> SlaClock | None:
    """Raise the clock's at-risk or breach notice if its moment has passed; stale checks change nothing."""
    clock = (
        SlaClock.objects.select_for_update(of=("self",)).select_related("ticket").filter(pk=clock_id).first()
    )
    if clock is None:
        return None
    if _settle(clock, now or timezone.now()):
        clock.save()
    return clock


def sla_reconcile(*, now: datetime | None = None) -> int:
    """Safety net: check running clocks whose at-risk or due moment passed unnoticed; returns the count."""
    at = now or timezone.now()
    ids = sla_clock_ids_due(now=at)
    for clock_id in ids:
        sla_check(clock_id=clock_id, now=at)
    return len(ids)


@transaction.atomic
def sla_reapply(*, ticket: Ticket, actor: User | None, at: datetime | None = None) -> list[SlaClock]:
    """Measure the ticket's running and paused clocks by the policy that matches it now.

    Counted time is kept; the target, time basis and calendar are taken from the policy again, so
    deadlines move. Met and breached clocks are history and stay. Returns the ticket's clocks.
    """
    now = at or timezone.now()
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("requester").get(pk=ticket.pk)
    policy = sla_policy_for_ticket(ticket)
    clocks = _locked_clocks(ticket)
    changed: dict[str, Any] = {}
    for metric in Metric.values:
        clock = clocks.get(metric)
        minutes = policy.target_minutes(metric) if policy is not None else None
        if clock is not None and clock.state in (State.RUNNING, State.PAUSED):
            if minutes is None or policy is None:
                changed[metric] = "removed"
                event_record(
                    actor=actor, verb="sla.clock_removed", target=ticket, at=now, after=_clock_data(clock)
                )
                clock.delete()
                continue
            _settle(clock, now)
            if clock.state == State.BREACHED:
                clock.save()
                changed[metric] = "breached"
                continue
            _stop_counting(clock, now, Basis.of(clock))
            clock.policy = policy
            clock.target_minutes = minutes
            clock.business_time = policy.business_time
            clock.calendar = policy.calendar if policy.business_time else None
            clock.paused_statuses = list(policy.paused_statuses)
            clock.at_risk_ratio = policy.at_risk_ratio
            if clock.state == State.RUNNING:
                _start_running(clock, now, Basis.of(clock))
            clock.save()
            _schedule(clock)
            changed[metric] = {"target_minutes": minutes, "due_at": clock.due_at}
        elif clock is None and policy is not None and minutes is not None and _still_owed(ticket, metric):
            clock = _new_clock(ticket, policy, metric, now)
            if clock is not None:
                _started(clock, now)
                changed[metric] = "started"
    event_record(
        actor=actor,
        verb="sla.reapplied",
        target=ticket,
        at=now,
        after={"policy": policy.pk if policy else None, "clocks": changed},
    )
    return list(SlaClock.objects.filter(ticket=ticket).select_related("calendar").order_by("id"))


def _still_owed(ticket: Ticket, metric: str) -> bool:
    """Whether a metric without a clock is still to be fulfilled on this ticket."""
    if ticket.status in _DONE:
        return False
    if metric == Metric.FIRST_RESPONSE:
        return not _has_agent_reply(ticket)
    return metric == Metric.RESOLUTION  # next response starts with the customer's next message


# --- Reacting to ticket events


_CLOCK_VERBS = frozenset(
    {
        "ticket.created",
        "message.added",
        "ticket.status_changed",
        "ticket.updated",
        "ticket.reopened",
        "ticket.merged",
    }
)


def _concerns_clocks(event: Event) -> bool:
    if event.target_type != "ticket" or event.verb not in _CLOCK_VERBS:
        return False
    return event.verb != "ticket.updated" or "status" in event.after


def _dispatch(event: Event, ticket: Ticket, reads: _Reads) -> None:
    at = event.occurred_at
    if event.verb == "ticket.created":
        _start(ticket, reads, as_of=at)
    elif event.verb == "message.added":
        direction = event.after.get("direction")
        if direction == Message.Direction.OUTBOUND and event.actor_id is not None:
            _agent_reply(ticket, at)
        elif direction == Message.Direction.INBOUND:
            _customer_message(ticket, at, reads)
    elif event.verb == "ticket.merged":
        _merge(ticket, at)
    elif event.verb in ("ticket.status_changed", "ticket.updated", "ticket.reopened"):
        status = event.after.get("status")
        if isinstance(status, str):
            _status(ticket, status, at)


def sla_on_event(*, event: Event) -> None:
    """Dispatch a recorded ticket event to the clock change it calls for, in a transaction of its own."""
    if not _concerns_clocks(event):
        return
    ticket = Ticket.objects.select_related("requester").filter(pk=event.target_id).first()
    if ticket is None:
        return
    with transaction.atomic():
        _dispatch(event, ticket, _Reads())


def sla_on_events(*, events: Sequence[Event]) -> int:
    """Handle recorded ticket events in order, all in one transaction; returns how many concerned clocks.

    Tickets, their first agent replies and the policies of each plan version are read once for all
    of them. Raises (and changes nothing) if any fails; the caller may then handle them one by one.
    """
    relevant = [event for event in events if _concerns_clocks(event)]
    if not relevant:
        return 0
    with transaction.atomic():
        tickets = Ticket.objects.select_related("requester").in_bulk({event.target_id for event in relevant})
        reads = _Reads(first_agent_reply=_first_agent_replies(tickets))
        for event in relevant:
            ticket = tickets.get(event.target_id)
            if ticket is not None:
                _dispatch(event, ticket, reads)
    return len(relevant)
