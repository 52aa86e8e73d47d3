"""Writes of escalations: rosters and chains (configuration), runs on tickets (start, advance, stop).

A run freezes every step's due instant when it is triggered. A Huey ETA task wakes it at the next
due instant; `escalation_reconcile` (every minute) is the safety net for a lost task. Each step is
performed once, under a row lock on the run, and recorded as an event on the ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from frontline.accounts.models import Team, User
from frontline.connectors.email.services import automatic_mail_queue
from frontline.core.errors import Conflict, Invalid
from frontline.escalations import delays, oncall, selectors
from frontline.escalations.models import (
    EscalationChain,
    EscalationRun,
    EscalationStep,
    OnCallOverride,
    OnCallRoster,
    OnCallShift,
)
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.notifications.services import notify
from frontline.plans.models import PlanVersion
from frontline.sla.calendar import add_business_time
from frontline.sla.models import BusinessCalendarConfig
from frontline.sla.selectors import business_calendar_of
from frontline.tickets.models import Ticket
from frontline.tickets.services import ticket_update

logger = logging.getLogger(__name__)

_PRIORITIES = list(Ticket.Priority.values)  # low → urgent
_FINISHED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)


# --- The on-call roster


def _check_zone(name: str) -> str:
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid(f"unknown timezone {name!r}", field="timezone") from exc
    return name


@transaction.atomic
def roster_create(
    *, actor: User | None, name: str, timezone_name: str, description: str = ""
) -> OnCallRoster:
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if OnCallRoster.objects.filter(name__iexact=name).exists():
        raise Invalid(f"a roster named {name!r} exists", field="name")
    roster = OnCallRoster.objects.create(
        name=name, timezone=_check_zone(timezone_name), description=description
    )
    event_record(
        actor=actor,
        verb="oncall_roster.created",
        target=roster,
        after={"name": name, "timezone": roster.timezone},
    )
    return roster


@transaction.atomic
def roster_update(
    *, actor: User | None, roster: OnCallRoster, name: str | None = None, timezone_name: str | None = None
) -> OnCallRoster:
    before, after = {"name": roster.name, "timezone": roster.timezone}, {}
    if name is not None:
        name = name.strip()
        if not name:
            raise Invalid("the name is empty", field="name")
        if OnCallRoster.objects.filter(name__iexact=name).exclude(pk=roster.pk).exists():
            raise Invalid(f"a roster named {name!r} exists", field="name")
        roster.name = after["name"] = name
    if timezone_name is not None:
        roster.timezone = after["timezone"] = _check_zone(timezone_name)
    roster.save()
    event_record(actor=actor, verb="oncall_roster.updated", target=roster, before=before, after=after)
    return roster


@dataclass(frozen=True)
class Person:
    name: str
    user: User | None = None
    phone: str = ""
    email: str = ""


def _person(person: Person) -> dict[str, Any]:
    name = person.name.strip() or (person.user.get_full_name() if person.user else "")
    if not name:
        raise Invalid("who is on call needs a name", field="name")
    phone = person.phone.strip()
    if phone and not (phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16):
        raise Invalid("the phone must be in E.164 form, e.g. +639171234567", field="phone")
    email = person.email.strip() or (person.user.email if person.user else "")
    if not (phone or email or person.user):
        raise Invalid("give a phone, an email or a staff user to reach", field="phone")
    return {"name": name, "user": person.user, "phone": phone, "email": email}


@transaction.atomic
def shift_add(
    *,
    actor: User | None,
    roster: OnCallRoster,
    person: Person,
    weekdays: Sequence[str | int],
    start: time,
    end: time,
    position: int | None = None,
) -> OnCallShift:
    try:
        days = oncall.parse_weekdays(weekdays)
    except ValueError as exc:
        raise Invalid(str(exc), field="weekdays") from exc
    if position is None:
        position = roster.shifts.count()
    shift = OnCallShift.objects.create(
        roster=roster,
        weekdays=[oncall.WEEKDAYS[d] for d in sorted(days)],
        start=start.replace(second=0, microsecond=0),
        end=end.replace(second=0, microsecond=0),
        position=position,
        **_person(person),
    )
    roster.save(update_fields=["updated_at"])
    event_record(
        actor=actor,
        verb="oncall_roster.shift_added",
        target=roster,
        after={
            "shift": shift.pk,
            "name": shift.name,
            "weekdays": shift.weekdays,
            "start": f"{shift.start:%H:%M}",
            "end": f"{shift.end:%H:%M}",
        },
    )
    return shift


@transaction.atomic
def override_add(
    *,
    actor: User | None,
    roster: OnCallRoster,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> OnCallOverride:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise Invalid("give times with their UTC offset", field="starts_at")
    if ends_at <= starts_at:
        raise Invalid("the override must end after it starts", field="ends_at")
    override = OnCallOverride.objects.create(
        roster=roster, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:200], **_person(person)
    )
    roster.save(update_fields=["updated_at"])
    event_record(
        actor=actor,
        verb="oncall_roster.override_added",
        target=roster,
        after={"override": override.pk, "name": override.name, "starts_at": starts_at, "ends_at": ends_at},
    )
    return override


@transaction.atomic
def roster_entry_remove(*, actor: User | None, entry: OnCallShift | OnCallOverride) -> None:
    roster = entry.roster
    kind = "shift" if isinstance(entry, OnCallShift) else "override"
    before = {kind: entry.pk, "name": entry.name}
    entry.delete()
    roster.save(update_fields=["updated_at"])
    event_record(actor=actor, verb=f"oncall_roster.{kind}_removed", target=roster, before=before)


# --- Chains


@dataclass(frozen=True)
class StepSpec:
    action: str
    delay: timedelta = timedelta(0)
    business_time: bool = False
    team: Team | None = None
    priority: str = ""
    message: str = ""


def _check_steps(
    steps: Sequence[StepSpec], calendar: BusinessCalendarConfig | None, roster: OnCallRoster | None
) -> None:
    if not steps:
        raise Invalid("a chain needs at least one step", field="steps")
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if step.action not in EscalationStep.Action.values:
            raise Invalid(f"unknown action {step.action!r}", field=f"{where}.action")
        if step.delay < timedelta(0):
            raise Invalid("the delay cannot be negative", field=f"{where}.delay_minutes")
        if step.business_time and calendar is None:
            raise Invalid("a business-time delay needs the chain's calendar", field=f"{where}.business_time")
        if step.action == EscalationStep.Action.REASSIGN and step.team is None:
            raise Invalid("reassign needs the team to move the ticket to", field=f"{where}.team")
        if step.action == EscalationStep.Action.PAGE_ON_CALL and roster is None:
            raise Invalid("paging the on-call manager needs the chain's roster", field=f"{where}.action")
        if step.priority and step.priority not in _PRIORITIES:
            raise Invalid(f"unknown priority {step.priority!r}", field=f"{where}.priority")


def _steps_data(chain: EscalationChain) -> list[dict[str, Any]]:
    return [
        {
            "action": s.action,
            "delay_minutes": s.delay.total_seconds() / 60,
            "business_time": s.business_time,
            "team": s.team_id,
            "priority": s.priority,
        }
        for s in chain.steps.all()
    ]


def _chain_data(chain: EscalationChain) -> dict[str, Any]:
    return {
        "name": chain.name,
        "trigger": chain.trigger,
        "plan_version": chain.plan_version_id,
        "team": chain.team_id,
        "calendar": chain.calendar_id,
        "roster": chain.roster_id,
        "position": chain.position,
        "active": chain.active,
        "steps": _steps_data(chain),
    }


def _write_steps(chain: EscalationChain, steps: Sequence[StepSpec]) -> None:
    chain.steps.all().delete()
    EscalationStep.objects.bulk_create(
        EscalationStep(
            chain=chain,
            position=index,
            delay=step.delay,
            business_time=step.business_time,
            action=step.action,
            team=step.team,
            priority=step.priority,
            message=step.message.strip()[:300],
        )
        for index, step in enumerate(steps)
    )


@transaction.atomic
def chain_create(
    *,
    actor: User | None,
    name: str,
    trigger: str,
    steps: Sequence[StepSpec],
    plan_version: PlanVersion | None = None,
    team: Team | None = None,
    calendar: BusinessCalendarConfig | None = None,
    roster: OnCallRoster | None = None,
    position: int = 100,
    active: bool = True,
) -> EscalationChain:
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if EscalationChain.objects.filter(name__iexact=name).exists():
        raise Invalid(f"a chain named {name!r} exists", field="name")
    if trigger not in EscalationChain.Trigger.values:
        raise Invalid(f"unknown trigger {trigger!r}", field="trigger")
    _check_steps(steps, calendar, roster)
    chain = EscalationChain.objects.create(
        name=name,
        trigger=trigger,
        plan_version=plan_version,
        team=team,
        calendar=calendar,
        roster=roster,
        position=position,
        active=active,
    )
    _write_steps(chain, steps)
    event_record(actor=actor, verb="escalation_chain.created", target=chain, after=_chain_data(chain))
    return chain


_UNSET: Any = object()


@transaction.atomic
def chain_update(
    *,
    actor: User | None,
    chain: EscalationChain,
    name: str | None = None,
    trigger: str | None = None,
    steps: Sequence[StepSpec] | None = None,
    team: Team | None = _UNSET,
    calendar: BusinessCalendarConfig | None = _UNSET,
    roster: OnCallRoster | None = _UNSET,
    position: int | None = None,
    active: bool | None = None,
) -> EscalationChain:
    """Change a chain; runs already started keep the due times frozen at their trigger."""
    chain = EscalationChain.objects.select_for_update(of=("self",)).get(pk=chain.pk)
    before = _chain_data(chain)
    if name is not None:
        name = name.strip()
        if not name:
            raise Invalid("the name is empty", field="name")
        if EscalationChain.objects.filter(name__iexact=name).exclude(pk=chain.pk).exists():
            raise Invalid(f"a chain named {name!r} exists", field="name")
        chain.name = name
    if trigger is not None:
        if trigger not in EscalationChain.Trigger.values:
            raise Invalid(f"unknown trigger {trigger!r}", field="trigger")
        chain.trigger = trigger
    if team is not _UNSET:
        chain.team = team
    if calendar is not _UNSET:
        chain.calendar = calendar
    if roster is not _UNSET:
        chain.roster = roster
    if position is not None:
        chain.position = position
    if active is not None:
        chain.active = active
    current = steps
    if current is None:
        current = [
            StepSpec(s.action, s.delay, s.business_time, s.team, s.priority, s.message)
            for s in chain.steps.all()
        ]
    _check_steps(current, chain.calendar, chain.roster)
    chain.save()
    if steps is not None:
        _write_steps(chain, steps)
    after = _chain_data(chain)
    changed = {k: v for k, v in after.items() if before[k] != v}
    event_record(
        actor=actor,
        verb="escalation_chain.updated",
        target=chain,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return chain


# --- Runs


def _due_times(chain: EscalationChain, at: datetime) -> list[datetime]:
    steps = list(chain.steps.all())
    add_business = None
    if chain.calendar is not None:
        calendar = business_calendar_of(chain.calendar)

        def add_business(start: datetime, work: timedelta) -> datetime:
            return add_business_time(start, work, calendar)

    return delays.step_due_times(at, [(s.delay, s.business_time) for s in steps], add_business)


def _schedule(run: EscalationRun) -> None:
    if run.state != EscalationRun.State.ACTIVE or run.next_due_at is None:
        return
    run_id, eta = run.pk, run.next_due_at

    def enqueue() -> None:
        from frontline.escalations.tasks import escalation_advance_task

        escalation_advance_task.schedule(args=(run_id,), eta=eta)

    transaction.on_commit(enqueue)


def _run_data(run: EscalationRun, **extra: Any) -> dict[str, Any]:
    return {
        "run": run.pk,
        "chain": run.chain_id,
        "chain_name": run.chain.name,
        "trigger": run.trigger,
        **extra,
    }


@transaction.atomic
def escalation_start(
    *,
    ticket: Ticket,
    chain: EscalationChain,
    trigger: str = EscalationChain.Trigger.MANUAL,
    actor: User | None = None,
    at: datetime | None = None,
    reason: str = "",
) -> EscalationRun:
    """Start `chain` on `ticket` (steps due now run at once); an active run of it is returned as is."""
    now = at or timezone.now()
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status in _FINISHED or ticket.merged_into_id:
        raise Conflict(f"ticket {ticket.pk} is {ticket.status}; nothing to escalate", code="ticket_finished")
    if not chain.active:
        raise Conflict(f"chain {chain.name!r} is not active", code="chain_inactive")
    existing = EscalationRun.objects.filter(
        ticket=ticket, chain=chain, state=EscalationRun.State.ACTIVE
    ).first()
    if existing is not None:
        return existing
    due = _due_times(chain, now)
    try:
        with transaction.atomic():
            run = EscalationRun.objects.create(
                ticket=ticket,
                chain=chain,
                trigger=trigger,
                reason=reason[:200],
                triggered_at=now,
                due_times=[d.isoformat() for d in due],
                next_due_at=min(due) if due else None,
            )
    except IntegrityError:  # another process started it a moment ago
        return EscalationRun.objects.get(ticket=ticket, chain=chain, state=EscalationRun.State.ACTIVE)
    event_record(
        actor=actor, verb="escalation.started", target=ticket, at=now, after=_run_data(run, reason=reason)
    )
    _advance(run, now)
    return run


def _due(run: EscalationRun) -> list[datetime]:
    return [datetime.fromisoformat(d) for d in run.due_times]


def _end(run: EscalationRun, state: str, at: datetime, reason: str, actor: User | None = None) -> None:
    run.state, run.ended_at, run.end_reason, run.next_due_at = state, at, reason[:200], None
    run.save(update_fields=["state", "ended_at", "end_reason", "next_due_at"])
    verb = "escalation.completed" if state == EscalationRun.State.COMPLETED else "escalation.cancelled"
    event_record(actor=actor, verb=verb, target=run.ticket, at=at, after=_run_data(run, reason=reason))


def _advance(run: EscalationRun, now: datetime) -> None:
    """Perform the steps due by `now`, in order, then schedule the next (run is locked or new)."""
    ticket = run.ticket
    if ticket.status in _FINISHED or ticket.merged_into_id:
        _end(run, EscalationRun.State.CANCELLED, now, f"ticket {ticket.status}")
        return
    due = _due(run)
    target = delays.steps_due(due, run.steps_done, now)
    steps = list(run.chain.steps.all())
    while run.steps_done < target:
        step = steps[run.steps_done]
        result = _perform(run, step, now)
        run.steps_done += 1
        event_record(
            actor=None,
            verb="escalation.step_done",
            target=run.ticket,
            at=now,
            after=_run_data(
                run, step=run.steps_done, action=step.action, due_at=due[run.steps_done - 1], result=result
            ),
        )
        run.ticket.refresh_from_db()
    if run.steps_done >= len(due):
        run.save(update_fields=["steps_done"])
        _end(run, EscalationRun.State.COMPLETED, now, "every step done")
        return
    run.next_due_at = due[run.steps_done]
    run.save(update_fields=["steps_done", "next_due_at"])
    _schedule(run)


def _notice(run: EscalationRun, step: EscalationStep) -> tuple[str, str]:
    ticket = run.ticket
    title = f"Escalation: #{ticket.pk} {ticket.subject}"[:200]
    body = f"{run.chain.name} ({run.get_trigger_display()})"
    if step.message:
        body = f"{step.message}\n\n{body}"
    return title, body


def _perform(run: EscalationRun, step: EscalationStep, now: datetime) -> dict[str, Any]:
    """Do one step; the result says what happened (or why nothing could), for the event log."""
    ticket = run.ticket
    title, body = _notice(run, step)
    action = step.action
    if action in (EscalationStep.Action.NOTIFY_ASSIGNEE, EscalationStep.Action.NOTIFY_TEAM_LEAD):
        lead = ticket.team.lead if ticket.team_id and ticket.team else None
        person = ticket.assignee if action == EscalationStep.Action.NOTIFY_ASSIGNEE else lead
        if person is None and action == EscalationStep.Action.NOTIFY_ASSIGNEE:
            person = lead  # nobody has it yet: the team lead must hear of it
        if person is None or not person.is_active:
            return {"done": False, "why": "nobody to notify (no assignee and no team lead)"}
        notify(user=person, title=title, body=body, ticket=ticket, kind=Notification.Kind.ESCALATION, at=now)
        return {"done": True, "notified": person.pk}
    if action == EscalationStep.Action.REASSIGN:
        try:
            ticket_update(actor=None, ticket=ticket, team=step.team, assignee=None, at=now)
        except Conflict as exc:
            return {"done": False, "why": str(exc)}
        return {"done": True, "team": step.team_id}
    if action == EscalationStep.Action.RAISE_PRIORITY:
        current = _PRIORITIES.index(ticket.priority)
        wanted = _PRIORITIES.index(step.priority) if step.priority else min(current + 1, len(_PRIORITIES) - 1)
        if wanted <= current:
            return {"done": False, "why": f"priority is already {ticket.priority}"}
        try:
            ticket_update(actor=None, ticket=ticket, priority=_PRIORITIES[wanted], at=now)
        except Conflict as exc:
            return {"done": False, "why": str(exc)}
        return {"done": True, "priority": _PRIORITIES[wanted]}
    # Page the on-call manager.
    roster = run.chain.roster
    answer = selectors.on_call_now(roster=roster, at=now) if roster is not None else None
    if answer is None:
        return {"done": False, "why": "nobody is on call"}
    if answer.user is not None and answer.user.is_active:
        notify(
            user=answer.user,
            title=title,
            body=body,
            ticket=ticket,
            urgent=True,
            kind=Notification.Kind.PAGE,
            at=now,
        )
    elif answer.email:
        automatic_mail_queue(to=[answer.email], subject=f"[URGENT] {title}", body=body, ticket=ticket)
    return {"done": True, "paged": answer.name, "phone": answer.phone, "email": answer.email}


@transaction.atomic
def escalation_advance(*, run_id: int, now: datetime | None = None) -> EscalationRun | None:
    """Wake a run: perform what is due (a stale or early wake-up does nothing)."""
    now = now or timezone.now()
    run = (
        EscalationRun.objects.select_for_update(of=("self",))
        .select_related("chain", "chain__roster", "ticket", "ticket__team__lead", "ticket__assignee")
        .filter(pk=run_id)
        .first()
    )
    if run is None or run.state != EscalationRun.State.ACTIVE:
        return run
    _advance(run, now)
    return run


@transaction.atomic
def escalation_cancel(*, run: EscalationRun, actor: User | None, reason: str) -> EscalationRun:
    run = (
        EscalationRun.objects.select_for_update(of=("self",)).select_related("chain", "ticket").get(pk=run.pk)
    )
    if run.state != EscalationRun.State.ACTIVE:
        raise Conflict(f"the escalation is {run.state} already", code="escalation_ended")
    _end(run, EscalationRun.State.CANCELLED, timezone.now(), reason.strip() or "cancelled", actor=actor)
    return run


def escalation_trigger(
    *, ticket: Ticket, trigger: str, reason: str = "", at: datetime | None = None
) -> list[EscalationRun]:
    """Start every active chain for `trigger` that applies to the ticket (its plan version and team)."""
    chains = EscalationChain.objects.filter(active=True, trigger=trigger).filter(
        Q(plan_version__isnull=True) | Q(plan_version_id=ticket.plan_version_id),
        Q(team__isnull=True) | Q(team_id=ticket.team_id),
    )
    runs = []
    for chain in chains:
        try:
            runs.append(escalation_start(ticket=ticket, chain=chain, trigger=trigger, at=at, reason=reason))
        except Conflict:
            continue
    return runs


def escalation_stop_for_ticket(*, ticket: Ticket, reason: str, at: datetime | None = None) -> int:
    """Cancel the ticket's active runs (it was solved, closed or merged)."""
    stopped = 0
    for run_id in EscalationRun.objects.filter(ticket=ticket, state=EscalationRun.State.ACTIVE).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            run = (
                EscalationRun.objects.select_for_update(of=("self",))
                .select_related("chain", "ticket")
                .get(pk=run_id)
            )
            if run.state == EscalationRun.State.ACTIVE:
                _end(run, EscalationRun.State.CANCELLED, at or timezone.now(), reason)
                stopped += 1
    return stopped


def escalation_reconcile(*, now: datetime | None = None) -> int:
    """Wake every active run whose next step is overdue (their ETA task was lost)."""
    now = now or timezone.now()
    ids = list(
        EscalationRun.objects.filter(state=EscalationRun.State.ACTIVE, next_due_at__lte=now)
        .order_by("next_due_at")
        .values_list("pk", flat=True)[:1000]
    )
    for run_id in ids:
        try:
            escalation_advance(run_id=run_id, now=now)
        except Exception:
            logger.exception("escalation run %s could not advance", run_id)
    return len(ids)
