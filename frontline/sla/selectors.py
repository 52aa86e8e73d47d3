"""Reads of SLA configuration and clocks; the business calendar cache."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from frontline.accounts.principal import Principal, require_staff
from frontline.customers.selectors import customer_segments
from frontline.sla import conditions, hours
from frontline.sla.calendar import BusinessCalendar, add_business_time, business_time_between
from frontline.sla.models import BusinessCalendarConfig, SlaClock, SlaPolicy
from frontline.tickets.models import Ticket

_CACHE_LIMIT = 256
_calendars: dict[tuple[int, datetime, int], BusinessCalendar] = {}
_calendars_lock = threading.Lock()


def business_calendar_of(config: BusinessCalendarConfig) -> BusinessCalendar:
    """The calendar a stored config describes, built once per (pk, updated_at) and year in this process.

    Public holidays are loaded for last year through two years ahead of the current year.
    """
    year = timezone.now().year
    key = (config.pk, config.updated_at, year)
    cached = _calendars.get(key)
    if cached is not None:
        return cached
    built = hours.build(config.stored(), years=range(year - 1, year + 3))
    with _calendars_lock:
        if len(_calendars) >= _CACHE_LIMIT:
            _calendars.clear()
        _calendars[key] = built
    return built


def business_calendar_get(calendar_id: int) -> BusinessCalendar:
    return business_calendar_of(BusinessCalendarConfig.objects.get(pk=calendar_id))


# --- Time on a clock: business time on its frozen calendar, or plain elapsed time.


@dataclass(frozen=True)
class Basis:
    """How a clock counts time: business hours of a calendar, or around the clock."""

    calendar: BusinessCalendar | None

    @classmethod
    def of(cls, clock: SlaClock) -> Basis:
        if not clock.business_time or clock.calendar is None:
            return cls(None)
        return cls(business_calendar_of(clock.calendar))

    def add(self, start: datetime, work: timedelta) -> datetime:
        work = max(work, timedelta(0))
        if self.calendar is None:
            return start + work
        return add_business_time(start, work, self.calendar).astimezone(UTC)

    def between(self, start: datetime, end: datetime) -> timedelta:
        if self.calendar is None:
            return max(end - start, timedelta(0))
        return business_time_between(start, end, self.calendar)


def clock_elapsed(clock: SlaClock, now: datetime, basis: Basis | None = None) -> timedelta:
    """Counted time on the clock at `now`: `elapsed`, plus the current stretch if it is counting."""
    if clock.running_since is None:
        return clock.elapsed
    return clock.elapsed + (basis or Basis.of(clock)).between(clock.running_since, now)


def clock_target(clock: SlaClock) -> timedelta:
    return timedelta(minutes=clock.target_minutes)


# --- Policies


def sla_policy_list() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.select_related("calendar", "plan_version").order_by(
        "plan_version_id", "position", "id"
    )


def sla_policy_for_ticket(ticket: Ticket) -> SlaPolicy | None:
    """The ticket's plan version's policies by position, then the global ones; the first match wins."""
    candidates = list(
        SlaPolicy.objects.filter(Q(plan_version_id=ticket.plan_version_id) | Q(plan_version__isnull=True))
        .annotate(
            is_global=Case(
                When(plan_version__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .select_related("calendar")
        .order_by("is_global", "position", "id")
    )
    if not candidates:
        return None
    parsed = [(policy, conditions.parse(policy.conditions)) for policy in candidates]
    requester = ticket.requester
    segment_ids: frozenset[int] = frozenset()
    if any(conditions.uses_segments(rules) for _, rules in parsed):
        segment_ids = frozenset(segment.pk for segment in customer_segments(requester))
    facts = conditions.Facts(
        priority=ticket.priority,
        channel=ticket.channel,
        customer_tier=requester.tier,
        segment_ids=segment_ids,
    )
    return conditions.first_match(parsed, facts)


def business_calendar_list() -> QuerySet[BusinessCalendarConfig]:
    return BusinessCalendarConfig.objects.order_by("name")


# --- Clocks as the API shows them


@dataclass(frozen=True)
class ClockView:
    clock: SlaClock
    elapsed_seconds: float
    remaining_seconds: float


def sla_clock_list_for_ticket(
    *, principal: Principal, ticket: Ticket, now: datetime | None = None
) -> list[ClockView]:
    """The ticket's clocks with counted and remaining time; staff only (the ticket was looked up already)."""
    require_staff(principal, "only staff may see SLA clocks")
    at = now or timezone.now()
    views = []
    for clock in SlaClock.objects.filter(ticket=ticket).select_related("calendar").order_by("id"):
        elapsed = clock_elapsed(clock, at)
        remaining = clock_target(clock) - elapsed  # negative: how late
        views.append(
            ClockView(
                clock=clock,
                elapsed_seconds=elapsed.total_seconds(),
                remaining_seconds=remaining.total_seconds(),
            )
        )
    return views


def sla_clock_ids_due(*, now: datetime, limit: int = 1000) -> list[int]:
    """Running clocks whose at-risk or due moment has passed without their notification.

    Two queries, each a range scan of one (state, moment) index.
    """
    running = SlaClock.objects.filter(state=SlaClock.State.RUNNING)
    due = running.filter(due_at__lte=now, breach_notified=False).order_by("due_at")
    at_risk = running.filter(at_risk_at__lte=now, at_risk_notified=False).order_by("at_risk_at")
    ids = list(due.values_list("id", flat=True)[:limit])
    ids += [pk for pk in at_risk.values_list("id", flat=True)[:limit] if pk not in set(ids)]
    return ids
