"""Business calendars and business-time arithmetic for SLA deadlines.

Pure module: the standard library and the `holidays` package only, no Django.

Rules:
- Opening hours are written in local wall-clock time of the calendar's zone, as half-open intervals
  [start, end). An end of `time(0, 0)` (`END_OF_DAY`) means midnight at the end of the day, so
  `(time(0, 0), time(0, 0))` is a whole day. A shift crossing midnight is written as two intervals,
  one on each day; overlapping or touching intervals of one day are merged.
- What is open on a date: its override if it has one (an empty list means closed), else nothing if
  it is a holiday, else the weekly hours of its weekday.
- Business time is real elapsed time inside open intervals. On the day clocks change, 09:00-17:00
  is still 8 hours; an interval that spans the change (a 24-hour day, 00:00-04:00) is an hour
  shorter or longer.
- A local time that does not exist (skipped when clocks go forward) means the instant the clocks
  jump: 02:30 on 2026-03-08 in New York is 03:00 EDT. A local time that occurs twice (clocks go
  back) means its first occurrence (fold=0): 01:30 on 2026-11-01 in New York is 01:30 EDT.
- Functions take aware datetimes (ValueError on naive ones) and return aware datetimes in the
  calendar's zone.

Open intervals are computed once per date as UTC instants and kept on the calendar instance; long
durations skip whole weeks using cached weekly totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_data

__all__ = [
    "END_OF_DAY",
    "BusinessCalendar",
    "add_business_time",
    "business_time_between",
    "is_open",
    "next_open",
]

END_OF_DAY = time(0, 0)
"""As the end of an interval, `time(0, 0)` means 24:00; this name says so."""

Interval = tuple[time, time]

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_MICROSECOND = timedelta(microseconds=1)
_HORIZON = timedelta(days=370)
_CACHE_LIMIT = 4096

_Span = tuple[timedelta, timedelta]  # offsets from local midnight, 0 <= start < end <= 24 h


class _Day(NamedTuple):
    start: datetime  # UTC instant of the local midnight that begins the date
    end: datetime  # UTC instant of the local midnight that ends it
    intervals: tuple[tuple[datetime, datetime], ...]  # open, UTC, sorted, disjoint, non-empty
    total: timedelta


@dataclass(frozen=True, kw_only=True)
class BusinessCalendar:
    """Opening hours of a team in one time zone; see the module docstring for the rules.

    The constructor validates and normalises `weekly` and `overrides` (sorted, merged intervals,
    days without hours dropped from `weekly`); treat the instance as immutable.
    """

    timezone: str
    weekly: dict[int, list[tuple[time, time]]]
    holidays: frozenset[date] = frozenset()
    overrides: dict[date, list[tuple[time, time]]] = field(default_factory=dict)

    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _weekly_spans: tuple[tuple[_Span, ...], ...] = field(init=False, repr=False, compare=False)
    _override_spans: dict[date, tuple[_Span, ...]] = field(init=False, repr=False, compare=False)
    _days: dict[date, _Day] = field(default_factory=dict, init=False, repr=False, compare=False)
    _weeks: dict[date, timedelta] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        weekly_spans: list[tuple[_Span, ...]] = [() for _ in range(7)]
        for weekday, intervals in self.weekly.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            weekly_spans[weekday] = _normalise(intervals, f"weekday {weekday}")
        override_spans: dict[date, tuple[_Span, ...]] = {}
        for day, intervals in self.overrides.items():
            _check_date(day, "override")
            override_spans[day] = _normalise(intervals, f"override {day}")
        for day in self.holidays:
            _check_date(day, "holiday")
        set_ = object.__setattr__
        set_(self, "_zone", zone)
        set_(self, "_weekly_spans", tuple(weekly_spans))
        set_(self, "_override_spans", override_spans)
        set_(self, "holidays", frozenset(self.holidays))
        set_(
            self,
            "weekly",
            {weekday: _as_times(spans) for weekday, spans in enumerate(weekly_spans) if spans},
        )
        set_(self, "overrides", {day: _as_times(spans) for day, spans in sorted(override_spans.items())})

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        weekly: Mapping[int, Sequence[Interval]],
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
        years: range | None = None,
        extra_holidays: Iterable[date] = (),
        overrides: Mapping[date, Sequence[Interval]] | None = None,
    ) -> BusinessCalendar:
        """A calendar whose holidays are the public holidays of a country (ISO 3166 code, e.g. "PH",
        "US" with subdivision "CA", "AU" with "NSW") for `years`, plus `extra_holidays`.

        `years` defaults to last year through two years ahead, counted from the current year.
        """
        closed = set(extra_holidays)
        if holiday_country is not None:
            if years is None:
                this_year = datetime.now(UTC).year
                years = range(this_year - 1, this_year + 3)
            try:
                public = holiday_data.country_holidays(
                    holiday_country, subdiv=holiday_subdivision, years=years
                )
            except NotImplementedError as exc:  # how `holidays` reports an unknown code
                raise ValueError(str(exc)) from exc
            closed.update(public.keys())
        elif holiday_subdivision is not None:
            raise ValueError("holiday_subdivision needs holiday_country")
        return cls(
            timezone=timezone,
            weekly={weekday: list(intervals) for weekday, intervals in weekly.items()},
            holidays=frozenset(closed),
            overrides={day: list(intervals) for day, intervals in (overrides or {}).items()},
        )

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._zone).date()

    def _day(self, day: date) -> _Day:
        cached = self._days.get(day)
        if cached is not None:
            return cached
        if day in self._override_spans:
            spans = self._override_spans[day]
        elif day in self.holidays:
            spans = ()
        else:
            spans = self._weekly_spans[day.weekday()]
        midnight = datetime.combine(day, time())
        day_start = self._to_utc(midnight)
        day_end = self._to_utc(midnight + _ONE_DAY)
        intervals = []
        total = _ZERO
        for span_start, span_end in spans:
            opens_at = day_start if not span_start else self._to_utc(midnight + span_start)
            closes_at = day_end if span_end == _ONE_DAY else self._to_utc(midnight + span_end)
            if closes_at > opens_at:  # empty when it falls entirely in a skipped hour
                intervals.append((opens_at, closes_at))
                total += closes_at - opens_at
        computed = _Day(day_start, day_end, tuple(intervals), total)
        if len(self._days) >= _CACHE_LIMIT:
            self._days.clear()
        self._days[day] = computed
        return computed

    def _week_total(self, monday: date) -> timedelta:
        cached = self._weeks.get(monday)
        if cached is not None:
            return cached
        total = sum((self._day(monday + timedelta(days=i)).total for i in range(7)), _ZERO)
        if len(self._weeks) >= _CACHE_LIMIT:
            self._weeks.clear()
        self._weeks[monday] = total
        return total

    def _to_utc(self, wall: datetime) -> datetime:
        """The UTC instant of a naive local wall time, by the rules in the module docstring."""
        zone = self._zone
        offset = _utcoffset(wall.replace(tzinfo=zone))
        instant = (wall - offset).replace(tzinfo=UTC)
        other_offset = _utcoffset(wall.replace(tzinfo=zone, fold=1))
        if offset == other_offset or _wall(instant, zone) == wall:
            return instant  # unique, or the first of two occurrences
        # Skipped by a jump forward: find the jump, between the instant read with the offset after
        # it (shown before `wall`) and with the offset before it (`instant`, shown after `wall`).
        before, after = (wall - other_offset).replace(tzinfo=UTC), instant
        while after - before > _MICROSECOND:
            middle = before + (after - before) // 2
            if _wall(middle, zone) >= wall:
                after = middle
            else:
                before = middle
        return after


def is_open(at: datetime, calendar: BusinessCalendar) -> bool:
    """Whether aware `at` falls inside an open interval."""
    instant = _as_utc(at, "at")
    local_date = calendar._local_date(instant)
    for day in (local_date - _ONE_DAY, local_date, local_date + _ONE_DAY):
        for opens_at, closes_at in calendar._day(day).intervals:
            if opens_at <= instant < closes_at:
                return True
    return False


def next_open(at: datetime, calendar: BusinessCalendar) -> datetime:
    """`at` if the calendar is open then, else the next moment it opens, in the calendar's zone.

    Raises ValueError if it does not open within 370 days.
    """
    instant = _as_utc(at, "at")
    day = calendar._local_date(instant) - _ONE_DAY
    last_day = day + _HORIZON + _ONE_DAY
    while day <= last_day:
        for opens_at, closes_at in calendar._day(day).intervals:
            if closes_at > instant:
                return max(opens_at, instant).astimezone(calendar._zone)
        day += _ONE_DAY
    raise ValueError(f"the calendar does not open within {_HORIZON.days} days after {at.isoformat()}")


def add_business_time(start: datetime, work: timedelta, calendar: BusinessCalendar) -> datetime:
    """When `work` of business time has elapsed after aware `start`, in the calendar's zone.

    With `work` > 0 the result is the end of the last open stretch needed (so the calendar is open
    just before it, never a later opening); with `work` == 0 it is `start` itself. Raises
    ValueError on negative `work` or when the calendar stays closed for 370 days on the way.
    """
    instant = _as_utc(start, "start")
    if work < _ZERO:
        raise ValueError(f"work must not be negative, got {work}")
    zone = calendar._zone
    if not work:
        return instant.astimezone(zone)
    remaining = work
    day = calendar._local_date(instant) - _ONE_DAY
    last_open_day = day
    while True:
        if day.weekday() == 0 and calendar._day(day).start >= instant:
            while (week_total := calendar._week_total(day)) < remaining:
                remaining -= week_total
                if week_total:
                    last_open_day = day + timedelta(days=6)
                day += _ONE_WEEK
                _check_horizon(day, last_open_day, start)
        for opens_at, closes_at in calendar._day(day).intervals:
            if closes_at <= instant:
                continue
            opens_at = max(opens_at, instant)
            available = closes_at - opens_at
            if remaining <= available:
                return (opens_at + remaining).astimezone(zone)
            remaining -= available
            last_open_day = day
        day += _ONE_DAY
        _check_horizon(day, last_open_day, start)


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time from aware `start` to aware `end`; zero when `end` <= `start`."""
    low, high = _as_utc(start, "start"), _as_utc(end, "end")
    if high <= low:
        return _ZERO
    total = _ZERO
    day = calendar._local_date(low) - _ONE_DAY
    last_day = calendar._local_date(high) + _ONE_DAY
    while day <= last_day:
        current = calendar._day(day)
        inside = current.start >= low
        if inside and day.weekday() == 0 and calendar._day(day + timedelta(days=6)).end <= high:
            total += calendar._week_total(day)
            day += _ONE_WEEK
            continue
        if inside and current.end <= high:
            total += current.total
        else:
            for opens_at, closes_at in current.intervals:
                overlap = min(closes_at, high) - max(opens_at, low)
                if overlap > _ZERO:
                    total += overlap
        day += _ONE_DAY
    return total


