"""The rule language: conditions over a flat dict of facts, trigger events, and the shape of actions.

Pure module: standard library only, no Django. The ORM side (`rules/selectors.py`) builds the facts
and performs the actions; this module only says what is well formed and what holds.

Conditions are JSON: `{"all": [...], "any": [...]}`. Every item of `all` must hold and at least one
item of `any` (an empty or missing list holds). An item is a condition
`{"field": "ticket.priority", "op": "gte", "value": "high"}` or, nested, another group.

Operators:
- `is`, `is_not`: equal (text compares case-insensitively), not equal;
- `in`, `not_in`: one of a non-empty list (for list fields such as tags: shares an element with it);
- `contains`, `not_contains`: text contains the value (case-insensitively), or a list has the element;
- `gt`, `gte`, `lt`, `lte`: numbers, and priorities in the order low < normal < high < urgent;
  an absent value compares false with all four;
- `present`, `absent`: has a value (not null, not "", not []), or not; they take no value;
- `changed`, `changed_to`, `changed_from`: the event that triggered the rule changed the field (to or
  from the value). Only fields of the ticket itself change; automations have no event, so these never
  hold there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTION_TYPES",
    "CHANNELS",
    "DIRECTIONS",
    "EVENTS",
    "FIELDS",
    "NOTIFY_TARGETS",
    "OPERATORS",
    "PRIORITIES",
    "STATUSES",
    "TIERS",
    "Action",
    "Condition",
    "ConditionResult",
    "Group",
    "RuleError",
    "changes_of",
    "evaluate",
    "explain",
    "fields_used",
    "nest",
    "parse_actions",
    "parse_conditions",
    "parse_events",
    "rule_events_for",
]

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
CHANNELS = ("email", "chat", "voice", "sms", "social", "web_form", "callback", "api")
TIERS = ("standard", "silver", "gold", "platinum")
DIRECTIONS = ("inbound", "outbound", "note")

TEXT, CHOICE, NUMBER, BOOL, LIST, PRIORITY, ID = "text", "choice", "number", "bool", "list", "priority", "id"

FIELDS: dict[str, str] = {
    "ticket.id": ID,
    "ticket.subject": TEXT,
    "ticket.status": CHOICE,
    "ticket.priority": PRIORITY,
    "ticket.channel": CHOICE,
    "ticket.category": TEXT,
    "ticket.product": TEXT,
    "ticket.team": ID,
    "ticket.assignee": ID,
    "ticket.tags": LIST,
    "ticket.age_hours": NUMBER,
    "ticket.status_hours": NUMBER,
    "ticket.status_business_hours": NUMBER,
    "customer.id": ID,
    "customer.name": TEXT,
    "customer.salutation": TEXT,
    "customer.first_name": TEXT,
    "customer.last_name": TEXT,
    "customer.email": TEXT,
    "customer.tier": CHOICE,
    "customer.language": TEXT,
    "customer.country": TEXT,
    "customer.region": TEXT,
    "customer.city": TEXT,
    "customer.timezone": TEXT,
    "customer.organization": TEXT,
    "customer.segments": LIST,
    "customer.lifetime_value": NUMBER,
    "message.direction": CHOICE,
    "message.channel": CHOICE,
    "message.body": TEXT,
    "business_hours.open": BOOL,
    "event.name": TEXT,
}
"""Every field a condition may name (and a template may show), with its kind."""

_CHOICES: dict[str, tuple[str, ...]] = {
    "ticket.status": STATUSES,
    "ticket.channel": CHANNELS,
    "ticket.priority": PRIORITIES,
    "customer.tier": TIERS,
    "message.direction": DIRECTIONS,
    "message.channel": CHANNELS,
}

#: Ticket fields that events report before and after values of (the `changed` operators).
_CHANGEABLE = {
    "subject": "ticket.subject",
    "status": "ticket.status",
    "priority": "ticket.priority",
    "category": "ticket.category",
    "product": "ticket.product",
    "channel": "ticket.channel",
    "team": "ticket.team",
    "assignee": "ticket.assignee",
    "tags": "ticket.tags",
}

OPERATORS = (
    "is",
    "is_not",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "gt",
    "gte",
    "lt",
    "lte",
    "changed",
    "changed_to",
    "changed_from",
    "present",
    "absent",
)
_NO_VALUE = frozenset({"present", "absent", "changed"})
_ORDER = frozenset({"gt", "gte", "lt", "lte"})
_KIND_OPERATORS: dict[str, frozenset[str]] = {
    TEXT: frozenset({"is", "is_not", "in", "not_in", "contains", "not_contains", "present", "absent"}),
    CHOICE: frozenset({"is", "is_not", "in", "not_in", "present", "absent"}),
    ID: frozenset({"is", "is_not", "in", "not_in", "present", "absent"}),
    NUMBER: frozenset({"is", "is_not", "in", "not_in", "gt", "gte", "lt", "lte", "present", "absent"}),
    PRIORITY: frozenset({"is", "is_not", "in", "not_in", "gt", "gte", "lt", "lte", "present", "absent"}),
    BOOL: frozenset({"is", "is_not"}),
    LIST: frozenset({"in", "not_in", "contains", "not_contains", "present", "absent"}),
}

EVENTS = (
    "ticket.created",
    "ticket.updated",
    "message.added",
    "message.inbound",
    "sla.at_risk",
    "sla.breached",
    "feedback.received",
)
"""What a trigger may listen to. `ticket.updated` also covers status changes made by a message and
reopening; `message.inbound` is `message.added` from the customer."""

ACTION_TYPES = (
    "set_status",
    "set_priority",
    "assign",
    "add_tags",
    "remove_tags",
    "add_note",
    "send_email",
    "notify",
    "call_webhook",
    "start_escalation",
)
NOTIFY_TARGETS = ("user", "assignee", "team_lead")

MAX_CONDITIONS = 50
MAX_DEPTH = 3
MAX_ACTIONS = 20
MAX_TEMPLATE = 10_000

Scalar = str | int | float | bool


class RuleError(ValueError):
    """A rule part that is not well formed; `path` names where, e.g. `conditions.all[2].value`."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Scalar | tuple[Scalar, ...] | None
    path: str


