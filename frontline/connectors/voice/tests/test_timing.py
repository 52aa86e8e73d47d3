"""Wait estimates, callback retry delays and call durations: pure arithmetic."""

from datetime import UTC, datetime, timedelta

import pytest

from frontline.connectors.voice import timing

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("position", "staffed", "idle", "aht", "expected"),
    [
        (1, 2, 1, 180, 0),  # an agent has room: answered at once
        (2, 2, 1, 180, 180),  # one ahead takes the free agent; the next frees in one handle time
        (3, 2, 0, 180, 360),  # 3 callers, 2 agents: the third waits two rounds
        (4, 2, 0, 100, 200),
        (1, 0, 0, 180, None),  # nobody signed on: cannot say
        (0, 0, 0, 180, 0),  # not waiting any more
    ],
)
def test_expected_wait(position, staffed, idle, aht, expected):
    assert (
        timing.expected_wait_seconds(
            position=position, staffed=staffed, idle=idle, average_handle_seconds=aht
        )
        == expected
    )


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 1), (59, 1), (60, 1), (61, 2), (360, 6)])
def test_minutes_to_say_round_up_and_never_zero(seconds, minutes):
    assert timing.minutes_to_say(seconds) == minutes


def test_retry_delays_grow_and_are_capped():
    assert [timing.retry_delay(n) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=45),
        timedelta(minutes=135),
        timedelta(hours=4),
        timedelta(hours=4),
    ]
    with pytest.raises(ValueError, match="from 1"):
        timing.retry_delay(0)


def test_durations_of_an_answered_call_exclude_hold_from_talk():
    durations = timing.call_durations(
        queued_at=T,
        answered_at=T + timedelta(seconds=30),
        ended_at=T + timedelta(seconds=150),
        wrap_up_ended_at=T + timedelta(seconds=180),
        hold_seconds=30,
    )
    assert durations == timing.Durations(wait=30, talk=90, hold=30, after_call=30)


def test_an_abandoned_call_waited_until_it_ended_and_never_talked():
    durations = timing.call_durations(
        queued_at=T,
        answered_at=None,
        ended_at=T + timedelta(seconds=45),
        wrap_up_ended_at=None,
        hold_seconds=0,
    )
    assert durations == timing.Durations(wait=45, talk=None, hold=0, after_call=None)
