"""When each step of an escalation chain is due. Pure: no Django.

Every step's delay counts from the chain's trigger (not from the previous step), in business
time of a calendar or in plain elapsed time, so a chain reads like the escalation list it
replaces: "after 30 minutes notify the lead, after 2 hours page the manager".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

AddBusiness = Callable[[datetime, timedelta], datetime]


def step_due_times(
    triggered_at: datetime, delays: Sequence[tuple[timedelta, bool]], add_business: AddBusiness | None
) -> list[datetime]:
    """Due instant of each (delay, in_business_time) step; business steps need `add_business`."""
    due: list[datetime] = []
    for delay, business in delays:
        if delay < timedelta(0):
            raise ValueError("a step's delay cannot be negative")
        if business:
            if add_business is None:
                raise ValueError("a business-time step needs a calendar")
            due.append(add_business(triggered_at, delay))
        else:
            due.append(triggered_at + delay)
    return due


def steps_due(due_times: Sequence[datetime], done: int, now: datetime) -> int:
    """How many steps should have run by `now` (never fewer than `done`): due times may be unordered
    when business and calendar steps mix, so a step runs once every step before it is due too."""
    count = done
    while count < len(due_times) and due_times[count] <= now:
        count += 1
    return count