@dataclass(frozen=True)
class Group:
    all: tuple[Condition | Group, ...] = ()
    any: tuple[Condition | Group, ...] = ()


@dataclass(frozen=True)
class ConditionResult:
    """One condition as a dry run reports it."""

    path: str
    field: str
    op: str
    value: Any
    actual: Any
    matched: bool


@dataclass(frozen=True)
class Action:
    type: str
    params: Mapping[str, Any]
    path: str


# --- Conditions


def parse_conditions(raw: object, *, path: str = "conditions") -> Group:
    """The condition group `raw` describes; raises RuleError naming the first bad part."""
    if raw is None:
        return Group()
    return _group(raw, path, depth=1, budget=[MAX_CONDITIONS])


def _group(raw: object, path: str, *, depth: int, budget: list[int]) -> Group:
    if not isinstance(raw, dict):
        raise RuleError('give an object like {"all": [...], "any": [...]}', path=path)
    unknown = sorted(set(raw) - {"all", "any"})
    if unknown:
        raise RuleError(f"unknown key {unknown[0]!r}; a group has only all and any", path=path)
    parts: dict[str, tuple[Condition | Group, ...]] = {}
    for key in ("all", "any"):
        items = raw.get(key)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise RuleError("give a list of conditions", path=f"{path}.{key}")
        parsed: list[Condition | Group] = []
        for index, item in enumerate(items):
            where = f"{path}.{key}[{index}]"
            if isinstance(item, dict) and "field" not in item and ({"all", "any"} & set(item)):
                if depth >= MAX_DEPTH:
                    raise RuleError(f"groups nest at most {MAX_DEPTH} deep", path=where)
                parsed.append(_group(item, where, depth=depth + 1, budget=budget))
                continue
            budget[0] -= 1
            if budget[0] < 0:
                raise RuleError(f"a rule has at most {MAX_CONDITIONS} conditions", path=where)
            parsed.append(_condition(item, where))
        parts[key] = tuple(parsed)
    return Group(all=parts["all"], any=parts["any"])


