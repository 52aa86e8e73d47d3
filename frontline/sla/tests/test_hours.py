"""Pure tests of stored calendars turned into business calendars: no database."""

from datetime import date, time

import pytest

from frontline.sla.calendar import END_OF_DAY
from frontline.sla.hours import HoursError, StoredCalendar, build, parse_overrides, parse_weekly

YEARS = range(2026, 2027)


def test_stored_hours_build_a_calendar_with_public_and_extra_holidays():
    calendar = build(
        StoredCalendar(
            timezone="Asia/Manila",
            weekly_hours={"0": [["09:00", "18:00"]], "5": [["22:00", "24:00"]]},
            holiday_country="PH",
            extra_holidays=["2026-12-24"],
            overrides={"2026-12-31": [], "2026-12-26": [["09:00", "12:00"]]},
        ),
        years=YEARS,
    )
    assert calendar.weekly == {0: [(time(9), time(18))], 5: [(time(22), END_OF_DAY)]}
    assert {date(2026, 8, 31), date(2026, 12, 24)} <= calendar.holidays
    assert calendar.overrides == {date(2026, 12, 26): [(time(9), time(12))], date(2026, 12, 31): []}


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        (StoredCalendar(timezone="Mars/Olympus", weekly_hours={}), "timezone"),
        (StoredCalendar(timezone="UTC", weekly_hours=[]), "weekly_hours"),
        (StoredCalendar(timezone="UTC", weekly_hours={"7": [["09:00", "17:00"]]}), "weekly_hours"),
        (StoredCalendar(timezone="UTC", weekly_hours={"0": [["9am", "17:00"]]}), "weekly_hours"),
        (StoredCalendar(timezone="UTC", weekly_hours={"0": [["18:00", "09:00"]]}), "weekly_hours"),
        (StoredCalendar(timezone="UTC", weekly_hours={"0": [["09:00"]]}), "weekly_hours"),
        (StoredCalendar(timezone="UTC", weekly_hours={}, extra_holidays=["2026-02-30"]), "extra_holidays"),
        (StoredCalendar(timezone="UTC", weekly_hours={}, overrides={"tomorrow": []}), "overrides"),
        (StoredCalendar(timezone="UTC", weekly_hours={}, holiday_country="XX"), "holiday_country"),
        (
            StoredCalendar(timezone="UTC", weekly_hours={}, holiday_country="US", holiday_subdivision="ZZ"),
            "holiday_subdivision",
        ),
        (StoredCalendar(timezone="UTC", weekly_hours={}, holiday_subdivision="CA"), "holiday_subdivision"),
    ],
)
def test_bad_stored_hours_name_the_field(stored, field):
    with pytest.raises(HoursError) as caught:
        build(stored, years=YEARS)
    assert caught.value.field == field


def test_parsers_accept_seconds_and_empty_overrides():
    assert parse_weekly({"6": [["08:30:15", "09:00"]]}) == {6: [(time(8, 30, 15), time(9))]}
    assert parse_overrides(None) == {}
