from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.segment_rules import And, Comparison, Not, Or, RuleError, evaluate, parse, render

FIELDS = ["tier", "country", "language", "lifetime_value", "city"]


def test_parses_the_example_from_the_issue():
    rule = parse("tier = gold and country = PH", FIELDS)
    assert rule == And((Comparison("tier", "=", ("gold",)), Comparison("country", "=", ("PH",))))
    assert evaluate(rule, {"tier": "GOLD", "country": "ph"}) is True
    assert evaluate(rule, {"tier": "gold", "country": "CN"}) is False


def test_precedence_not_binds_tighter_than_and_tighter_than_or():
    rule = parse("not tier = gold and country = PH or language in (fil, 'zh-hans')", FIELDS)
    assert isinstance(rule, Or)
    assert isinstance(rule.items[0], And)
    assert isinstance(rule.items[0].items[0], Not)


def test_numbers_compare_as_numbers():
    rule = parse("lifetime_value >= 5000", FIELDS)
    assert evaluate(rule, {"lifetime_value": Decimal("10000")}) is True
    assert evaluate(rule, {"lifetime_value": Decimal("999.99")}) is False
    assert evaluate(rule, {"lifetime_value": None}) is False


def test_missing_value_is_never_equal_and_always_not_equal():
    assert evaluate(parse("city = Manila", FIELDS), {}) is False
    assert evaluate(parse("city != Manila", FIELDS), {}) is True
    assert evaluate(parse("city not in (Manila, Cebu)", FIELDS), {"city": "Davao"}) is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("tier =", "expected a value"),
        ("height = 2", "unknown field 'height'"),
        ("tier = gold and", "ends early"),
        ("(tier = gold", "ends early"),
        ("tier = gold)", r"unexpected '\)'"),
        ("tier gold", "expected op"),
        ("tier = gold # x", "unexpected '#'"),
        ("tier = 'gold", "unexpected character"),
    ],
)
def test_bad_rules_say_what_is_wrong(text, message):
    with pytest.raises(RuleError, match=message):
        parse(text, FIELDS)


values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8
)
comparisons = st.builds(
    Comparison,
    st.sampled_from(FIELDS),
    st.sampled_from(["=", "!=", ">", ">=", "<", "<="]),
    st.tuples(values),
) | st.builds(
    Comparison,
    st.sampled_from(FIELDS),
    st.sampled_from(["in", "not in"]),
    st.lists(values, min_size=1, max_size=3).map(tuple),
)
rules = st.recursive(
    comparisons,
    lambda children: (
        st.builds(And, st.lists(children, min_size=2, max_size=3).map(tuple))
        | st.builds(Or, st.lists(children, min_size=2, max_size=3).map(tuple))
        | st.builds(Not, children)
    ),
    max_leaves=8,
)


def _flatten(rule):
    """The tree `parse` builds: nested And/Or of the same kind collapse into one."""
    if isinstance(rule, And | Or):
        items = []
        for item in map(_flatten, rule.items):
            items.extend(item.items if type(item) is type(rule) else [item])
        return type(rule)(tuple(items))
    if isinstance(rule, Not):
        return Not(_flatten(rule.item))
    return rule


@given(rules)
def test_render_then_parse_gives_the_same_rule(rule):
    assert parse(render(rule), FIELDS) == _flatten(rule)


profiles = st.fixed_dictionaries(
    {
        "tier": st.sampled_from(["standard", "gold", None]),
        "country": st.sampled_from(["PH", "CN", ""]),
        "language": st.sampled_from(["en", "fil", "zh-hans"]),
        "lifetime_value": st.decimals(min_value=0, max_value=10_000, places=2),
        "city": st.sampled_from(["Manila", "Cebu", None]),
    }
)


@given(rules, profiles)
def test_not_is_the_complement(rule, profile):
    assert evaluate(Not(rule), profile) is (not evaluate(rule, profile))
