"""The agent performance report, computed from presence changes and contact records. Pure: no Django.

For one agent over [start, end): each presence change is (at, state, reason); the state holds
until the next change. Durations are clipped to the range, so a report of any day or range adds
up: online = available + not ready + busy + wrap-up. "Idle" is time available with no contact.
Occupancy = (busy + wrap-up) / (idle + busy + wrap-up), the share of ready time spent on contacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

LOGGED_OUT = "logged_out"


@dataclass(frozen=True)
class Change:
    at: datetime
    state: str
    reason: str = ""


@dataclass(frozen=True)
class Handled:
    """One contact the agent had: its talk and after-contact seconds."""

    talk_seconds: float
    wrap_up_seconds: float


@dataclass
class AgentDay:
    first_login: datetime | None = None
    last_logout: datetime | None = None
    online: float = 0.0
    idle: float = 0.0
    busy: float = 0.0
    wrap_up: float = 0.0
    not_ready: float = 0.0
    not_ready_by_reason: dict[str, float] = field(default_factory=dict)
    offered: int = 0
    handled: int = 0
    missed: int = 0
    average_handle_seconds: float | None = None
    average_after_contact_seconds: float | None = None
    occupancy: float | None = None


def state_before(changes: Sequence[Change], start: datetime) -> Change | None:
    """The change in force at `start` (the last one at or before it)."""
    current = None
    for change in changes:
        if change.at <= start:
            current = change
        else:
            break
    return current


def agent_report(
    changes: Sequence[Change],
    start: datetime,
    end: datetime,
    *,
    offered: int = 0,
    missed: int = 0,
    handled: Iterable[Handled] = (),
) -> AgentDay:
    """Durations (seconds) per state within [start, end) from time-ordered changes (earlier ones allowed)."""
    if end <= start:
        raise ValueError("the range must end after it starts")
    ordered = sorted(changes, key=lambda c: c.at)
    day = AgentDay(offered=offered, missed=missed)
    opening = state_before(ordered, start)
    spans: list[tuple[datetime, datetime, Change]] = []
    inside = [c for c in ordered if start < c.at < end]
    points = ([Change(start, opening.state, opening.reason)] if opening else []) + inside
    for index, change in enumerate(points):
        until = points[index + 1].at if index + 1 < len(points) else end
        spans.append((max(change.at, start), min(until, end), change))
    for span_start, span_end, change in spans:
        seconds = (span_end - span_start).total_seconds()
        if seconds <= 0:
            continue
        if change.state != LOGGED_OUT:
            day.online += seconds
        if change.state == "available":
            day.idle += seconds
        elif change.state == "busy":
            day.busy += seconds
        elif change.state == "wrap_up":
            day.wrap_up += seconds
        elif change.state == "not_ready":
            day.not_ready += seconds
            key = change.reason or "unspecified"
            day.not_ready_by_reason[key] = day.not_ready_by_reason.get(key, 0.0) + seconds
    logins = [c.at for c in inside if c.state != LOGGED_OUT and _was_out(ordered, c)]
    if opening is not None and opening.state != LOGGED_OUT:
        logins.insert(0, start)
    day.first_login = logins[0] if logins else None
    logouts = [c.at for c in inside if c.state == LOGGED_OUT]
    day.last_logout = logouts[-1] if logouts else None
    contacts = list(handled)
    day.handled = len(contacts)
    if contacts:
        day.average_handle_seconds = sum(h.talk_seconds + h.wrap_up_seconds for h in contacts) / len(contacts)
        day.average_after_contact_seconds = sum(h.wrap_up_seconds for h in contacts) / len(contacts)
    ready = day.idle + day.busy + day.wrap_up
    day.occupancy = (day.busy + day.wrap_up) / ready if ready else None
    return day


def _was_out(ordered: Sequence[Change], change: Change) -> bool:
    previous = None
    for candidate in ordered:
        if candidate is change:
            break
        previous = candidate
    return previous is None or previous.state == LOGGED_OUT


def day_ranges(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Split [start, end) at local midnights of start's zone (aware datetimes; DST-safe by wall date)."""
    zone = start.tzinfo
    ranges = []
    cursor = start
    while cursor < end:
        next_day = (cursor.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).replace(
            tzinfo=None
        )
        boundary = next_day.replace(tzinfo=zone)
        ranges.append((cursor, min(boundary, end)))
        cursor = boundary
    return ranges