def _condition(item: object, path: str) -> Condition:
    if not isinstance(item, dict):
        raise RuleError('give an object like {"field": ..., "op": ..., "value": ...}', path=path)
    unknown = sorted(set(item) - {"field", "op", "value"})
    if unknown:
        raise RuleError(f"unknown key {unknown[0]!r}", path=path)
    field, op = item.get("field"), item.get("op")
    if not isinstance(field, str) or field not in FIELDS:
        raise RuleError(f"unknown field {field!r}; fields are {', '.join(FIELDS)}", path=f"{path}.field")
    if not isinstance(op, str) or op not in OPERATORS:
        raise RuleError(f"unknown op {op!r}; ops are {', '.join(OPERATORS)}", path=f"{path}.op")
    kind = FIELDS[field]
    if op in ("changed", "changed_to", "changed_from"):
        if field not in _CHANGEABLE.values():
            raise RuleError(
                f"{field} is not changed by events; {op} applies to ticket fields", path=f"{path}.op"
            )
        if op != "changed" and kind == LIST:
            raise RuleError(f"{op} compares single values; use changed for {field}", path=f"{path}.op")
    elif op not in _KIND_OPERATORS[kind]:
        allowed = ", ".join(o for o in OPERATORS if o in _KIND_OPERATORS[kind])
        raise RuleError(f"{op} does not apply to {field}; use one of {allowed}", path=f"{path}.op")
    where = f"{path}.value"
    value = item.get("value")
    if op in _NO_VALUE:
        if value is not None:
            raise RuleError(f"{op} takes no value", path=where)
        return Condition(field, op, None, path)
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{op} needs a non-empty list of values", path=where)
        if len(value) > 100:
            raise RuleError("give at most 100 values", path=where)
        return Condition(field, op, tuple(_scalar(field, v, where) for v in value), path)
    if op in ("contains", "not_contains"):
        if not isinstance(value, str) or not value:
            raise RuleError(f"{op} needs a non-empty text", path=where)
        return Condition(field, op, value, path)
    if op in _ORDER:
        if kind == PRIORITY:
            return Condition(field, op, _scalar(field, value, where), path)
        if not _is_number(value):
            raise RuleError(f"{op} compares numbers, got {value!r}", path=where)
        return Condition(field, op, value, path)
    return Condition(field, op, _scalar(field, value, where), path)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(field: str, value: object, where: str) -> Scalar:
    kind = FIELDS[field]
    if kind == BOOL:
        if not isinstance(value, bool):
            raise RuleError(f"{field} is true or false, got {value!r}", path=where)
        return value
    if kind == NUMBER:
        if not _is_number(value):
            raise RuleError(f"{field} is a number, got {value!r}", path=where)
        return value  # type: ignore[return-value]  # a number, checked above
    if kind == ID:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RuleError(
                f"{field} is given by its id (a positive whole number), got {value!r}", path=where
            )
        return value
    if not isinstance(value, str) or not value:
        raise RuleError(f"{field} values are non-empty texts, got {value!r}", path=where)
    choices = _CHOICES.get(field)
    if choices is not None and value not in choices:
        raise RuleError(f"{field} is one of {', '.join(choices)}, got {value!r}", path=where)
    return value


def fields_used(group: Group) -> frozenset[str]:
    """The fields a group's conditions read (to build only the facts they need)."""
    used: set[str] = set()
    for item in (*group.all, *group.any):
        if isinstance(item, Group):
            used |= fields_used(item)
        else:
            used.add(item.field)
    return frozenset(used)


Changes = Mapping[str, tuple[Any, Any]]


def evaluate(group: Group, facts: Mapping[str, Any], changes: Changes | None = None) -> bool:
    """Whether the group holds for `facts` and the triggering event's `changes` (field: (before, after))."""
    delta = changes or {}
    if not all(_item(item, facts, delta) for item in group.all):
        return False
    return not group.any or any(_item(item, facts, delta) for item in group.any)


def _item(item: Condition | Group, facts: Mapping[str, Any], changes: Changes) -> bool:
    if isinstance(item, Group):
        return evaluate(item, facts, changes)
    return holds(item, facts, changes)


def explain(
    group: Group, facts: Mapping[str, Any], changes: Changes | None = None
) -> tuple[bool, list[ConditionResult]]:
    """The group's outcome and every condition's own outcome (none is skipped), for a dry run."""
    delta = changes or {}
    results: list[ConditionResult] = []
    _collect(group, facts, delta, results)
    return evaluate(group, facts, delta), results


def _collect(group: Group, facts: Mapping[str, Any], changes: Changes, out: list[ConditionResult]) -> None:
    for item in (*group.all, *group.any):
        if isinstance(item, Group):
            _collect(item, facts, changes, out)
            continue
        value = list(item.value) if isinstance(item.value, tuple) else item.value
        actual = changes.get(item.field) if item.op.startswith("changed") else facts.get(item.field)
        out.append(
            ConditionResult(
                path=item.path,
                field=item.field,
                op=item.op,
                value=value,
                actual=list(actual) if isinstance(actual, tuple) else actual,
                matched=holds(item, facts, changes),
            )
        )


