"""Pure tests of channel availability and how it is told to a customer: no database."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.sla.availability import (
    Window,
    describe_hours,
    format_moment,
    language_of,
    outside_hours_sentence,
    reply_by_sentence,
    window_at,
    zone_or_none,
)
from frontline.sla.calendar import END_OF_DAY, BusinessCalendar, is_open

MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessCalendar.build(
    timezone="Asia/Manila",
    weekly={day: [(time(9), time(18))] for day in range(5)},
    holiday_country="PH",
    years=range(2026, 2028),
)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Tuesday morning: open until six.
        (datetime(2026, 11, 24, 10, 30), Window(True, None, datetime(2026, 11, 24, 18))),
        # At the opening minute it is open; at the closing minute it is not.
        (datetime(2026, 11, 24, 9, 0), Window(True, None, datetime(2026, 11, 24, 18))),
        (
            datetime(2026, 11, 24, 18, 0),
            Window(False, datetime(2026, 11, 25, 9), datetime(2026, 11, 25, 18)),
        ),
        # Friday evening before Bonifacio Day (Monday 30 November): next opening is Tuesday.
        (
            datetime(2026, 11, 27, 19, 0),
            Window(False, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 18)),
        ),
    ],
)
def test_window_says_open_now_next_opening_and_closing(at, expected):
    def local(moment):
        return moment.replace(tzinfo=MANILA) if moment is not None else None

    found = window_at(at.replace(tzinfo=MANILA), OFFICE)
    assert found == Window(expected.is_open, local(expected.opens_at), local(expected.closes_at))
    assert found.closes_at is None or found.closes_at.tzinfo == MANILA


def test_a_shift_written_across_midnight_is_one_stretch():
    night = BusinessCalendar(timezone="UTC", weekly={0: [(time(22), END_OF_DAY)], 1: [(time(0), time(6))]})
    found = window_at(datetime(2026, 11, 23, 23, tzinfo=UTC), night)  # a Monday
    assert found == Window(True, None, datetime(2026, 11, 24, 6, tzinfo=UTC))


def test_always_open_never_closes_within_the_horizon_and_never_open_has_no_opening():
    always = BusinessCalendar(timezone="UTC", weekly={day: [(time(0), END_OF_DAY)] for day in range(7)})
    assert window_at(datetime(2026, 11, 23, 12, tzinfo=UTC), always) == Window(True, None, None)
    never = BusinessCalendar(timezone="UTC", weekly={})
    assert window_at(datetime(2026, 11, 23, 12, tzinfo=UTC), never) == Window(False, None, None)


def test_closing_on_the_night_clocks_go_forward_is_the_instant_of_the_jump():
    """02:30 does not exist on 8 March 2026 in New York: an interval ending then ends at the jump."""
    calendar = BusinessCalendar(timezone="America/New_York", weekly={6: [(time(0), time(2, 30))]})
    found = window_at(datetime(2026, 3, 8, 1, tzinfo=NEW_YORK), calendar)
    assert found.closes_at == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 03:00 EDT


_HOURS = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 47), st.integers(1, 48)), min_size=1, max_size=6
)


def _calendar(raw):
    weekly: dict[int, list[tuple[time, time]]] = {}
    for day, start, length in raw:
        end = min(start + length, 48)
        end_time = END_OF_DAY if end == 48 else time(end // 2, 30 * (end % 2))
        weekly.setdefault(day, []).append((time(start // 2, 30 * (start % 2)), end_time))
    return BusinessCalendar(timezone="America/New_York", weekly=weekly)


@settings(max_examples=60, deadline=None)
@given(
    raw=_HOURS,
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)),
)
def test_the_window_bounds_are_where_the_calendar_changes(raw, at):
    calendar = _calendar(raw)
    found = window_at(at, calendar)
    tick = timedelta(microseconds=1)
    assert found.is_open == is_open(at, calendar)
    start = at if found.is_open else found.opens_at
    assert start is not None  # every generated calendar opens every week
    assert is_open(start, calendar)
    assert not found.is_open or found.opens_at is None
    if not found.is_open:
        assert not is_open(start - tick, calendar)
    if found.closes_at is not None:
        assert is_open(found.closes_at - tick, calendar)
        assert not is_open(found.closes_at, calendar)


def test_hours_are_described_with_days_of_equal_hours_together():
    calendar = BusinessCalendar(
        timezone="Asia/Manila",
        weekly={
            **{day: [(time(9), time(18))] for day in range(5)},
            5: [(time(9), time(12)), (time(13), time(15))],
            6: [(time(20), END_OF_DAY)],
        },
    )
    assert describe_hours(calendar, "en") == (
        "Monday to Friday 09:00–18:00, Saturday 09:00–12:00, 13:00–15:00, Sunday 20:00–24:00"
    )
    assert describe_hours(OFFICE, "fil") == "Lunes hanggang Biyernes 09:00–18:00"
    assert describe_hours(OFFICE, "zh") == "星期一至星期五 09:00–18:00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "We will reply by Tuesday 1 December, 11:00 (Asia/Manila)."),
        ("fil", "Sasagutin namin kayo bago ang Martes, 1 Disyembre, 11:00 (Asia/Manila)."),
        ("zh", "我们将在12月1日星期二 11:00（Asia/Manila）之前回复您。"),
    ],
)
def test_the_reply_time_is_told_in_the_customers_language(language, expected):
    assert reply_by_sentence(datetime(2026, 12, 1, 3, tzinfo=UTC), zone=MANILA, language=language) == expected


def test_the_reply_time_is_shown_in_the_zone_given():
    assert (
        format_moment(datetime(2026, 12, 1, 3, tzinfo=UTC), zone=ZoneInfo("Europe/London"), language="en")
        == "Tuesday 1 December, 03:00 (Europe/London)"
    )


def test_outside_hours_sentence_names_the_channel_hours_and_zone():
    assert outside_hours_sentence(OFFICE, channel="email", language="en") == (
        "Your message arrived outside our email hours: Monday to Friday 09:00–18:00 (Asia/Manila)."
    )


@pytest.mark.parametrize(
    ("code", "language"),
    [("fil-PH", "fil"), ("tl", "fil"), ("zh-hans", "zh"), ("ZH_CN", "zh"), ("en-GB", "en"), ("", "en"),
     (None, "en"), ("de", "en")],
)  # fmt: skip
def test_language_codes_fall_back_to_english(code, language):
    assert language_of(code) == language


def test_unknown_or_empty_zones_are_none():
    assert zone_or_none("Asia/Manila") == MANILA
    assert zone_or_none("Mars/Olympus") is None
    assert zone_or_none("") is None
