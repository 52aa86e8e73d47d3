"""Reads of the supervisor's reports page beyond one app's own report: ticket trends, backlog,
first response. Every figure is over the tickets the caller may see, by day in their zone."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate

from frontline.accounts.principal import Principal
from frontline.tickets.models import Message, Ticket
from frontline.tickets.selectors import ticket_visibility

FINISHED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)


@dataclass(frozen=True)
class TrendDay:
    day: date
    created: int
    solved: int  # solved or closed that day, and still so
    backlog: int  # open at the end of the day


def _per_day(rows: object) -> dict[date, int]:
    return {row["day"]: row["n"] for row in rows}  # type: ignore[attr-defined]  # values() rows


def ticket_trends(*, principal: Principal, start: datetime, end: datetime, zone: ZoneInfo) -> list[TrendDay]:
    """Tickets created and finished per local day of [start, end), and the backlog at each day's end.

    A ticket counts as finished on the day it was last solved or closed, if it is still solved or
    closed now; the backlog is every ticket created by the day's end that was not finished by then.
    """
    visible = Ticket.objects.filter(ticket_visibility(principal)).order_by()
    finished_at = Q(status=Ticket.Status.SOLVED, solved_at__isnull=False) | Q(
        status=Ticket.Status.CLOSED, closed_at__isnull=False
    )
    created = _per_day(
        visible.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
    )
    solved: dict[date, int] = {}
    for field, status in (("solved_at", Ticket.Status.SOLVED), ("closed_at", Ticket.Status.CLOSED)):
        for day, n in _per_day(
            visible.filter(status=status, **{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=Count("id"))
        ).items():
            solved[day] = solved.get(day, 0) + n
    open_at_start = visible.filter(created_at__lt=start).count() - (
        visible.filter(finished_at)
        .filter(
            Q(status=Ticket.Status.SOLVED, solved_at__lt=start)
            | Q(status=Ticket.Status.CLOSED, closed_at__lt=start)
        )
        .count()
    )
    days = [start.astimezone(zone).date() + timedelta(days=i) for i in range((end - start).days)]
    backlog = open_at_start
    out = []
    for day in days:
        backlog += created.get(day, 0) - solved.get(day, 0)
        out.append(TrendDay(day=day, created=created.get(day, 0), solved=solved.get(day, 0), backlog=backlog))
    return out


@dataclass(frozen=True)
class FirstResponseDay:
    day: date
    tickets: int  # created that day
    answered: int  # with an answer to the customer by now
    median_minutes: float | None
    average_minutes: float | None


def first_response(
    *, principal: Principal, start: datetime, end: datetime, zone: ZoneInfo
) -> list[FirstResponseDay]:
    """Per local day of creation: how long customers waited for the first answer (wall-clock minutes)."""
    visible = Ticket.objects.filter(ticket_visibility(principal), created_at__gte=start, created_at__lt=end)
    opened = dict(visible.order_by().values_list("pk", "created_at"))
    answers = (
        Message.objects.filter(ticket_id__in=visible.values("pk"), direction=Message.Direction.OUTBOUND)
        .order_by()
        .values("ticket_id")
        .annotate(first=Min("created_at"))
        .values_list("ticket_id", "first")
    )
    waits: dict[date, list[float]] = {}
    for ticket_id, first in answers:
        if ticket_id in opened and first is not None:
            day = opened[ticket_id].astimezone(zone).date()
            waits.setdefault(day, []).append(max(0.0, (first - opened[ticket_id]).total_seconds() / 60))
    created: dict[date, int] = {}
    for moment in opened.values():
        day = moment.astimezone(zone).date()
        created[day] = created.get(day, 0) + 1
    days = [start.astimezone(zone).date() + timedelta(days=i) for i in range((end - start).days)]
    return [
        FirstResponseDay(
            day=day,
            tickets=created.get(day, 0),
            answered=len(waits.get(day, [])),
            median_minutes=statistics.median(waits[day]) if waits.get(day) else None,
            average_minutes=statistics.fmean(waits[day]) if waits.get(day) else None,
        )
        for day in days
    ]
