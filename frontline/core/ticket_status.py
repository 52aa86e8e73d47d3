"""The ticket lifecycle: which status may follow which."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


_WORKING = {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}

# new is only ever a starting point; closed is final (a later reply opens a linked ticket).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(_WORKING),
    Status.OPEN: frozenset(_WORKING - {Status.OPEN}),
    Status.PENDING: frozenset(_WORKING - {Status.PENDING}),
    Status.ON_HOLD: frozenset(_WORKING - {Status.ON_HOLD}),
    Status.SOLVED: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

#: Statuses in which the ticket still needs work from the business.
UNRESOLVED = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD})


def can_transition(current: str, target: str) -> bool:
    """Whether a ticket in `current` may move to `target` (staying put is not a transition)."""
    try:
        return Status(target) in TRANSITIONS[Status(current)]
    except ValueError:
        return False


def status_after_inbound(current: str) -> str:
    """The status a customer's reply moves a ticket to: waiting tickets wake up, new stays new."""
    if current in (Status.PENDING, Status.ON_HOLD, Status.SOLVED):
        return Status.OPEN.value
    return current
