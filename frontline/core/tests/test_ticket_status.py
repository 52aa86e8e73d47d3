import itertools

import pytest

from frontline.core.ticket_status import TRANSITIONS, Status, can_transition, status_after_inbound

ALLOWED = {
    ("new", "open"),
    ("new", "pending"),
    ("new", "on_hold"),
    ("new", "solved"),
    ("open", "pending"),
    ("open", "on_hold"),
    ("open", "solved"),
    ("pending", "open"),
    ("pending", "on_hold"),
    ("pending", "solved"),
    ("on_hold", "open"),
    ("on_hold", "pending"),
    ("on_hold", "solved"),
    ("solved", "open"),
    ("solved", "pending"),
    ("solved", "on_hold"),
    ("solved", "closed"),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product([s.value for s in Status], repeat=2)))
def test_every_transition_is_allowed_or_refused_as_specified(current, target):
    assert can_transition(current, target) is ((current, target) in ALLOWED)


def test_table_matches_the_specification():
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("current", "target"), [("bogus", "open"), ("open", "bogus"), ("", "")])
def test_unknown_statuses_never_transition(current, target):
    assert can_transition(current, target) is False


@pytest.mark.parametrize(
    ("current", "expected"),
    [("new", "new"), ("open", "open"), ("pending", "open"), ("on_hold", "open"), ("solved", "open")],
)
def test_a_customer_reply_wakes_a_waiting_ticket(current, expected):
    assert status_after_inbound(current) == expected
