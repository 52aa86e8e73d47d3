"""Who is on call: weekly shifts in the roster's zone, midnight and DST edges, overrides on top."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.escalations.oncall import Override, Shift, on_call, on_call_until, parse_weekdays

MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")

WEEK = [
    Shift("mon-ana", frozenset({0}), time(0), time(0)),
    Shift("tue-ben", frozenset({1}), time(0), time(0)),
    Shift("nights-cy", frozenset({2, 3, 4}), time(18), time(9)),  # past midnight
    Shift("days-di", frozenset({2, 3, 4}), time(9), time(18)),
]


@pytest.mark.parametrize(
    ("local", "who"),
    [
        (datetime(2026, 11, 23, 23, 59, 59), "mon-ana"),  # Monday, last second
        (datetime(2026, 11, 24, 0, 0), "tue-ben"),  # midnight in Manila: the roster changes
        (datetime(2026, 11, 25, 0, 0), None),  # Wednesday before 09:00: Tuesday's shift ended
        (datetime(2026, 11, 25, 9, 0), "days-di"),
        (datetime(2026, 11, 25, 18, 0), "nights-cy"),
        (datetime(2026, 11, 26, 3, 0), "nights-cy"),  # the night shift started Wednesday
        (datetime(2026, 11, 28, 8, 59), "nights-cy"),  # Saturday morning: Friday's night shift
        (datetime(2026, 11, 28, 9, 0), None),
    ],
)
def test_weekly_shifts_in_the_rosters_zone(local, who):
    assert on_call(local.replace(tzinfo=MANILA), "Asia/Manila", WEEK) == who


def test_midnight_is_the_rosters_midnight_not_utc():
    monday_late_utc = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # Tue 00:00 in Manila
    assert on_call(monday_late_utc, "Asia/Manila", WEEK) == "tue-ben"
    assert on_call(monday_late_utc, "America/New_York", WEEK) == "mon-ana"  # Mon 11:00 in New York


def test_until_names_the_next_change():
    at = datetime(2026, 11, 23, 12, 0, tzinfo=MANILA)
    assert on_call_until(at, "Asia/Manila", WEEK) == datetime(2026, 11, 24, 0, 0, tzinfo=MANILA)


def test_overrides_win_over_shifts_for_their_span():
    cover = Override(
        "cover-ed", datetime(2026, 11, 23, 22, 0, tzinfo=MANILA), datetime(2026, 11, 24, 2, 0, tzinfo=MANILA)
    )
    assert on_call(datetime(2026, 11, 23, 21, 59, tzinfo=MANILA), "Asia/Manila", WEEK, [cover]) == "mon-ana"
    assert on_call(datetime(2026, 11, 24, 1, 0, tzinfo=MANILA), "Asia/Manila", WEEK, [cover]) == "cover-ed"
    assert on_call(datetime(2026, 11, 24, 2, 0, tzinfo=MANILA), "Asia/Manila", WEEK, [cover]) == "tue-ben"


def test_dst_days_follow_wall_clock_time():
    nights = [Shift("night", frozenset(range(7)), time(22), time(6))]
    # 2026-03-08: 02:00 does not exist in New York; the night shift still ends at 06:00 local.
    assert on_call(datetime(2026, 3, 8, 5, 59, tzinfo=NEW_YORK), "America/New_York", nights) == "night"
    assert on_call(datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK), "America/New_York", nights) is None
    # 2026-11-01: 01:30 happens twice; both are inside the shift.
    for fold in (0, 1):
        at = datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=NEW_YORK)
        assert on_call(at, "America/New_York", nights) == "night"


def test_weekday_names_and_errors():
    assert parse_weekdays(["Mon", "tuesday", 6]) == frozenset({0, 1, 6})
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekdays(["funday"])
    with pytest.raises(ValueError, match="at least one"):
        parse_weekdays([])
    with pytest.raises(ValueError, match="aware"):
        on_call(datetime(2026, 1, 1), "UTC", WEEK)


minutes = st.integers(min_value=0, max_value=24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
shifts = st.lists(
    st.builds(
        Shift,
        who=st.integers(0, 5),
        weekdays=st.frozensets(st.integers(0, 6), min_size=1),
        start=minutes,
        end=minutes,
    ),
    max_size=5,
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
zones = st.sampled_from(["Asia/Manila", "America/New_York", "Europe/Berlin", "Australia/Sydney"])


@given(instants, zones, shifts)
def test_the_answer_is_the_first_shift_covering_local_time(at, zone, week):
    who = on_call(at, zone, week)
    local = at.astimezone(ZoneInfo(zone))
    covering = [s.who for s in week if s.covers(local)]
    assert who == (covering[0] if covering else None)


@given(instants, zones, shifts)
def test_nothing_changes_before_until(at, zone, week):
    until = on_call_until(at, zone, week, horizon=timedelta(days=2))
    now = on_call(at, zone, week)
    if until is not None:
        assert on_call(until, zone, week) != now
        assert on_call(until - timedelta(minutes=1), zone, week) == now
