"""Business calendar: opening hours, holidays, overrides and DST, as tables and properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.sla.calendar import (
    END_OF_DAY,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_open,
    next_open,
)

MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")

WEEKDAYS = range(5)
ALL_WEEK = range(7)
WHOLE_DAY = [(time(0), END_OF_DAY)]


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def weekly(days, *intervals):
    return {day: [(time(*opens), time(*closes)) for opens, closes in intervals] for day in days}


NINE_TO_FIVE = BusinessCalendar(timezone="Asia/Manila", weekly=weekly(WEEKDAYS, ((9,), (17,))))
MANILA_WITH_LUNCH = BusinessCalendar(
    timezone="Asia/Manila", weekly=weekly(WEEKDAYS, ((9,), (12,)), ((13,), (18,)))
)
MANILA_PUBLIC_HOLIDAYS = BusinessCalendar.build(
    timezone="Asia/Manila",
    weekly=weekly(WEEKDAYS, ((9,), (18,))),
    holiday_country="PH",
    years=range(2026, 2028),
)
SATURDAY_EXTENDED = BusinessCalendar(
    timezone="Asia/Manila",
    weekly=weekly(WEEKDAYS, ((9,), (17,))),
    overrides={date(2026, 6, 6): [(time(10), time(14))]},
)
ALWAYS_MANILA = BusinessCalendar(timezone="Asia/Manila", weekly=dict.fromkeys(ALL_WEEK, WHOLE_DAY))
TUESDAY_AND_WEDNESDAY = BusinessCalendar(timezone="Asia/Manila", weekly=weekly((1, 2), ((9,), (17,))))
TUESDAY_AND_WEDNESDAY_WITH_A_HOLIDAY = BusinessCalendar(
    timezone="Asia/Manila",
    weekly=weekly((1, 2), ((9,), (17,))),
    holidays=frozenset({date(2026, 6, 16)}),
)


def always(zone: str) -> BusinessCalendar:
    return BusinessCalendar(timezone=zone, weekly=dict.fromkeys(ALL_WEEK, WHOLE_DAY))


def daily(zone: str, *intervals) -> BusinessCalendar:
    return BusinessCalendar(timezone=zone, weekly=weekly(ALL_WEEK, *intervals))


def utc(value: datetime) -> datetime:
    """Compare instants in UTC: a datetime in a repeated hour never equals one in another zone."""
    return value.astimezone(UTC)


# --- ordinary calendars ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "work", "expected"),
    [
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 5, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            id="friday-16h-plus-2h-is-monday-10h",
        ),
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 6, 11, tzinfo=MANILA),
            hours(1),
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            id="saturday-start-counts-from-monday-opening",
        ),
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 7, tzinfo=MANILA),
            hours(8),
            datetime(2026, 6, 8, 17, tzinfo=MANILA),
            id="a-whole-day-ends-at-closing-not-next-opening",
        ),
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 9, tzinfo=MANILA),
            hours(40),
            datetime(2026, 6, 12, 17, tzinfo=MANILA),
            id="forty-hours-is-one-week",
        ),
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 9, tzinfo=MANILA),
            hours(1000),
            datetime(2026, 11, 27, 17, tzinfo=MANILA),
            id="thousand-hours-is-twenty-five-weeks",
        ),
        pytest.param(
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 1, tzinfo=UTC),  # 09:00 in Manila
            hours(1),
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            id="start-in-another-zone",
        ),
        pytest.param(
            MANILA_WITH_LUNCH,
            datetime(2026, 6, 8, 11, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 8, 14, tzinfo=MANILA),
            id="lunch-break-is-skipped",
        ),
        pytest.param(
            MANILA_WITH_LUNCH,
            datetime(2026, 6, 8, 12, 30, tzinfo=MANILA),
            hours(1),
            datetime(2026, 6, 8, 14, tzinfo=MANILA),
            id="start-during-lunch",
        ),
        pytest.param(
            MANILA_WITH_LUNCH,
            datetime(2026, 6, 8, 11, tzinfo=MANILA),
            hours(1),
            datetime(2026, 6, 8, 12, tzinfo=MANILA),
            id="ends-as-lunch-starts",
        ),
        pytest.param(
            MANILA_PUBLIC_HOLIDAYS,
            datetime(2026, 6, 11, 17, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 15, 10, tzinfo=MANILA),
            id="independence-day-friday-is-closed",
        ),
        pytest.param(
            MANILA_PUBLIC_HOLIDAYS,
            datetime(2026, 12, 29, 17, 30, tzinfo=MANILA),
            hours(1),
            datetime(2027, 1, 4, 9, 30, tzinfo=MANILA),
            id="rizal-day-to-new-year-is-closed",
        ),
        pytest.param(
            SATURDAY_EXTENDED,
            datetime(2026, 6, 5, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 6, 11, tzinfo=MANILA),
            id="override-opens-a-saturday",
        ),
        pytest.param(
            SATURDAY_EXTENDED,
            datetime(2026, 6, 12, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 15, 10, tzinfo=MANILA),
            id="override-is-for-that-saturday-only",
        ),
        pytest.param(
            ALWAYS_MANILA,
            datetime(2026, 6, 5, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 5, 18, tzinfo=MANILA),
            id="always-open",
        ),
        pytest.param(
            ALWAYS_MANILA,
            datetime(2026, 6, 5, 16, tzinfo=MANILA),
            hours(100),
            datetime(2026, 6, 9, 20, tzinfo=MANILA),
            id="always-open-across-days",
        ),
    ],
)
def test_add_business_time(calendar, start, work, expected):
    result = add_business_time(start, work, calendar)

    assert result == expected
    assert result.tzinfo == ZoneInfo(calendar.timezone)
    assert business_time_between(start, result, calendar) == work


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        (
            NINE_TO_FIVE,
            datetime(2026, 6, 5, 16, tzinfo=MANILA),
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            hours(2),
        ),
        (
            NINE_TO_FIVE,
            datetime(2026, 6, 1, tzinfo=MANILA),
            datetime(2026, 7, 1, tzinfo=MANILA),
            hours(22 * 8),
        ),
        (
            MANILA_WITH_LUNCH,
            datetime(2026, 6, 8, 8, tzinfo=MANILA),
            datetime(2026, 6, 8, 20, tzinfo=MANILA),
            hours(8),
        ),
        (
            MANILA_PUBLIC_HOLIDAYS,
            datetime(2026, 6, 8, tzinfo=MANILA),
            datetime(2026, 6, 15, tzinfo=MANILA),
            hours(4 * 9),
        ),
        (
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            datetime(2026, 6, 8, 9, tzinfo=MANILA),
            timedelta(0),
        ),
        (
            NINE_TO_FIVE,
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            timedelta(0),
        ),
    ],
    ids=["over-weekend", "june", "lunch", "holiday-week", "end-before-start", "empty"],
)
def test_business_time_between(calendar, start, end, expected):
    assert business_time_between(start, end, calendar) == expected


@pytest.mark.parametrize(
    ("calendar", "at", "expected"),
    [
        (NINE_TO_FIVE, datetime(2026, 6, 8, 9, tzinfo=MANILA), True),
        (NINE_TO_FIVE, datetime(2026, 6, 8, 16, 59, 59, 999999, tzinfo=MANILA), True),
        (NINE_TO_FIVE, datetime(2026, 6, 8, 17, tzinfo=MANILA), False),
        (NINE_TO_FIVE, datetime(2026, 6, 6, 12, tzinfo=MANILA), False),
        (MANILA_WITH_LUNCH, datetime(2026, 6, 8, 12, 30, tzinfo=MANILA), False),
        (MANILA_PUBLIC_HOLIDAYS, datetime(2026, 6, 12, 10, tzinfo=MANILA), False),
        (MANILA_PUBLIC_HOLIDAYS, datetime(2026, 12, 30, 10, tzinfo=MANILA), False),
        (SATURDAY_EXTENDED, datetime(2026, 6, 6, 13, tzinfo=MANILA), True),
        (ALWAYS_MANILA, datetime(2026, 6, 7, 3, tzinfo=MANILA), True),
    ],
)
def test_is_open(calendar, at, expected):
    assert is_open(at, calendar) is expected


@pytest.mark.parametrize(
    ("calendar", "at", "expected"),
    [
        (NINE_TO_FIVE, datetime(2026, 6, 8, 10, tzinfo=MANILA), datetime(2026, 6, 8, 10, tzinfo=MANILA)),
        (NINE_TO_FIVE, datetime(2026, 6, 5, 17, tzinfo=MANILA), datetime(2026, 6, 8, 9, tzinfo=MANILA)),
        (MANILA_WITH_LUNCH, datetime(2026, 6, 8, 12, tzinfo=MANILA), datetime(2026, 6, 8, 13, tzinfo=MANILA)),
        (
            MANILA_PUBLIC_HOLIDAYS,
            datetime(2026, 6, 11, 18, tzinfo=MANILA),
            datetime(2026, 6, 15, 9, tzinfo=MANILA),
        ),
    ],
)
def test_next_open(calendar, at, expected):
    assert next_open(at, calendar) == expected


# --- a calendar open on Tuesday and Wednesday only (2026-06-08 is a Monday) ----------------------


@pytest.mark.parametrize(
    ("calendar", "start", "work", "expected"),
    [
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 8, 10, tzinfo=MANILA),
            hours(1),
            datetime(2026, 6, 9, 10, tzinfo=MANILA),
            id="monday-waits-for-tuesday",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 9, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 10, 10, tzinfo=MANILA),
            id="tuesday-evening-to-wednesday",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 10, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 16, 10, tzinfo=MANILA),
            id="wednesday-evening-to-next-tuesday",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 11, 12, tzinfo=MANILA),
            hours(16),
            datetime(2026, 6, 17, 17, tzinfo=MANILA),
            id="thursday-plus-a-whole-week-ends-next-wednesday-at-closing",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 13, 12, tzinfo=MANILA),
            hours(17),
            datetime(2026, 6, 23, 10, tzinfo=MANILA),
            id="saturday-plus-a-week-and-an-hour",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY,
            datetime(2026, 6, 9, 9, tzinfo=MANILA),
            hours(40),
            datetime(2026, 6, 23, 17, tzinfo=MANILA),
            id="forty-hours-is-two-and-a-half-weeks",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY_WITH_A_HOLIDAY,
            datetime(2026, 6, 10, 16, tzinfo=MANILA),
            hours(2),
            datetime(2026, 6, 17, 10, tzinfo=MANILA),
            id="a-tuesday-holiday-leaves-wednesday",
        ),
        pytest.param(
            TUESDAY_AND_WEDNESDAY_WITH_A_HOLIDAY,
            datetime(2026, 6, 9, 9, tzinfo=MANILA),
            hours(40),
            datetime(2026, 6, 24, 17, tzinfo=MANILA),  # 16 h, then only Wednesday 17th, then 16 h
            id="forty-hours-around-a-tuesday-holiday",
        ),
    ],
)
def test_add_business_time_on_tuesday_and_wednesday(calendar, start, work, expected):
    result = add_business_time(start, work, calendar)

    assert result == expected
    assert business_time_between(start, result, calendar) == work


@pytest.mark.parametrize(
    ("at", "is_open_then", "opens_at"),
    [
        (datetime(2026, 6, 8, 12, tzinfo=MANILA), False, datetime(2026, 6, 9, 9, tzinfo=MANILA)),
        (datetime(2026, 6, 9, 12, tzinfo=MANILA), True, datetime(2026, 6, 9, 12, tzinfo=MANILA)),
        (datetime(2026, 6, 10, 16, 59, tzinfo=MANILA), True, datetime(2026, 6, 10, 16, 59, tzinfo=MANILA)),
        (datetime(2026, 6, 10, 17, tzinfo=MANILA), False, datetime(2026, 6, 16, 9, tzinfo=MANILA)),
        (datetime(2026, 6, 12, 12, tzinfo=MANILA), False, datetime(2026, 6, 16, 9, tzinfo=MANILA)),
    ],
    ids=["monday", "tuesday", "wednesday-before-closing", "wednesday-closing", "friday"],
)
def test_is_open_and_next_open_on_tuesday_and_wednesday(at, is_open_then, opens_at):
    assert is_open(at, TUESDAY_AND_WEDNESDAY) is is_open_then
    assert next_open(at, TUESDAY_AND_WEDNESDAY) == opens_at


def test_tuesdays_and_wednesdays_of_june():
    june = (datetime(2026, 6, 1, tzinfo=MANILA), datetime(2026, 7, 1, tzinfo=MANILA))

    # Tuesdays 2, 9, 16, 23, 30 and Wednesdays 3, 10, 17, 24: nine days of 8 hours
    assert business_time_between(*june, TUESDAY_AND_WEDNESDAY) == hours(9 * 8)
    assert business_time_between(*june, TUESDAY_AND_WEDNESDAY_WITH_A_HOLIDAY) == hours(8 * 8)


def test_holidays_come_from_the_country_and_subdivision():
    california = BusinessCalendar.build(
        timezone="America/Los_Angeles",
        weekly=weekly(WEEKDAYS, ((9,), (17,))),
        holiday_country="US",
        holiday_subdivision="CA",
        years=range(2026, 2027),
        extra_holidays=[date(2026, 12, 24)],
    )
    new_south_wales = BusinessCalendar.build(
        timezone="Australia/Sydney",
        weekly=weekly(WEEKDAYS, ((9,), (17,))),
        holiday_country="AU",
        holiday_subdivision="NSW",
        years=range(2026, 2027),
    )

    assert {date(2026, 7, 3), date(2026, 3, 31), date(2026, 12, 24)} <= california.holidays  # César Chávez
    assert {date(2026, 1, 26), date(2026, 4, 27), date(2026, 10, 5)} <= new_south_wales.holidays
    assert date(2026, 3, 31) not in new_south_wales.holidays


def test_an_override_wins_over_a_holiday():
    calendar = BusinessCalendar(
        timezone="Asia/Manila",
        weekly=weekly(WEEKDAYS, ((9,), (17,))),
        holidays=frozenset({date(2026, 6, 12)}),
        overrides={date(2026, 6, 12): [(time(9), time(12))], date(2026, 6, 11): []},
    )

    assert is_open(datetime(2026, 6, 12, 10, tzinfo=MANILA), calendar)
    assert not is_open(datetime(2026, 6, 12, 13, tzinfo=MANILA), calendar)
    assert not is_open(datetime(2026, 6, 11, 10, tzinfo=MANILA), calendar)


def test_intervals_are_sorted_and_merged():
    calendar = BusinessCalendar(
        timezone="Asia/Manila",
        weekly={0: [(time(13), time(18)), (time(9), time(12)), (time(12), time(13)), (time(10), time(11))]},
    )

    assert calendar.weekly == {0: [(time(9), time(18))]}
    assert calendar == BusinessCalendar(timezone="Asia/Manila", weekly={0: [(time(9), time(18))], 1: []})


def test_overnight_shift_is_two_intervals_that_join_at_midnight():
    calendar = BusinessCalendar(
        timezone="Asia/Manila",
        weekly={0: [(time(22), END_OF_DAY)], 1: [(time(0), time(6))]},
    )

    assert is_open(datetime(2026, 6, 9, 0, tzinfo=MANILA), calendar)
    assert add_business_time(datetime(2026, 6, 8, 23, tzinfo=MANILA), hours(3), calendar) == datetime(
        2026, 6, 9, 2, tzinfo=MANILA
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons", "weekly": {}}, "unknown time zone"),
        ({"timezone": "Asia/Manila", "weekly": {7: [(time(9), time(17))]}}, "0 \\(Monday\\) to 6"),
        ({"timezone": "Asia/Manila", "weekly": {0: [(time(17), time(9))]}}, "ends before it starts"),
        ({"timezone": "Asia/Manila", "weekly": {0: [(time(9), time(9))]}}, "ends before it starts"),
        ({"timezone": "Asia/Manila", "weekly": {0: [(time(9, tzinfo=UTC), time(17))]}}, "without tzinfo"),
        (
            {
                "timezone": "Asia/Manila",
                "weekly": {},
                "holidays": frozenset({datetime(2026, 1, 1, tzinfo=UTC)}),
            },
            "holiday must be a date",
        ),
    ],
    ids=["zone", "weekday", "backwards", "empty", "aware-time", "datetime-holiday"],
)
def test_invalid_calendars_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**arguments)


def test_unknown_holiday_country_is_refused():
    with pytest.raises(ValueError, match="XX"):
        BusinessCalendar.build(
            timezone="Asia/Manila", weekly={}, holiday_country="XX", years=range(2026, 2027)
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_open(datetime(2026, 6, 8, 10), NINE_TO_FIVE),
        lambda: next_open(datetime(2026, 6, 8, 10), NINE_TO_FIVE),
        lambda: add_business_time(datetime(2026, 6, 8, 10), hours(1), NINE_TO_FIVE),
        lambda: business_time_between(
            datetime(2026, 6, 8, 10, tzinfo=MANILA), datetime(2026, 6, 9), NINE_TO_FIVE
        ),
    ],
    ids=["is_open", "next_open", "add_business_time", "business_time_between"],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_negative_work_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(datetime(2026, 6, 8, 10, tzinfo=MANILA), hours(-1), NINE_TO_FIVE)


def test_zero_work_returns_start_even_when_closed():
    start = datetime(2026, 6, 6, 10, tzinfo=MANILA)

    assert add_business_time(start, timedelta(0), NINE_TO_FIVE) == start


def test_a_calendar_that_never_opens_raises():
    closed = BusinessCalendar(timezone="Asia/Manila", weekly={})
    start = datetime(2026, 6, 8, 10, tzinfo=MANILA)

    with pytest.raises(ValueError, match="370 days"):
        next_open(start, closed)
    with pytest.raises(ValueError, match="370 days"):
        add_business_time(start, hours(1), closed)


def test_a_calendar_that_closes_for_good_raises_instead_of_looping():
    one_day = BusinessCalendar(
        timezone="Asia/Manila", weekly={}, overrides={date(2026, 6, 8): [(time(9), time(17))]}
    )
    start = datetime(2026, 6, 8, 10, tzinfo=MANILA)

    assert add_business_time(start, hours(7), one_day) == datetime(2026, 6, 8, 17, tzinfo=MANILA)
    with pytest.raises(ValueError, match="370 days"):
        add_business_time(start, hours(8), one_day)


# --- daylight saving time ------------------------------------------------------------------------
# New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
# London: 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
# Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET (as London, 01:00 UTC).
# Sydney: 2026-04-05 03:00 AEDT -> 02:00 AEST; 2026-10-04 02:00 AEST -> 03:00 AEDT.


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (always("America/New_York"), date(2026, 3, 8), hours(23)),
        (always("America/New_York"), date(2026, 11, 1), hours(25)),
        (always("Europe/London"), date(2026, 3, 29), hours(23)),
        (always("Europe/London"), date(2026, 10, 25), hours(25)),
        (always("Australia/Sydney"), date(2026, 10, 4), hours(23)),
        (always("Australia/Sydney"), date(2026, 4, 5), hours(25)),
        (daily("America/New_York", ((9,), (17,))), date(2026, 3, 8), hours(8)),
        (daily("America/New_York", ((9,), (17,))), date(2026, 11, 1), hours(8)),
        (daily("America/New_York", ((0,), (4,))), date(2026, 3, 8), hours(3)),
        (daily("America/New_York", ((0,), (4,))), date(2026, 11, 1), hours(5)),
        # 02:30 does not exist: it opens when the clocks jump, 03:00 EDT.
        (daily("America/New_York", ((2, 30), (4,))), date(2026, 3, 8), hours(1)),
        (daily("America/New_York", ((2, 15), (2, 45))), date(2026, 3, 8), hours(0)),
        # 01:30 happens twice: the first one (EDT) counts.
        (daily("America/New_York", ((0,), (1, 30))), date(2026, 11, 1), hours(1.5)),
        (daily("America/New_York", ((1, 30), (3,))), date(2026, 11, 1), hours(2.5)),
        (daily("Europe/London", ((0, 30), (3,))), date(2026, 3, 29), hours(1.5)),
        (daily("Europe/London", ((0, 30), (3,))), date(2026, 10, 25), hours(3.5)),
        (daily("Europe/London", ((9,), (17,))), date(2026, 3, 29), hours(8)),
        (always("Europe/Berlin"), date(2026, 3, 29), hours(23)),
        (always("Europe/Berlin"), date(2026, 10, 25), hours(25)),
        (daily("Europe/Berlin", ((1, 30), (3, 30))), date(2026, 3, 29), hours(1)),
        (daily("Europe/Berlin", ((2, 30), (3, 30))), date(2026, 10, 25), hours(2)),
        (daily("Australia/Sydney", ((0,), (4,))), date(2026, 10, 4), hours(3)),
        (daily("Australia/Sydney", ((0,), (4,))), date(2026, 4, 5), hours(5)),
        (daily("Australia/Sydney", ((9,), (17,))), date(2026, 4, 5), hours(8)),
    ],
)
def test_a_day_of_business_time_across_dst(calendar, day, expected):
    zone = ZoneInfo(calendar.timezone)
    start = datetime.combine(day, time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)

    assert business_time_between(start, end, calendar) == expected


@pytest.mark.parametrize(
    ("calendar", "start", "work", "expected"),
    [
        pytest.param(
            always("America/New_York"),
            datetime(2026, 3, 8, 1, tzinfo=NEW_YORK),
            hours(2),
            datetime(2026, 3, 8, 4, tzinfo=NEW_YORK),
            id="new-york-spring-24h",
        ),
        pytest.param(
            always("America/New_York"),
            datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK),
            hours(1),
            datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=NEW_YORK),
            id="new-york-fall-24h-first-half-past-one",
        ),
        pytest.param(
            always("America/New_York"),
            datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK),
            hours(2),
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
            id="new-york-fall-24h-second-half-past-one",
        ),
        pytest.param(
            daily("America/New_York", ((0,), (4,))),
            datetime(2026, 3, 7, 23, tzinfo=NEW_YORK),
            hours(4),
            datetime(2026, 3, 9, 1, tzinfo=NEW_YORK),
            id="new-york-spring-night-shift-is-3h",
        ),
        pytest.param(
            daily("America/New_York", ((0,), (4,))),
            datetime(2026, 10, 31, 23, tzinfo=NEW_YORK),
            hours(5),
            datetime(2026, 11, 1, 4, tzinfo=NEW_YORK),
            id="new-york-fall-night-shift-is-5h",
        ),
        pytest.param(
            daily("America/New_York", ((2, 30), (4,))),
            datetime(2026, 3, 8, tzinfo=NEW_YORK),
            hours(0.5),
            datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK),
            id="new-york-nonexistent-opening-moves-to-the-jump",
        ),
        pytest.param(
            daily("Europe/London", ((9,), (17,))),
            datetime(2026, 3, 28, 16, tzinfo=LONDON),
            hours(2),
            datetime(2026, 3, 29, 10, tzinfo=LONDON),
            id="london-spring-office-hours",
        ),
        pytest.param(
            always("Europe/London"),
            datetime(2026, 10, 25, tzinfo=LONDON),
            hours(24),
            datetime(2026, 10, 25, 23, tzinfo=LONDON),
            id="london-fall-24h",
        ),
        pytest.param(
            daily("Europe/Berlin", ((0,), (4,))),
            datetime(2026, 3, 29, 1, tzinfo=BERLIN),
            hours(3),
            datetime(2026, 3, 30, 1, tzinfo=BERLIN),
            id="berlin-spring-night-shift-is-3h",
        ),
        pytest.param(
            always("Europe/Berlin"),
            datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
            hours(1),
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            id="berlin-fall-24h-first-to-second-half-past-two",
        ),
        pytest.param(
            always("Australia/Sydney"),
            datetime(2026, 10, 4, 1, tzinfo=SYDNEY),
            hours(2),
            datetime(2026, 10, 4, 4, tzinfo=SYDNEY),
            id="sydney-spring-in-october",
        ),
        pytest.param(
            always("Australia/Sydney"),
            datetime(2026, 4, 5, 1, tzinfo=SYDNEY),
            hours(2),
            datetime(2026, 4, 5, 2, fold=1, tzinfo=SYDNEY),
            id="sydney-autumn-in-april",
        ),
        pytest.param(
            daily("Australia/Sydney", ((0,), (4,))),
            datetime(2026, 4, 5, tzinfo=SYDNEY),
            hours(4.5),
            datetime(2026, 4, 5, 3, 30, tzinfo=SYDNEY),
            id="sydney-autumn-night-shift",
        ),
    ],
)
def test_add_business_time_across_dst(calendar, start, work, expected):
    result = add_business_time(start, work, calendar)

    assert utc(result) == utc(expected)
    assert business_time_between(start, result, calendar) == work


@pytest.mark.parametrize(
    ("calendar", "at", "expected"),
    [
        (daily("America/New_York", ((2, 30), (4,))), datetime(2026, 3, 8, 6, 59, tzinfo=UTC), False),
        (daily("America/New_York", ((2, 30), (4,))), datetime(2026, 3, 8, 7, tzinfo=UTC), True),
        (daily("America/New_York", ((1, 30), (3,))), datetime(2026, 11, 1, 5, 29, tzinfo=UTC), False),
        (daily("America/New_York", ((1, 30), (3,))), datetime(2026, 11, 1, 5, 30, tzinfo=UTC), True),
        (daily("America/New_York", ((0,), (1, 30))), datetime(2026, 11, 1, 5, 29, tzinfo=UTC), True),
        (daily("America/New_York", ((0,), (1, 30))), datetime(2026, 11, 1, 6, 29, tzinfo=UTC), False),
    ],
    ids=[
        "gap-before-jump",
        "gap-at-jump",
        "fold-before",
        "fold-first-1h30",
        "fold-end-first",
        "fold-end-second",
    ],
)
def test_is_open_around_dst(calendar, at, expected):
    assert is_open(at, calendar) is expected


def test_next_open_in_a_gap_is_the_jump():
    calendar = daily("America/New_York", ((2, 30), (4,)))

    assert utc(next_open(datetime(2026, 3, 8, 1, tzinfo=NEW_YORK), calendar)) == datetime(
        2026, 3, 8, 7, tzinfo=UTC
    )


# --- properties -----------------------------------------------------------------------------------

ZONES = ["Asia/Manila", "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney"]
TRANSITIONS = [  # New York's, then Berlin's and London's (the same instants), then Sydney's
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 4, 4, 16, tzinfo=UTC),
    datetime(2026, 10, 3, 16, tzinfo=UTC),
]
SHAPES = [
    weekly(WEEKDAYS, ((9,), (18,))),
    weekly(WEEKDAYS, ((8,), (12,)), ((13,), (17, 30))),
    dict.fromkeys(ALL_WEEK, WHOLE_DAY),
    weekly(ALL_WEEK, ((0,), (4,)), ((22,), (0,))),
    weekly(ALL_WEEK, ((1, 30), (2, 45)), ((9,), (17,))),
    weekly((5, 6), ((10,), (14,))),
]
CALENDARS = [
    BusinessCalendar(
        timezone=zone,
        weekly=shape,
        holidays=frozenset({date(2026, 3, 9), date(2026, 10, 26), date(2026, 12, 25)}),
        overrides={date(2026, 3, 8): [(time(1), time(3))], date(2026, 11, 2): []},
    )
    for zone in ZONES
    for shape in SHAPES
]

calendars = st.sampled_from(CALENDARS)
near_transitions = st.builds(
    lambda transition, offset: transition + offset,
    st.sampled_from(TRANSITIONS),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
)
anywhere = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.sampled_from([UTC, MANILA])
)
instants = st.one_of(near_transitions, anywhere).flatmap(
    lambda instant: st.sampled_from([ZoneInfo(zone) for zone in ZONES]).map(instant.astimezone)
)
works = st.timedeltas(min_value=timedelta(0), max_value=hours(300))

PROPERTY = settings(deadline=None, max_examples=150)


@PROPERTY
@given(calendar=calendars, start=instants, work=works)
def test_measuring_added_time_gives_it_back(calendar, start, work):
    assert business_time_between(start, add_business_time(start, work, calendar), calendar) == work


@PROPERTY
@given(calendar=calendars, start=instants, first=works, second=works)
def test_adding_more_work_ends_later(calendar, start, first, second):
    shorter, longer = sorted([first, second])
    earlier = utc(add_business_time(start, shorter, calendar))
    later = utc(add_business_time(start, longer, calendar))

    assert earlier < later if shorter < longer else earlier == later


@PROPERTY
@given(calendar=calendars, start=instants, work=works.filter(bool))
def test_added_time_ends_inside_or_at_the_end_of_an_open_interval(calendar, start, work):
    result = utc(add_business_time(start, work, calendar))

    assert result > utc(start)
    assert is_open(result - timedelta(microseconds=1), calendar)


@PROPERTY
@given(calendar=calendars, start=instants, gaps=st.lists(works, min_size=2, max_size=2))
def test_business_time_between_is_additive(calendar, start, gaps):
    middle = utc(start) + gaps[0]  # in UTC: adding to a zoned datetime adds wall-clock time
    end = middle + gaps[1]
    assert business_time_between(start, middle, calendar) + business_time_between(
        middle, end, calendar
    ) == business_time_between(start, end, calendar)


@PROPERTY
@given(calendar=calendars, at=instants)
def test_next_open_is_the_first_open_moment(calendar, at):
    opening = utc(next_open(at, calendar))

    assert opening >= utc(at)
    assert is_open(opening, calendar)
    assert business_time_between(at, opening, calendar) == timedelta(0)
    if opening > utc(at):
        assert not is_open(opening - timedelta(microseconds=1), calendar)
        assert not is_open(at, calendar)