def holds(condition: Condition, facts: Mapping[str, Any], changes: Changes | None = None) -> bool:
    """Whether one condition holds."""
    op, value = condition.op, condition.value
    if op.startswith("changed"):
        change = (changes or {}).get(condition.field)
        if change is None or _equal(change[0], change[1]):
            return False
        if op == "changed":
            return True
        return _equal(change[1] if op == "changed_to" else change[0], value)
    actual = facts.get(condition.field)
    if op == "present":
        return _present(actual)
    if op == "absent":
        return not _present(actual)
    values = value if isinstance(value, tuple) else (value,)
    items = list(actual) if isinstance(actual, list | tuple | set | frozenset) else None
    if op in ("is", "is_not"):
        return _equal(actual, value) == (op == "is")
    if op in ("in", "not_in"):
        if items is not None:
            found = any(_equal(a, v) for a in items for v in values)
        else:
            found = any(_equal(actual, v) for v in values)
        return found == (op == "in")
    if op in ("contains", "not_contains"):
        needle = str(value).casefold()
        if items is not None:
            found = any(isinstance(a, str) and a.casefold() == needle for a in items)
        else:
            found = isinstance(actual, str) and needle in actual.casefold()
        return found == (op == "contains")
    return _compare(condition.field, op, actual, value)


def _present(value: Any) -> bool:
    return value is not None and value != "" and not (isinstance(value, list | tuple) and not value)


def _equal(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, str) and isinstance(wanted, str):
        return actual.casefold() == wanted.casefold()
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return isinstance(actual, bool) and isinstance(wanted, bool) and actual is wanted
    if isinstance(actual, list | tuple) and isinstance(wanted, list | tuple):
        return sorted(map(str, actual)) == sorted(map(str, wanted))
    return bool(actual == wanted)


def _compare(field: str, op: str, actual: Any, wanted: Any) -> bool:
    if FIELDS[field] == PRIORITY:
        if actual not in PRIORITIES or wanted not in PRIORITIES:
            return False
        left, right = PRIORITIES.index(actual), PRIORITIES.index(wanted)
    else:
        if not _is_number(actual) or not _is_number(wanted):
            return False
        left, right = actual, wanted
    if op == "gt":
        return bool(left > right)
    if op == "gte":
        return bool(left >= right)
    if op == "lt":
        return bool(left < right)
    return bool(left <= right)


# --- Events


def parse_events(raw: object, *, kind: str, path: str = "events") -> list[str]:
    """A trigger's events (at least one, each once); an automation has none."""
    if kind == "automation":
        if raw:
            raise RuleError("automations run on time, not on events: leave events empty", path=path)
        return []
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"a trigger needs a list of events, some of {', '.join(EVENTS)}", path=path)
    events: list[str] = []
    for index, name in enumerate(raw):
        if name not in EVENTS:
            raise RuleError(
                f"unknown event {name!r}; events are {', '.join(EVENTS)}", path=f"{path}[{index}]"
            )
        if name not in events:
            events.append(name)
    return events


def rule_events_for(verb: str, after: Mapping[str, Any]) -> frozenset[str]:
    """The trigger events a recorded event (verb and after-values) counts as."""
    if verb in ("ticket.updated", "ticket.status_changed", "ticket.reopened"):
        return frozenset({"ticket.updated"})
    if verb == "message.added":
        if after.get("direction") == "inbound":
            return frozenset({"message.added", "message.inbound"})
        return frozenset({"message.added"})
    if verb in EVENTS:
        return frozenset({verb})
    return frozenset()


