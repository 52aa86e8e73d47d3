"""Business calendars as stored (JSON) turned into `calendar.BusinessCalendar`.

Pure module: standard library and `frontline.sla.calendar` only, no Django.

Stored shapes:
- weekly hours: `{"0": [["09:00", "18:00"]], ...}`, weekday "0" (Monday) to "6" (Sunday), times
  "HH:MM" (or "HH:MM:SS"); "24:00" as an end means midnight at the end of the day;
- extra holidays: `["2026-12-24", ...]`;
- overrides: `{"2026-12-24": [["09:00", "12:00"]], "2026-12-31": []}` (an empty list: closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from frontline.sla.calendar import END_OF_DAY, BusinessCalendar

__all__ = ["HoursError", "StoredCalendar", "build", "parse_dates", "parse_overrides", "parse_weekly"]

Interval = tuple[time, time]


class HoursError(ValueError):
    """Stored hours that do not make a calendar; `field` names the stored field at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class StoredCalendar:
    timezone: str
    weekly_hours: object
    holiday_country: str = ""
    holiday_subdivision: str = ""
    extra_holidays: object = ()
    overrides: object = None


def _time(raw: object, where: str, field: str, *, is_end: bool) -> time:
    if not isinstance(raw, str):
        raise HoursError(f"{where}: times are strings like '09:00', got {raw!r}", field=field)
    if is_end and raw in ("24:00", "24:00:00"):
        return END_OF_DAY
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise HoursError(f"{where}: {raw!r} is not a time like '09:00'", field=field) from exc


def _intervals(raw: object, where: str, field: str) -> list[Interval]:
    if not isinstance(raw, list):
        raise HoursError(f"{where}: give a list of [start, end] pairs", field=field)
    intervals = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise HoursError(f"{where}: each interval is a [start, end] pair, got {pair!r}", field=field)
        intervals.append(
            (_time(pair[0], where, field, is_end=False), _time(pair[1], where, field, is_end=True))
        )
    return intervals


def _date(raw: object, where: str, field: str) -> date:
    if not isinstance(raw, str):
        raise HoursError(f"{where}: dates are strings like '2026-12-24', got {raw!r}", field=field)
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise HoursError(f"{where}: {raw!r} is not a date like '2026-12-24'", field=field) from exc


def parse_weekly(raw: object, field: str = "weekly_hours") -> dict[int, list[Interval]]:
    if not isinstance(raw, dict):
        raise HoursError('weekly hours are an object like {"0": [["09:00", "18:00"]]}', field=field)
    weekly: dict[int, list[Interval]] = {}
    for key, intervals in raw.items():
        if not isinstance(key, str) or key not in {"0", "1", "2", "3", "4", "5", "6"}:
            raise HoursError(f"weekdays are '0' (Monday) to '6' (Sunday), got {key!r}", field=field)
        weekly[int(key)] = _intervals(intervals, f"weekday {key}", field)
    return weekly


def parse_dates(raw: object, field: str = "extra_holidays") -> list[date]:
    if not isinstance(raw, list | tuple):
        raise HoursError("give a list of dates like '2026-12-24'", field=field)
    return [_date(item, "holiday", field) for item in raw]


def parse_overrides(raw: object, field: str = "overrides") -> dict[date, list[Interval]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise HoursError('overrides are an object like {"2026-12-24": [["09:00", "12:00"]]}', field=field)
    return {
        _date(day, "override", field): _intervals(intervals, f"override {day}", field)
        for day, intervals in raw.items()
    }


def build(stored: StoredCalendar, *, years: range) -> BusinessCalendar:
    """The calendar `stored` describes, with public holidays for `years`; raises HoursError."""
    weekly = parse_weekly(stored.weekly_hours)
    extra = parse_dates(stored.extra_holidays)
    overrides = parse_overrides(stored.overrides)
    if stored.holiday_subdivision and not stored.holiday_country:
        raise HoursError("a holiday subdivision needs a holiday country", field="holiday_subdivision")
    try:
        return BusinessCalendar.build(
            timezone=stored.timezone,
            weekly=weekly,
            holiday_country=stored.holiday_country or None,
            holiday_subdivision=stored.holiday_subdivision or None,
            years=years,
            extra_holidays=extra,
            overrides=overrides,
        )
    except ValueError as exc:
        raise HoursError(str(exc), field=_field_of(str(exc))) from exc


def _field_of(message: str) -> str:
    """Which stored field a BusinessCalendar error is about, from its message."""
    if "time zone" in message:
        return "timezone"
    if message.startswith("weekday"):
        return "weekly_hours"
    if message.startswith("override"):
        return "overrides"
    if message.startswith("holiday_subdivision") or "subdiv" in message.lower():
        return "holiday_subdivision"
    if message.startswith("holiday"):
        return "extra_holidays"
    return "holiday_country"
