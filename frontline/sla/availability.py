"""When a channel is open, and how to tell a customer so, from a business calendar.

Pure module: the standard library and `frontline.sla.calendar` only, no Django.

- `window_at`: open now?, the next opening, and when the current (or next) open stretch ends;
  stretches that touch (an interval ending at 24:00 and the next day's starting at 00:00) are one.
- `describe_hours`, `format_moment` and the sentences below: what an acknowledgement tells the
  customer, in English, Filipino or Chinese (`language_of` picks one from a language code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontline.sla.calendar import END_OF_DAY, BusinessCalendar, business_time_between, is_open, next_open

__all__ = [
    "Window",
    "describe_hours",
    "format_moment",
    "language_of",
    "outside_hours_sentence",
    "reply_by_sentence",
    "window_at",
    "zone_or_none",
]

#: How far ahead an open stretch is followed; one that lasts longer is reported as not closing.
HORIZON = timedelta(days=8)
_MICROSECOND = timedelta(microseconds=1)
_FIRST_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    """A channel's availability at one moment, as aware datetimes in the calendar's zone.

    `opens_at` is None while open (and when the calendar never opens again); `closes_at` ends the
    current stretch if open, else the next one, and is None when it lasts beyond the horizon.
    """

    is_open: bool
    opens_at: datetime | None
    closes_at: datetime | None


def _open_until(start: datetime, calendar: BusinessCalendar, horizon: timedelta) -> datetime | None:
    """The end of the open stretch that contains aware `start` (the calendar is open at `start`).

    Open throughout [start, x) exactly when the business time between them equals the elapsed time;
    that holds up to the end of the stretch and never after, so it is found by doubling then bisecting.
    """

    start = start.astimezone(UTC)  # aware arithmetic in a local zone is wall-clock arithmetic

    def open_throughout(end: datetime) -> bool:
        return business_time_between(start, end, calendar) == end - start

    low, step = start, _FIRST_STEP
    while True:
        high = min(start + step, start + horizon)
        if not open_throughout(high):
            break
        if high >= start + horizon:
            return None
        low, step = high, step * 2
    while high - low > _MICROSECOND:
        middle = low + (high - low) / 2
        if open_throughout(middle):
            low = middle
        else:
            high = middle
    return low.astimezone(ZoneInfo(calendar.timezone))


def window_at(at: datetime, calendar: BusinessCalendar, *, horizon: timedelta = HORIZON) -> Window:
    """Whether the calendar is open at aware `at`, when it opens next and when that stretch closes."""
    if is_open(at, calendar):
        return Window(is_open=True, opens_at=None, closes_at=_open_until(at, calendar, horizon))
    try:
        opens_at = next_open(at, calendar)
    except ValueError:  # closed for more than a year: nothing to promise
        return Window(is_open=False, opens_at=None, closes_at=None)
    return Window(is_open=False, opens_at=opens_at, closes_at=_open_until(opens_at, calendar, horizon))


# --- Telling the customer


_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fil": ("Lunes", "Martes", "Miyerkules", "Huwebes", "Biyernes", "Sabado", "Linggo"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}
# fmt: off
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "fil": ("Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto", "Setyembre",
            "Oktubre", "Nobyembre", "Disyembre"),
}
# fmt: on
_RANGE = {"en": "{first} to {last}", "fil": "{first} hanggang {last}", "zh": "{first}至{last}"}
_LIST_SEPARATOR = {"en": ", ", "fil": ", ", "zh": "，"}
_REPLY_BY = {
    "en": "We will reply by {when}.",
    "fil": "Sasagutin namin kayo bago ang {when}.",
    "zh": "我们将在{when}之前回复您。",
}
_OUTSIDE_HOURS = {
    "en": "Your message arrived outside our {channel} hours: {hours} ({zone}).",
    "fil": "Dumating ang inyong mensahe sa labas ng aming oras para sa {channel}: {hours} ({zone}).",
    "zh": "您的消息是在我们的{channel}服务时间以外收到的。服务时间：{hours}（{zone}）。",
}
_CHANNEL_NAMES = {"zh": {"email": "邮件"}}


def language_of(code: str | None) -> str:
    """'en', 'fil' or 'zh' for a language code such as 'fil-PH', 'tl' or 'zh-hans'; English otherwise."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    if base in ("fil", "tl"):
        return "fil"
    if base == "zh":
        return "zh"
    return "en"


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The IANA zone `name`, or None when it is empty or unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_moment(at: datetime, *, zone: ZoneInfo, language: str) -> str:
    """'Tuesday 1 December, 11:00 (Asia/Manila)', in `language` ('en', 'fil' or 'zh') and `zone`."""
    local = at.astimezone(zone)
    clock = f"{local:%H:%M}"
    weekday = _WEEKDAYS.get(language, _WEEKDAYS["en"])[local.weekday()]
    if language == "zh":
        return f"{local.month}月{local.day}日{weekday} {clock}（{zone.key}）"
    month = _MONTHS.get(language, _MONTHS["en"])[local.month - 1]
    separator = ", " if language == "fil" else " "
    return f"{weekday}{separator}{local.day} {month}, {clock} ({zone.key})"


def _interval_text(intervals: list[tuple[time, time]]) -> str:
    def end(at: time) -> str:
        return "24:00" if at == END_OF_DAY else f"{at:%H:%M}"

    return ", ".join(f"{start:%H:%M}–{end(stop)}" for start, stop in intervals)


def describe_hours(calendar: BusinessCalendar, language: str) -> str:
    """The weekly hours in words, consecutive days with the same hours together:
    'Monday to Friday 09:00–18:00, Saturday 09:00–12:00'. Holidays and overrides are not listed."""
    names = _WEEKDAYS.get(language, _WEEKDAYS["en"])
    groups: list[tuple[int, int, str]] = []  # (first weekday, last weekday, hours)
    for weekday in range(7):
        intervals = calendar.weekly.get(weekday)
        if not intervals:
            continue
        text = _interval_text(intervals)
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], weekday, text)
        else:
            groups.append((weekday, weekday, text))
    parts = []
    for first, last, text in groups:
        days = (
            names[first]
            if first == last
            else _RANGE.get(language, _RANGE["en"]).format(first=names[first], last=names[last])
        )
        parts.append(f"{days} {text}")
    return _LIST_SEPARATOR.get(language, ", ").join(parts)


def reply_by_sentence(at: datetime, *, zone: ZoneInfo, language: str) -> str:
    """'We will reply by Tuesday 1 December, 11:00 (Asia/Manila).' in `language`."""
    when = format_moment(at, zone=zone, language=language)
    return _REPLY_BY.get(language, _REPLY_BY["en"]).format(when=when)


def outside_hours_sentence(calendar: BusinessCalendar, *, channel: str, language: str) -> str:
    """That a message arrived outside `channel`'s hours, and what those hours are (in their own zone)."""
    name = _CHANNEL_NAMES.get(language, {}).get(channel, channel)
    return _OUTSIDE_HOURS.get(language, _OUTSIDE_HOURS["en"]).format(
        channel=name, hours=describe_hours(calendar, language), zone=calendar.timezone
    )
