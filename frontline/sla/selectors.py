"""Reads of SLA configuration and clocks; the business calendar cache."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from frontline.accounts.principal import Principal, require_staff
from frontline.customers.models import Customer
from frontline.customers.selectors import customer_segments
from frontline.plans.models import PlanVersion
from frontline.plans.selectors import plan_version_for_customer
from frontline.sla import availability, conditions, hours
from frontline.sla.calendar import BusinessCalendar, add_business_time, business_time_between
from frontline.sla.models import BusinessCalendarConfig, ChannelHours, SlaClock, SlaPolicy
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_visibility

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


def sla_policy_candidates(plan_version_id: int | None) -> list[tuple[SlaPolicy, list[conditions.Condition]]]:
    """The policies a ticket of this plan version is tried against, in order, with parsed conditions."""
    candidates = (
        SlaPolicy.objects.filter(Q(plan_version_id=plan_version_id) | Q(plan_version__isnull=True))
        .annotate(
            is_global=Case(
                When(plan_version__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .select_related("calendar")
        .order_by("is_global", "position", "id")
    )
    return [(policy, conditions.parse(policy.conditions)) for policy in candidates]


def sla_policy_for_ticket(
    ticket: Ticket, candidates: list[tuple[SlaPolicy, list[conditions.Condition]]] | None = None
) -> SlaPolicy | None:
    """The ticket's plan version's policies by position, then the global ones; the first match wins.

    `candidates` (from `sla_policy_candidates` for the ticket's plan version) saves the query when
    many tickets are matched at once.
    """
    parsed = sla_policy_candidates(ticket.plan_version_id) if candidates is None else candidates
    if not parsed:
        return None
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


# --- Channel hours


def channel_hours_list() -> QuerySet[ChannelHours]:
    return ChannelHours.objects.select_related("calendar", "plan_version").order_by(
        "plan_version_id", "channel", "id"
    )


@dataclass(frozen=True)
class Availability:
    """Whether a channel is open for a customer at a moment, and what is offered when it is not.

    `is_always_open` when no hours are configured for the channel (nothing limits it). Datetimes are
    aware, in the hours' calendar zone; `offers` is empty while open.
    """

    channel: str
    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    offers: tuple[str, ...]
    timezone: str | None
    is_always_open: bool
    channel_hours: ChannelHours | None
    plan_version_id: int | None

    @property
    def calendar(self) -> BusinessCalendar | None:
        if self.channel_hours is None:
            return None
        return business_calendar_of(self.channel_hours.calendar)


def channel_hours_for(*, channel: str, plan_version_id: int | None) -> ChannelHours | None:
    """The plan version's hours for `channel`, else the default row, else None."""
    rows = ChannelHours.objects.filter(channel=channel).select_related("calendar")
    if plan_version_id is None:
        return rows.filter(plan_version__isnull=True).first()
    candidates = list(rows.filter(Q(plan_version_id=plan_version_id) | Q(plan_version__isnull=True)))
    return min(candidates, key=lambda row: row.plan_version_id is None, default=None)


def channel_availability(
    *,
    channel: str,
    customer: Customer | None = None,
    ticket: Ticket | None = None,
    at: datetime | None = None,
) -> Availability:
    """Availability of `channel` at `at` (now) under the plan that applies.

    The plan version is the ticket's (the one it was opened under) when a ticket is given, else the
    one the plan resolver picks for `customer` (None: plans for everyone); its own hours for the
    channel win over the default row; with neither the channel is always open.
    """
    when = at or timezone.now()
    if ticket is not None:
        plan_version_id = ticket.plan_version_id
    else:
        version: PlanVersion | None = plan_version_for_customer(customer=customer, at=when)
        plan_version_id = version.pk if version is not None else None
    row = channel_hours_for(channel=channel, plan_version_id=plan_version_id)
    if row is None:
        return Availability(
            channel=channel,
            is_open=True,
            opens_at=None,
            closes_at=None,
            offers=(),
            timezone=None,
            is_always_open=True,
            channel_hours=None,
            plan_version_id=plan_version_id,
        )
    window = availability.window_at(when, business_calendar_of(row.calendar))
    return Availability(
        channel=channel,
        is_open=window.is_open,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        offers=() if window.is_open else row.offers(),
        timezone=row.calendar.timezone,
        is_always_open=False,
        channel_hours=row,
        plan_version_id=plan_version_id,
    )


@dataclass(frozen=True)
class ReplyPromise:
    """What to tell a customer about a ticket: when a reply is due, and the channel's hours now.

    `reply_by` is None when no SLA target promises one; `timezone` is the channel hours' calendar
    zone, else the SLA calendar's (None: neither has one).
    """

    reply_by: datetime | None
    timezone: str | None
    channel: Availability


def _first_response_due(ticket: Ticket, at: datetime) -> tuple[datetime, str | None] | None:
    """The first-response due time and its calendar zone: the frozen clock's, else as a clock starts."""
    clock = (
        SlaClock.objects.filter(ticket=ticket, metric=SlaClock.Metric.FIRST_RESPONSE)
        .select_related("calendar")
        .first()
    )
    if clock is not None:
        zone = clock.calendar.timezone if clock.calendar is not None else None
        if clock.state == SlaClock.State.RUNNING and clock.due_at is not None:
            return clock.due_at, zone
        if clock.state == SlaClock.State.PAUSED:  # due as if it ran again from `at`
            return Basis.of(clock).add(at, clock_target(clock) - clock.elapsed), zone
        return None  # answered already, or late: no promise to make
    policy = sla_policy_for_ticket(ticket)
    if policy is None or policy.first_response_minutes is None:
        return None
    if ticket.status in policy.paused_statuses or ticket.status in (
        Ticket.Status.SOLVED,
        Ticket.Status.CLOSED,
    ):
        return None  # its clock would start paused
    calendar = policy.calendar if policy.business_time else None
    basis = Basis(business_calendar_of(calendar) if calendar is not None else None)
    due = basis.add(ticket.created_at, timedelta(minutes=policy.first_response_minutes))
    return due, calendar.timezone if calendar is not None else None


def reply_promise(ticket: Ticket, *, at: datetime | None = None) -> ReplyPromise:
    """`expected_reply_at`, with the channel's availability at `at` and the zone to show them in."""
    when = at or timezone.now()
    channel = channel_availability(channel=ticket.channel, ticket=ticket, at=when)
    due = _first_response_due(ticket, when)
    if due is None:
        return ReplyPromise(reply_by=None, timezone=channel.timezone, channel=channel)
    reply_by, zone = due
    if not channel.is_open and channel.opens_at is not None:
        reply_by = max(reply_by, channel.opens_at)
    return ReplyPromise(reply_by=reply_by.astimezone(UTC), timezone=channel.timezone or zone, channel=channel)


def expected_reply_at(ticket: Ticket, *, at: datetime | None = None) -> datetime | None:
    """When the ticket's first reply is due by its SLA, never before its channel next opens after `at`.

    The first-response clock's due time if it exists (a paused one: as if resumed at `at`), else the
    matching policy's target counted from the ticket's creation the way a clock counts it. None when
    no policy sets a first-response target, or the first response was given (or is late) already.
    """
    return reply_promise(ticket, at=at).reply_by


@dataclass(frozen=True)
class AttainmentDay:
    day: date
    metric: str
    met: int
    breached: int

    @property
    def attainment(self) -> float | None:
        """The share of targets met on time, or None when none ended that day."""
        total = self.met + self.breached
        return self.met / total if total else None


def sla_attainment(
    *, principal: Principal, start: datetime, end: datetime, zone: tzinfo
) -> list[AttainmentDay]:
    """Visible tickets' targets that ended in [start, end), met on time or breached, per local day and metric.

    A target counts on the day it was met, or on the day it breached (met late or not at all).
    """
    visible = SlaClock.objects.filter(ticket__in=Ticket.objects.filter(ticket_visibility(principal)))
    counts: dict[tuple[date, str], list[int]] = {}
    for state, moment, slot in (
        (SlaClock.State.MET, "met_at", 0),
        (SlaClock.State.BREACHED, "breached_at", 1),
    ):
        rows = (
            visible.filter(state=state, **{f"{moment}__gte": start, f"{moment}__lt": end})
            .annotate(day=TruncDate(moment, tzinfo=zone))
            .values("day", "metric")
            .annotate(count=Count("id"))
            .order_by()
        )
        for row in rows:
            counts.setdefault((row["day"], row["metric"]), [0, 0])[slot] += row["count"]
    return [
        AttainmentDay(day, metric, met, breached) for (day, metric), (met, breached) in sorted(counts.items())
    ]
