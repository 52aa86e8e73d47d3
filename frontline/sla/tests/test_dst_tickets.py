"""SLA clocks of tickets opened when the clocks change, on the database, with time frozen.

A ticket's `created_at` is an instant. Written as a local time it can name a moment that does not
exist (spring forward) or one that happens twice (fall back); Python reads a time in the gap
with the offset before the jump (02:30 on 2026-03-08 in New York is 02:30 EST = 07:30 UTC, which
the wall clock shows as 03:30 EDT), and a repeated time as its first occurrence unless `fold=1`.
Each expectation below is worked out by hand in UTC.

New York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC).
Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC); 2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontline.customers.factories import CustomerFactory
from frontline.sla import services
from frontline.sla.models import SlaClock
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

AROUND_THE_CLOCK = {str(day): [["00:00", "24:00"]] for day in range(7)}
NIGHT_SHIFT = {str(day): [["00:00", "04:00"]] for day in range(7)}  # every night, 00:00-04:00 local
OFFICE = {str(day): [["09:00", "17:00"]] for day in range(5)}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "weekly_hours", "created_at", "minutes", "at_risk_at", "due_at"),
    [
        # --- New York, spring forward: 02:30 does not exist; it reads as 07:30 UTC (03:30 EDT).
        pytest.param(
            "America/New_York",
            AROUND_THE_CLOCK,
            datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK),
            60,
            utc(2026, 3, 8, 8, 0),
            utc(2026, 3, 8, 8, 30),  # 04:30 EDT: an hour of real time, not 03:30 by the wall clock
            id="new-york-skipped-0230-around-the-clock",
        ),
        pytest.param(
            "America/New_York",
            NIGHT_SHIFT,
            datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK),
            60,
            utc(2026, 3, 8, 8, 0),  # 30 minutes: the night closes at 04:00 EDT = 08:00 UTC
            utc(2026, 3, 9, 4, 30),  # the other 30 from Monday 00:00 EDT = 04:00 UTC
            id="new-york-skipped-0230-night-shift",
        ),
        pytest.param(
            "America/New_York",
            OFFICE,
            datetime(2026, 3, 8, 2, 30, tzinfo=NEW_YORK),
            240,
            utc(2026, 3, 9, 15, 0),
            utc(2026, 3, 9, 17, 0),  # Monday 09:00 EDT (13:00 UTC) + 4 h, no longer UTC-5
            id="new-york-skipped-0230-office-opens-monday-in-edt",
        ),
        # --- New York, fall back: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
        pytest.param(
            "America/New_York",
            AROUND_THE_CLOCK,
            datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=NEW_YORK),
            60,
            utc(2026, 11, 1, 6, 0),
            utc(2026, 11, 1, 6, 30),  # the second 01:30, in EST
            id="new-york-first-0130-around-the-clock",
        ),
        pytest.param(
            "America/New_York",
            AROUND_THE_CLOCK,
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
            60,
            utc(2026, 11, 1, 7, 0),
            utc(2026, 11, 1, 7, 30),  # 02:30 EST
            id="new-york-second-0130-around-the-clock",
        ),
        # That night is 5 hours long: 00:00 EDT (04:00 UTC) to 04:00 EST (09:00 UTC).
        pytest.param(
            "America/New_York",
            NIGHT_SHIFT,
            datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=NEW_YORK),
            240,
            utc(2026, 11, 1, 7, 30),
            utc(2026, 11, 2, 5, 30),  # 3.5 h to 09:00 UTC, 30 min from Monday 00:00 EST (05:00 UTC)
            id="new-york-first-0130-night-shift",
        ),
        pytest.param(
            "America/New_York",
            NIGHT_SHIFT,
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
            240,
            utc(2026, 11, 1, 8, 30),
            utc(2026, 11, 2, 6, 30),  # 2.5 h to 09:00 UTC, 1.5 h from Monday 05:00 UTC
            id="new-york-second-0130-night-shift",
        ),
        # --- Berlin, spring forward: 02:30 does not exist; it reads as 01:30 UTC (03:30 CEST).
        pytest.param(
            "Europe/Berlin",
            AROUND_THE_CLOCK,
            datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN),
            60,
            utc(2026, 3, 29, 2, 0),
            utc(2026, 3, 29, 2, 30),  # 04:30 CEST
            id="berlin-skipped-0230-around-the-clock",
        ),
        pytest.param(
            "Europe/Berlin",
            NIGHT_SHIFT,
            datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN),
            60,
            utc(2026, 3, 29, 2, 0),  # 30 minutes: the night closes at 04:00 CEST = 02:00 UTC
            utc(2026, 3, 29, 22, 30),  # the other 30 from Monday 00:00 CEST = Sunday 22:00 UTC
            id="berlin-skipped-0230-night-shift",
        ),
        # --- Berlin, fall back: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
        pytest.param(
            "Europe/Berlin",
            AROUND_THE_CLOCK,
            datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN),
            120,
            utc(2026, 10, 25, 1, 30),
            utc(2026, 10, 25, 2, 30),  # 03:30 CET
            id="berlin-first-0230-around-the-clock",
        ),
        pytest.param(
            "Europe/Berlin",
            AROUND_THE_CLOCK,
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            120,
            utc(2026, 10, 25, 2, 30),
            utc(2026, 10, 25, 3, 30),  # 04:30 CET
            id="berlin-second-0230-around-the-clock",
        ),
        # That night is 5 hours long: 00:00 CEST (22:00 UTC) to 04:00 CET (03:00 UTC).
        pytest.param(
            "Europe/Berlin",
            NIGHT_SHIFT,
            datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=BERLIN),
            240,
            utc(2026, 10, 25, 2, 30),
            utc(2026, 10, 26, 0, 30),  # 2.5 h to 03:00 UTC, 1.5 h from Monday 00:00 CET (23:00 UTC)
            id="berlin-first-0230-night-shift",
        ),
        pytest.param(
            "Europe/Berlin",
            NIGHT_SHIFT,
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
            240,
            utc(2026, 10, 25, 23, 30),  # 1.5 h to 03:00 UTC, then 30 min on Monday night
            utc(2026, 10, 26, 1, 30),  # 1.5 h to 03:00 UTC, 2.5 h from 23:00 UTC
            id="berlin-second-0230-night-shift",
        ),
    ],
)
def test_first_response_due_for_a_ticket_opened_when_the_clocks_change(
    django_capture_on_commit_callbacks, zone, weekly_hours, created_at, minutes, at_risk_at, due_at
):
    # Given a business-time policy on a calendar in `zone` with no holidays, at risk at half time
    calendar = services.business_calendar_create(
        actor=None, name="Team", timezone_name=zone, weekly_hours=weekly_hours
    )
    services.sla_policy_create(
        actor=None, name="Standard", first_response_minutes=minutes, calendar=calendar, at_risk_ratio=0.5
    )
    # When a ticket is opened at `created_at`, as the signals start its clocks in production
    with time_machine.travel(created_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            actor=None, requester=CustomerFactory(), subject="Clocks changed", created_at=created_at
        )
    # Then the first-response clock runs from that instant to the hand-computed moments
    # (compared in UTC: a local time in a gap or a fold never equals a datetime of another zone)
    clock = SlaClock.objects.get(ticket=ticket, metric=SlaClock.Metric.FIRST_RESPONSE)
    instant = created_at.astimezone(UTC)
    assert (clock.state, clock.started_at, clock.running_since) == ("running", instant, instant)
    assert (clock.at_risk_at, clock.due_at) == (at_risk_at, due_at)
