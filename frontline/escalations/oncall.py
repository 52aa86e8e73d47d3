"""Who is on call at an instant: weekly shifts in the roster's zone, then dated overrides on top.

Pure: no Django. A shift is a weekly window of local wall-clock time (`start` to `end` on each
of its weekdays; an `end` at or before `start` runs past midnight into the next day, so
00:00–00:00 is the whole day). An override is a fixed span of real time that wins over every
shift (holiday cover, swaps). Among overlapping shifts the one listed first wins.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Shift:
    who: Hashable
    weekdays: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def covers(self, local: datetime) -> bool:
        clock = local.time().replace(tzinfo=None)
        day = local.weekday()
        if self.start < self.end:
            return day in self.weekdays and self.start <= clock < self.end
        # Runs past midnight (or the whole day when end == start).
        started_today = day in self.weekdays and clock >= self.start
        started_yesterday = (day - 1) % 7 in self.weekdays and clock < self.end
        return started_today or started_yesterday


@dataclass(frozen=True)
class Override:
    who: Hashable
    starts_at: datetime
    ends_at: datetime

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


def on_call(
    at: datetime, zone: str, shifts: Sequence[Shift], overrides: Sequence[Override] = ()
) -> Hashable | None:
    """The one on call at `at` (aware), or None when nobody is."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    for override in overrides:
        if override.covers(at):
            return override.who
    local = at.astimezone(ZoneInfo(zone))
    for shift in shifts:
        if shift.covers(local):
            return shift.who
    return None


def on_call_until(
    at: datetime,
    zone: str,
    shifts: Sequence[Shift],
    overrides: Sequence[Override] = (),
    horizon: timedelta = timedelta(days=8),
) -> datetime | None:
    """When the answer of `on_call` next changes (to the minute), or None if not within `horizon`.

    Shifts change only on whole minutes of local time and overrides are checked at their edges,
    so stepping by minutes through a short list of candidate instants is exact.
    """
    now = on_call(at, zone, shifts, overrides)
    zone_info = ZoneInfo(zone)
    candidates: set[datetime] = set()
    for override in overrides:
        candidates.update(t for t in (override.starts_at, override.ends_at) if t > at)
    local = at.astimezone(zone_info)
    for offset in range(horizon.days + 1):
        day = (local + timedelta(days=offset)).date()
        for shift in shifts:
            for moment in (shift.start, shift.end):
                wall = datetime.combine(day, moment, tzinfo=zone_info)
                instant = wall.astimezone(UTC)
                if instant > at:
                    candidates.add(instant)
    for candidate in sorted(candidates):
        if candidate - at > horizon:
            break
        if on_call(candidate, zone, shifts, overrides) != now:
            return candidate
    return None


def parse_weekdays(values: Sequence[str | int]) -> frozenset[int]:
    """ "mon".."sun" or 0..6 to weekday numbers; ValueError naming the bad value."""
    days: set[int] = set()
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
            days.add(value)
        elif isinstance(value, str) and value.strip().lower()[:3] in WEEKDAYS:
            days.add(WEEKDAYS.index(value.strip().lower()[:3]))
        else:
            raise ValueError(f"not a weekday: {value!r}")
    if not days:
        raise ValueError("at least one weekday is needed")
    return frozenset(days)
