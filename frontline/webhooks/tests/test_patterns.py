"""Event-type patterns."""

import pytest

from frontline.webhooks import patterns


@pytest.mark.parametrize(
    ("pattern_list", "event_type", "expected"),
    [
        (["*"], "ticket.created", True),
        (["ticket.*"], "ticket.status_changed", True),
        (["ticket.*"], "message.added", False),
        (["ticket.created"], "ticket.created", True),
        (["ticket.created"], "ticket.created_in_admin", False),
        (["customer.*", "message.added"], "message.added", True),
    ],
)
def test_patterns_match_event_types(pattern_list, event_type, expected):
    assert patterns.matches(pattern_list, event_type) is expected


def test_patterns_are_cleaned_and_deduplicated():
    assert patterns.validate([" Ticket.* ", "ticket.*", "*"]) == ["ticket.*", "*"]


@pytest.mark.parametrize("bad", [[], ["ticket created"], ["ticket..created"], ["ticket.[a]"], [3], [""]])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(patterns.PatternError):
        patterns.validate(bad)
