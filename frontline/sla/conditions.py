"""Which SLA policy applies to a ticket: conditions over the ticket and its requester.

Pure module: standard library only, no Django. A policy's conditions are a JSON list of
`{"field": ..., "op": ..., "value": ...}`; all of them must hold (an empty list always holds), and
the first policy whose conditions hold wins.

Fields and what they are compared with:
- `priority`: the ticket's priority (`low` < `normal` < `high` < `urgent`; `gte`/`lte` compare
  in that order);
- `channel`: the ticket's channel of origin;
- `customer_tier`: the requester's tier;
- `segment`: segment ids; `eq` means the requester is in the segment, `ne` that they are not,
  `in` that they are in one of them, `not_in` in none of them.

Operators: `eq`, `ne`, `in`, `not_in` (value a non-empty list), and `gte`, `lte` for priority.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "FIELDS",
    "OPERATORS",
    "PRIORITIES",
    "Condition",
    "ConditionError",
    "Facts",
    "first_match",
    "matches",
    "parse",
    "uses_segments",
]

PRIORITIES = ("low", "normal", "high", "urgent")
"""Ticket priorities, lowest first."""

FIELDS = ("priority", "channel", "customer_tier", "segment")
OPERATORS = ("eq", "ne", "in", "not_in", "gte", "lte")
_LIST_OPERATORS = ("in", "not_in")
_ORDER_OPERATORS = ("gte", "lte")

Value = str | int | tuple[str | int, ...]
T = TypeVar("T")


class ConditionError(ValueError):
    """A condition that cannot be evaluated; the message says which and why."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Value


@dataclass(frozen=True)
class Facts:
    """What conditions are evaluated against."""

    priority: str
    channel: str
    customer_tier: str
    segment_ids: frozenset[int] = frozenset()


def parse(raw: object) -> list[Condition]:
    """Conditions from their JSON form; raises ConditionError naming the first bad one."""
    if not isinstance(raw, list):
        raise ConditionError("conditions must be a list of {field, op, value} objects")
    return [_parse_one(item, index) for index, item in enumerate(raw)]


def _parse_one(item: object, index: int) -> Condition:
    where = f"condition {index + 1}"
    if not isinstance(item, dict) or set(item) != {"field", "op", "value"}:
        raise ConditionError(f"{where} must be an object with exactly field, op and value")
    field, op, value = item["field"], item["op"], item["value"]
    if field not in FIELDS:
        raise ConditionError(f"{where}: field must be one of {', '.join(FIELDS)}, got {field!r}")
    if op not in OPERATORS:
        raise ConditionError(f"{where}: op must be one of {', '.join(OPERATORS)}, got {op!r}")
    if op in _ORDER_OPERATORS and field != "priority":
        raise ConditionError(f"{where}: {op} only compares priorities")
    if op in _LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{where}: {op} needs a non-empty list of values")
        return Condition(field, op, tuple(_scalar(field, v, where) for v in value))
    return Condition(field, op, _scalar(field, value, where))


def _scalar(field: str, value: object, where: str) -> str | int:
    if field == "segment":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConditionError(f"{where}: segments are given by their id, got {value!r}")
        return value
    if not isinstance(value, str) or not value:
        raise ConditionError(f"{where}: {field} values are non-empty strings, got {value!r}")
    if field == "priority" and value not in PRIORITIES:
        raise ConditionError(f"{where}: priority must be one of {', '.join(PRIORITIES)}, got {value!r}")
    return value


def matches(conditions: Iterable[Condition], facts: Facts) -> bool:
    """Whether every condition holds for `facts`."""
    return all(_holds(condition, facts) for condition in conditions)


def _holds(condition: Condition, facts: Facts) -> bool:
    op, value = condition.op, condition.value
    values = value if isinstance(value, tuple) else (value,)
    if condition.field == "segment":
        member = any(v in facts.segment_ids for v in values)
        return member if op in ("eq", "in") else not member
    actual = {"priority": facts.priority, "channel": facts.channel, "customer_tier": facts.customer_tier}[
        condition.field
    ]
    if op in ("eq", "in"):
        return actual in values
    if op in ("ne", "not_in"):
        return actual not in values
    rank = _rank(actual)
    if rank is None:
        return False
    wanted = PRIORITIES.index(str(value))
    return rank >= wanted if op == "gte" else rank <= wanted


def _rank(priority: str) -> int | None:
    return PRIORITIES.index(priority) if priority in PRIORITIES else None


def uses_segments(conditions: Iterable[Condition]) -> bool:
    """Whether evaluating needs the requester's segments (which cost a lookup)."""
    return any(condition.field == "segment" for condition in conditions)


def first_match(candidates: Iterable[tuple[T, Sequence[Condition]]], facts: Facts) -> T | None:
    """The first candidate whose conditions all hold, or None."""
    for candidate, conditions in candidates:
        if matches(conditions, facts):
            return candidate
    return None
