"""Pure tests of policy conditions: no database."""

import pytest

from frontline.sla import conditions
from frontline.sla.conditions import Condition, ConditionError, Facts, first_match, matches, parse
from frontline.tickets.models import Ticket

URGENT_GOLD = Facts(priority="urgent", channel="email", customer_tier="gold", segment_ids=frozenset({7}))
LOW_STANDARD = Facts(priority="low", channel="chat", customer_tier="standard")


def test_priorities_are_the_tickets_priorities_lowest_first():
    assert list(conditions.PRIORITIES) == Ticket.Priority.values


@pytest.mark.parametrize(
    ("raw", "urgent_gold", "low_standard"),
    [
        ([], True, True),
        ([{"field": "priority", "op": "eq", "value": "urgent"}], True, False),
        ([{"field": "priority", "op": "ne", "value": "urgent"}], False, True),
        ([{"field": "priority", "op": "gte", "value": "high"}], True, False),
        ([{"field": "priority", "op": "lte", "value": "normal"}], False, True),
        ([{"field": "channel", "op": "in", "value": ["chat", "voice"]}], False, True),
        ([{"field": "channel", "op": "not_in", "value": ["chat", "voice"]}], True, False),
        ([{"field": "customer_tier", "op": "in", "value": ["gold", "platinum"]}], True, False),
        ([{"field": "segment", "op": "eq", "value": 7}], True, False),
        ([{"field": "segment", "op": "ne", "value": 7}], False, True),
        ([{"field": "segment", "op": "in", "value": [3, 7]}], True, False),
        ([{"field": "segment", "op": "not_in", "value": [3, 7]}], False, True),
        (
            [
                {"field": "priority", "op": "eq", "value": "urgent"},
                {"field": "channel", "op": "eq", "value": "chat"},
            ],
            False,
            False,
        ),
    ],
)
def test_all_conditions_must_hold(raw, urgent_gold, low_standard):
    parsed = parse(raw)
    assert (matches(parsed, URGENT_GOLD), matches(parsed, LOW_STANDARD)) == (urgent_gold, low_standard)


def test_the_first_matching_candidate_wins():
    candidates = [
        ("vip", parse([{"field": "customer_tier", "op": "eq", "value": "platinum"}])),
        ("urgent", parse([{"field": "priority", "op": "eq", "value": "urgent"}])),
        ("everyone", []),
    ]
    assert first_match(candidates, URGENT_GOLD) == "urgent"
    assert first_match(candidates, LOW_STANDARD) == "everyone"
    assert first_match(candidates[:2], LOW_STANDARD) is None


def test_segment_use_is_detected():
    assert conditions.uses_segments(parse([{"field": "segment", "op": "eq", "value": 1}]))
    assert not conditions.uses_segments(parse([{"field": "channel", "op": "eq", "value": "sms"}]))


def test_parse_keeps_list_values_as_tuples():
    assert parse([{"field": "channel", "op": "in", "value": ["sms"]}]) == [
        Condition("channel", "in", ("sms",))
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "priority"}, "must be a list"),
        (["priority"], "condition 1 must be an object"),
        ([{"field": "priority", "op": "eq"}], "exactly field, op and value"),
        ([{"field": "colour", "op": "eq", "value": "red"}], "field must be one of"),
        ([{"field": "priority", "op": "like", "value": "high"}], "op must be one of"),
        ([{"field": "channel", "op": "gte", "value": "sms"}], "only compares priorities"),
        ([{"field": "priority", "op": "eq", "value": "critical"}], "priority must be one of"),
        ([{"field": "channel", "op": "in", "value": []}], "non-empty list"),
        ([{"field": "channel", "op": "in", "value": "sms"}], "non-empty list"),
        ([{"field": "segment", "op": "eq", "value": "VIP"}], "by their id"),
        ([{"field": "segment", "op": "eq", "value": True}], "by their id"),
        ([{"field": "customer_tier", "op": "eq", "value": ""}], "non-empty strings"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(raw, message):
    with pytest.raises(ConditionError, match=message):
        parse(raw)
