"""Call-center arithmetic of the voice channel: the wait we announce, call durations, callback retries. Pure.

Expected wait (announced to a caller): callers are served in waves by the agents signed on for the
channel. Agents with room now take the first callers at once; every further `staffed` callers wait
one average handle time (talk + hold + after-call work of recent calls in the queue):

    expected = 0                                              if position <= idle
    expected = ceil((position - idle) / staffed) * AHT        otherwise
    unknown  (None)                                           if nobody is signed on

It is a deliberately simple estimate (no Erlang C): it errs towards the longer wait for the first
callers and is exact when every agent finishes a call every AHT seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Average handle time assumed before a queue has any finished calls.
DEFAULT_HANDLE_SECONDS = 180.0
RETRY_BASE = timedelta(minutes=5)
RETRY_FACTOR = 3
RETRY_CAP = timedelta(hours=4)


def expected_wait_seconds(
    *, position: int, staffed: int, idle: int, average_handle_seconds: float
) -> int | None:
    """Seconds until an agent answers the caller at `position` (1 = next), or None if nobody is on."""
    if position <= 0 or (idle > 0 and position <= idle):
        return 0
    if staffed <= 0:
        return None
    waves = math.ceil((position - max(idle, 0)) / staffed)
    return math.ceil(waves * max(average_handle_seconds, 0.0))


def minutes_to_say(seconds: int) -> int:
    """Whole minutes, rounded up, at least one: "about 1 minute" rather than "about 0 minutes"."""
    return max(1, math.ceil(seconds / 60))


def retry_delay(attempt: int) -> timedelta:
    """Wait after unsuccessful callback attempt number `attempt` (1-based): 5, 15, 45 minutes … ≤ 4 h."""
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    delay: timedelta = RETRY_BASE * int(RETRY_FACTOR ** (attempt - 1))
    return min(delay, RETRY_CAP)


@dataclass(frozen=True)
class Durations:
    """Seconds of a call: waiting for an agent, talking (hold excluded), on hold, after-call work."""

    wait: float | None
    talk: float | None
    hold: float
    after_call: float | None


def call_durations(
    *,
    queued_at: datetime,
    answered_at: datetime | None,
    ended_at: datetime | None,
    wrap_up_ended_at: datetime | None,
    hold_seconds: float,
) -> Durations:
    """Wait runs from queueing to the first answer (or the end, for an unanswered call); talk from the
    answer to the end minus hold; after-call from the end to the end of wrap-up."""
    first = answered_at or ended_at
    wait = (first - queued_at).total_seconds() if first is not None else None
    talk = None
    if answered_at is not None and ended_at is not None:
        talk = max((ended_at - answered_at).total_seconds() - hold_seconds, 0.0)
    after = (
        (wrap_up_ended_at - ended_at).total_seconds()
        if wrap_up_ended_at is not None and ended_at is not None
        else None
    )
    return Durations(wait=wait, talk=talk, hold=hold_seconds, after_call=after)