def _as_utc(at: datetime, name: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {at!r}")
    return at.astimezone(UTC)


def _utcoffset(at: datetime) -> timedelta:
    offset = at.utcoffset()
    assert offset is not None  # always set: `at` carries a ZoneInfo
    return offset


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _check_horizon(day: date, last_open_day: date, start: datetime) -> None:
    if day - last_open_day > _HORIZON:
        raise ValueError(f"the calendar stays closed for {_HORIZON.days} days after {start.isoformat()}")


def _check_date(day: object, what: str) -> None:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"{what} must be a date, got {day!r}")


def _normalise(intervals: Iterable[Interval], where: str) -> tuple[_Span, ...]:
    spans: list[_Span] = []
    for interval in intervals:
        opens, closes = interval
        if not isinstance(opens, time) or not isinstance(closes, time):
            raise ValueError(f"{where}: intervals are pairs of times, got {interval!r}")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError(f"{where}: interval times are local wall-clock times, without tzinfo")
        start, end = _offset(opens), _offset(closes) or _ONE_DAY
        if end <= start:
            raise ValueError(
                f"{where}: interval {opens}-{closes} ends before it starts; "
                "write a shift crossing midnight as two intervals"
            )
        spans.append((start, end))
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _offset(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute, seconds=at.second, microseconds=at.microsecond)


def _as_times(spans: tuple[_Span, ...]) -> list[tuple[time, time]]:
    midnight = datetime(2000, 1, 1, tzinfo=UTC)  # any midnight: `.time()` drops the date and zone
    return [((midnight + start).time(), (midnight + end).time()) for start, end in spans]