def changes_of(verb: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field to (before, after) of the ticket fields an event changed; on creation every field was None."""
    if verb not in ("ticket.created", "ticket.updated", "ticket.status_changed", "ticket.reopened"):
        return {}
    changes: dict[str, tuple[Any, Any]] = {}
    for key, field in _CHANGEABLE.items():
        if key not in after:
            continue
        old = None if verb == "ticket.created" else before.get(key)
        new = after[key]
        if isinstance(new, list) or isinstance(old, list):
            old, new = tuple(old or ()), tuple(new or ())
        changes[field] = (old, new)
    return changes


# --- Actions


_ACTION_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # action type: (required keys, optional keys)
    "set_status": (frozenset({"value"}), frozenset()),
    "set_priority": (frozenset({"value"}), frozenset()),
    "assign": (frozenset(), frozenset({"user_id", "team_id"})),
    "add_tags": (frozenset({"tags"}), frozenset()),
    "remove_tags": (frozenset({"tags"}), frozenset()),
    "add_note": (frozenset({"body"}), frozenset()),
    "send_email": (frozenset({"body"}), frozenset()),
    "notify": (frozenset({"to", "title"}), frozenset({"user_id", "body", "urgent"})),
    "call_webhook": (frozenset({"subscription_id"}), frozenset()),
    "start_escalation": (frozenset({"chain_id"}), frozenset()),
}

#: Action parameters that are templates (rendered with the facts).
TEMPLATE_KEYS = ("body", "title")


def parse_actions(
    raw: object, *, path: str = "actions", allowed: Sequence[str] = ACTION_TYPES
) -> list[Action]:
    """The actions `raw` lists, checked for shape; ids and templates are checked by the caller."""
    if not isinstance(raw, list) or not raw:
        raise RuleError("give a non-empty list of actions", path=path)
    if len(raw) > MAX_ACTIONS:
        raise RuleError(f"a rule has at most {MAX_ACTIONS} actions", path=path)
    return [_action(item, f"{path}[{index}]", allowed) for index, item in enumerate(raw)]


def _action(item: object, path: str, allowed: Sequence[str]) -> Action:
    if not isinstance(item, dict):
        raise RuleError('give an object like {"type": "set_priority", "value": "high"}', path=path)
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        raise RuleError(f"unknown action {kind!r}; actions are {', '.join(allowed)}", path=f"{path}.type")
    required, optional = _ACTION_KEYS[kind]
    params = {key: value for key, value in item.items() if key != "type"}
    unknown = sorted(set(params) - required - optional)
    if unknown:
        raise RuleError(f"unknown key {unknown[0]!r} for {kind}", path=f"{path}.{unknown[0]}")
    missing = sorted(required - set(params))
    if missing:
        raise RuleError(f"{kind} needs {missing[0]}", path=f"{path}.{missing[0]}")
    check = _ACTION_CHECKS[kind]
    check(params, path)
    return Action(kind, params, path)


def _choice(params: Mapping[str, Any], path: str, choices: tuple[str, ...]) -> None:
    if params["value"] not in choices:
        raise RuleError(f"give one of {', '.join(choices)}, got {params['value']!r}", path=f"{path}.value")


def _id(params: Mapping[str, Any], key: str, path: str, *, nullable: bool = False) -> None:
    value = params.get(key)
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleError(f"give an id (a positive whole number), got {value!r}", path=f"{path}.{key}")


def _text(params: Mapping[str, Any], key: str, path: str) -> None:
    value = params[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleError("give a non-empty text", path=f"{path}.{key}")
    if len(value) > MAX_TEMPLATE:
        raise RuleError(f"give at most {MAX_TEMPLATE} characters", path=f"{path}.{key}")


def _check_assign(params: Mapping[str, Any], path: str) -> None:
    if not params:
        raise RuleError("assign needs user_id, team_id or both (null to clear)", path=path)
    for key in params:
        _id(params, key, path, nullable=True)


def _check_tags(params: Mapping[str, Any], path: str) -> None:
    tags = params["tags"]
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        raise RuleError("give a non-empty list of tag names", path=f"{path}.tags")


def _check_notify(params: Mapping[str, Any], path: str) -> None:
    if params["to"] not in NOTIFY_TARGETS:
        raise RuleError(f"give one of {', '.join(NOTIFY_TARGETS)}, got {params['to']!r}", path=f"{path}.to")
    if params["to"] == "user":
        if "user_id" not in params:
            raise RuleError("notifying a user needs user_id", path=f"{path}.user_id")
        _id(params, "user_id", path)
    elif "user_id" in params:
        raise RuleError(f"user_id is only for to=user, not {params['to']}", path=f"{path}.user_id")
    _text(params, "title", path)
    if "body" in params and not isinstance(params["body"], str):
        raise RuleError("give a text", path=f"{path}.body")
    if "urgent" in params and not isinstance(params["urgent"], bool):
        raise RuleError("give true or false", path=f"{path}.urgent")


_ACTION_CHECKS: dict[str, Callable[[Mapping[str, Any], str], None]] = {
    "set_status": lambda p, path: _choice(p, path, tuple(s for s in STATUSES if s != "new")),
    "set_priority": lambda p, path: _choice(p, path, PRIORITIES),
    "assign": _check_assign,
    "add_tags": _check_tags,
    "remove_tags": _check_tags,
    "add_note": lambda p, path: _text(p, "body", path),
    "send_email": lambda p, path: _text(p, "body", path),
    "notify": _check_notify,
    "call_webhook": lambda p, path: _id(p, "subscription_id", path),
    "start_escalation": lambda p, path: _id(p, "chain_id", path),
}


# --- Templates


def nest(facts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`{"ticket.id": 7}` as `{"ticket": {"id": 7}}`: the shape templates read facts in."""
    nested: dict[str, dict[str, Any]] = {}
    for key, value in facts.items():
        head, _, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
    return nested
