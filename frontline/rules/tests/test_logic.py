"""Pure tests of the rule language: tables of conditions and actions, and hypothesis laws. No database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.customers.models import Tier
from frontline.rules import logic
from frontline.rules.logic import RuleError, changes_of, evaluate, explain, parse_actions, parse_conditions
from frontline.tickets.models import Channel, Message, Ticket

FACTS = {
    "ticket.id": 12,
    "ticket.subject": "Aircon rattles at night",
    "ticket.status": "pending",
    "ticket.priority": "high",
    "ticket.channel": "email",
    "ticket.category": "Repairs",
    "ticket.product": "",
    "ticket.team": 3,
    "ticket.assignee": None,
    "ticket.tags": ["aircon", "vip"],
    "ticket.status_business_hours": 27.0,
    "customer.tier": "gold",
    "customer.language": "fil",
    "customer.segments": ["Manila gold"],
    "customer.lifetime_value": 1200.5,
    "message.body": "Please FIX it",
    "business_hours.open": False,
}


def cond(field, op, value=None):
    item = {"field": field, "op": op}
    if value is not None:
        item["value"] = value
    return item


def holds(*conditions, changes=None, key="all"):
    return evaluate(parse_conditions({key: list(conditions)}), FACTS, changes)


def test_choices_are_the_models_choices():
    assert list(logic.STATUSES) == Ticket.Status.values
    assert list(logic.PRIORITIES) == Ticket.Priority.values
    assert list(logic.CHANNELS) == Channel.values
    assert list(logic.TIERS) == Tier.values
    assert list(logic.DIRECTIONS) == Message.Direction.values


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond("ticket.status", "is", "pending"), True),
        (cond("ticket.status", "is_not", "pending"), False),
        (cond("ticket.category", "is", "repairs"), True),  # text compares case-insensitively
        (cond("ticket.status", "in", ["open", "pending"]), True),
        (cond("ticket.status", "not_in", ["open", "pending"]), False),
        (cond("ticket.priority", "gte", "high"), True),
        (cond("ticket.priority", "gt", "high"), False),
        (cond("ticket.priority", "lt", "urgent"), True),
        (cond("ticket.priority", "lte", "normal"), False),
        (cond("ticket.subject", "contains", "RATTLE"), True),
        (cond("ticket.subject", "not_contains", "leak"), True),
        (cond("message.body", "contains", "fix"), True),
        (cond("ticket.tags", "contains", "VIP"), True),
        (cond("ticket.tags", "contains", "vi"), False),  # an element, not a substring
        (cond("ticket.tags", "in", ["vip", "urgent"]), True),
        (cond("ticket.tags", "not_in", ["spam"]), True),
        (cond("ticket.team", "is", 3), True),
        (cond("ticket.assignee", "absent"), True),
        (cond("ticket.assignee", "present"), False),
        (cond("ticket.product", "absent"), True),
        (cond("ticket.tags", "present"), True),
        (cond("ticket.status_business_hours", "gte", 27), True),
        (cond("ticket.status_business_hours", "gt", 27), False),
        (cond("customer.lifetime_value", "lt", 1000), False),
        (cond("customer.tier", "in", ["gold", "platinum"]), True),
        (cond("customer.segments", "contains", "manila gold"), True),
        (cond("business_hours.open", "is", False), True),
        (cond("business_hours.open", "is_not", False), False),
        (cond("ticket.age_hours", "gt", 1), False),  # an absent fact compares false
    ],
)
def test_one_condition(condition, expected):
    assert holds(condition) is expected


@pytest.mark.parametrize(
    ("condition", "changes", "expected"),
    [
        (cond("ticket.status", "changed"), {"ticket.status": ("open", "pending")}, True),
        (cond("ticket.status", "changed"), {"ticket.priority": ("low", "high")}, False),
        (cond("ticket.status", "changed"), {"ticket.status": ("open", "open")}, False),
        (cond("ticket.status", "changed_to", "pending"), {"ticket.status": ("open", "pending")}, True),
        (cond("ticket.status", "changed_to", "open"), {"ticket.status": ("open", "pending")}, False),
        (cond("ticket.status", "changed_from", "open"), {"ticket.status": ("open", "pending")}, True),
        (cond("ticket.tags", "changed"), {"ticket.tags": (("a", "b"), ("b", "a"))}, False),
        (cond("ticket.priority", "changed_to", "high"), None, False),
    ],
)
def test_changed_conditions_read_the_events_before_and_after(condition, changes, expected):
    assert holds(condition, changes=changes) is expected


def test_all_and_any_and_nesting():
    yes, no = cond("ticket.status", "is", "pending"), cond("ticket.status", "is", "open")
    assert evaluate(parse_conditions({}), FACTS) is True
    assert evaluate(parse_conditions(None), FACTS) is True
    assert evaluate(parse_conditions({"all": [yes, no]}), FACTS) is False
    assert evaluate(parse_conditions({"any": [yes, no]}), FACTS) is True
    assert evaluate(parse_conditions({"all": [yes], "any": [no]}), FACTS) is False
    nested = {"all": [yes, {"any": [no, cond("customer.tier", "is", "gold")]}]}
    assert evaluate(parse_conditions(nested), FACTS) is True


def test_changes_of_an_update_and_a_creation():
    assert changes_of(
        "ticket.updated", {"status": "open", "tags": ["a"]}, {"status": "pending", "tags": []}
    ) == {
        "ticket.status": ("open", "pending"),
        "ticket.tags": (("a",), ()),
    }
    assert changes_of("ticket.created", {}, {"priority": "low", "requester": 4}) == {
        "ticket.priority": (None, "low")
    }
    assert changes_of("message.added", {}, {"direction": "inbound"}) == {}


@pytest.mark.parametrize(
    ("verb", "after", "names"),
    [
        ("ticket.created", {}, {"ticket.created"}),
        ("ticket.status_changed", {}, {"ticket.updated"}),
        ("ticket.reopened", {}, {"ticket.updated"}),
        ("message.added", {"direction": "inbound"}, {"message.added", "message.inbound"}),
        ("message.added", {"direction": "note"}, {"message.added"}),
        ("sla.breached", {}, {"sla.breached"}),
        ("sla.met", {}, set()),
    ],
)
def test_recorded_events_map_to_trigger_events(verb, after, names):
    assert logic.rule_events_for(verb, after) == names


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ([], "conditions", "give an object"),
        ({"every": []}, "conditions", "unknown key 'every'"),
        ({"all": {}}, "conditions.all", "list"),
        ({"all": [cond("ticket.colour", "is", "red")]}, "conditions.all[0].field", "unknown field"),
        ({"any": [cond("ticket.status", "near", "x")]}, "conditions.any[0].op", "unknown op"),
        ({"all": [cond("ticket.status", "gt", "open")]}, "conditions.all[0].op", "does not apply"),
        ({"all": [cond("ticket.status", "is", "shelved")]}, "conditions.all[0].value", "one of new"),
        ({"all": [cond("ticket.status", "in", [])]}, "conditions.all[0].value", "non-empty list"),
        ({"all": [cond("ticket.team", "is", "Sales")]}, "conditions.all[0].value", "id"),
        ({"all": [cond("ticket.status_hours", "gte", "3")]}, "conditions.all[0].value", "numbers"),
        ({"all": [cond("business_hours.open", "is", "yes")]}, "conditions.all[0].value", "true or false"),
        ({"all": [cond("ticket.assignee", "present", 3)]}, "conditions.all[0].value", "takes no value"),
        ({"all": [cond("customer.tier", "changed")]}, "conditions.all[0].op", "ticket fields"),
        ({"all": [cond("ticket.tags", "changed_to", "vip")]}, "conditions.all[0].op", "single values"),
        (
            {"all": [{"field": "ticket.status", "op": "is", "value": "open", "x": 1}]},
            "conditions.all[0]",
            "'x'",
        ),
        (
            {"all": [{"any": [{"all": [{"any": [cond("ticket.status", "is", "open")]}]}]}]},
            "conditions.all[0].any[0].all[0]",
            "nest",
        ),
    ],
)
def test_bad_conditions_are_refused_naming_the_path(raw, path, words):
    with pytest.raises(RuleError) as caught:
        parse_conditions(raw)
    assert caught.value.path == path
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ([], "actions", "non-empty"),
        ([{"type": "explode"}], "actions[0].type", "unknown action"),
        (
            [{"type": "set_priority", "value": "high"}, {"type": "set_status", "value": "new"}],
            "actions[1].value",
            "",
        ),
        ([{"type": "set_priority"}], "actions[0].value", "needs value"),
        ([{"type": "set_priority", "value": "high", "colour": 1}], "actions[0].colour", "unknown key"),
        ([{"type": "assign"}], "actions[0]", "user_id, team_id"),
        ([{"type": "assign", "user_id": "bob"}], "actions[0].user_id", "id"),
        ([{"type": "add_tags", "tags": []}], "actions[0].tags", "tag names"),
        ([{"type": "add_note", "body": "  "}], "actions[0].body", "non-empty"),
        ([{"type": "notify", "to": "everyone", "title": "x"}], "actions[0].to", "assignee"),
        ([{"type": "notify", "to": "user", "title": "x"}], "actions[0].user_id", "user_id"),
        ([{"type": "notify", "to": "assignee", "title": "x", "user_id": 3}], "actions[0].user_id", "only"),
        ([{"type": "call_webhook", "subscription_id": 0}], "actions[0].subscription_id", "id"),
    ],
)
def test_bad_actions_are_refused_naming_the_path(raw, path, words):
    with pytest.raises(RuleError) as caught:
        parse_actions(raw)
    assert caught.value.path == path
    assert words in caught.value.message


def test_actions_are_parsed_in_order():
    parsed = parse_actions(
        [
            {"type": "assign", "team_id": 2, "user_id": None},
            {"type": "notify", "to": "team_lead", "title": "Hi"},
        ]
    )
    assert [(a.type, dict(a.params), a.path) for a in parsed] == [
        ("assign", {"team_id": 2, "user_id": None}, "actions[0]"),
        ("notify", {"to": "team_lead", "title": "Hi"}, "actions[1]"),
    ]


def test_events_of_triggers_and_automations():
    assert logic.parse_events(["ticket.created", "ticket.created", "sla.breached"], kind="trigger") == [
        "ticket.created",
        "sla.breached",
    ]
    with pytest.raises(RuleError) as caught:
        logic.parse_events(["ticket.created", "ticket.exploded"], kind="trigger")
    assert caught.value.path == "events[1]"
    with pytest.raises(RuleError):
        logic.parse_events([], kind="trigger")
    with pytest.raises(RuleError):
        logic.parse_events(["ticket.created"], kind="automation")


def test_explain_reports_every_condition():
    group = parse_conditions(
        {"all": [cond("ticket.status", "is", "open")], "any": [cond("customer.tier", "in", ["gold"])]}
    )
    matched, results = explain(group, FACTS)
    assert matched is False
    assert [(r.path, r.actual, r.matched) for r in results] == [
        ("conditions.all[0]", "pending", False),
        ("conditions.any[0]", "gold", True),
    ]


def test_nest_makes_template_context():
    assert logic.nest({"ticket.id": 3, "customer.last_name": "Cruz", "flat": 1}) == {
        "ticket": {"id": 3},
        "customer": {"last_name": "Cruz"},
    }


# --- Laws

texts = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["open", "OPEN", "gold", ""]))
fact_values = st.one_of(
    texts,
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.lists(st.sampled_from(["vip", "VIP", "spam", "aircon"]), max_size=3),
)
scalar_conditions = st.one_of(
    st.builds(
        lambda op, value: cond("ticket.category", op, value),
        st.sampled_from(["is", "is_not", "contains", "not_contains"]),
        st.text(min_size=1, max_size=5),
    ),
    st.builds(
        lambda op, values: cond("ticket.status", op, values),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(logic.STATUSES), min_size=1, max_size=3),
    ),
    st.builds(
        lambda op, value: cond("ticket.status_hours", op, value),
        st.sampled_from(["gt", "gte", "lt", "lte", "is", "is_not"]),
        st.integers(-5, 5),
    ),
    st.builds(lambda op: cond("ticket.tags", op), st.sampled_from(["present", "absent"])),
)
facts_strategy = st.fixed_dictionaries(
    {
        "ticket.category": texts,
        "ticket.status": st.one_of(st.none(), st.sampled_from(logic.STATUSES)),
        "ticket.status_hours": st.one_of(st.none(), st.integers(-5, 5), st.floats(-6, 6)),
        "ticket.tags": st.one_of(st.none(), st.lists(st.sampled_from(["vip", "spam"]), max_size=2)),
    }
)

NEGATIONS = {
    "is": "is_not",
    "in": "not_in",
    "contains": "not_contains",
    "present": "absent",
}


@given(condition=scalar_conditions, facts=facts_strategy)
def test_each_operator_and_its_negation_disagree(condition, facts):
    negated_op = NEGATIONS.get(condition["op"]) or {v: k for k, v in NEGATIONS.items()}.get(condition["op"])
    if negated_op is None:
        return
    negated = {**condition, "op": negated_op}
    one = evaluate(parse_conditions({"all": [condition]}), facts)
    other = evaluate(parse_conditions({"all": [negated]}), facts)
    assert one is not other


@given(value=st.integers(-5, 5), actual=st.one_of(st.integers(-5, 5), st.floats(-6, 6)))
def test_orderings_split_the_numbers(value, actual):
    facts = {"ticket.status_hours": actual}

    def check(op):
        return evaluate(parse_conditions({"all": [cond("ticket.status_hours", op, value)]}), facts)

    assert check("gt") is not check("lte")
    assert check("lt") is not check("gte")
    assert check("gte") is (check("gt") or actual == value)


@given(conditions=st.lists(scalar_conditions, max_size=5), facts=facts_strategy)
def test_all_is_every_and_any_is_some(conditions, facts):
    each = [evaluate(parse_conditions({"all": [c]}), facts) for c in conditions]
    assert evaluate(parse_conditions({"all": conditions}), facts) is all(each)
    assert evaluate(parse_conditions({"any": conditions}), facts) is (any(each) or not conditions)


@given(
    first=st.lists(scalar_conditions, max_size=3),
    second=st.lists(scalar_conditions, max_size=3),
    facts=facts_strategy,
)
def test_all_of_groups_is_their_conjunction(first, second, facts):
    combined = evaluate(parse_conditions({"all": [*first, *second]}), facts)
    nested = evaluate(parse_conditions({"all": [{"all": first}, {"all": second}]}), facts)
    separately = evaluate(parse_conditions({"all": first}), facts) and evaluate(
        parse_conditions({"all": second}), facts
    )
    assert combined is nested is separately


@given(conditions=st.lists(scalar_conditions, min_size=1, max_size=4), facts=facts_strategy)
def test_explain_agrees_with_evaluate(conditions, facts):
    group = parse_conditions({"any": conditions})
    matched, results = explain(group, facts)
    assert matched is evaluate(group, facts)
    assert matched is any(result.matched for result in results)


@given(facts=st.dictionaries(st.sampled_from(sorted(logic.FIELDS)), fact_values))
def test_conditions_never_raise_on_odd_facts(facts):
    group = parse_conditions(
        {
            "any": [
                cond("ticket.priority", "gte", "high"),
                cond("ticket.tags", "contains", "vip"),
                cond("ticket.subject", "contains", "x"),
                cond("customer.lifetime_value", "lt", 3),
                cond("business_hours.open", "is", True),
                cond("ticket.team", "in", [1, 2]),
            ]
        }
    )
    assert evaluate(group, facts) in (True, False)
