"""Segment rules over the Customer table: field catalogue and translation to ORM filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from frontline.core import segment_rules
from frontline.core.segment_rules import And, Comparison, Not, Or, Rule, RuleError
from frontline.customers.models import Customer

# rule field -> (ORM path, is numeric)
FIELDS: dict[str, tuple[str, bool]] = {
    "tier": ("tier", False),
    "country": ("country", False),
    "region": ("region", False),
    "city": ("city", False),
    "language": ("language", False),
    "timezone": ("timezone", False),
    "age_band": ("age_band", False),
    "education": ("education", False),
    "salutation": ("salutation", False),
    "organization": ("organization__name", False),
    "lifetime_value": ("lifetime_value", True),
}


def _check(rule: Rule) -> None:
    if isinstance(rule, And | Or):
        for item in rule.items:
            _check(item)
    elif isinstance(rule, Not):
        _check(rule.item)
    else:
        _, numeric = FIELDS[rule.field]
        if rule.op in (">", ">=", "<", "<=") and not numeric:
            raise RuleError(f"{rule.field} is text: compare it with =, != or in")
        if numeric:
            for value in rule.values:
                if segment_rules._number(value) is None:
                    raise RuleError(f"{rule.field} needs a number, not {value!r}")


def parse_rule(text: str) -> Rule:
    """Parse and type-check a segment rule; raises RuleError with a readable message."""
    rule = segment_rules.parse(text, list(FIELDS))
    _check(rule)
    return rule


def _equals(path: str, numeric: bool, value: str) -> Q:
    return Q(**{path: value}) if numeric else Q(**{f"{path}__iexact": value})


def rule_to_q(rule: Rule) -> Q:
    if isinstance(rule, And):
        q = Q()
        for item in rule.items:
            q &= rule_to_q(item)
        return q
    if isinstance(rule, Or):
        q = Q(pk__in=[])
        for item in rule.items:
            q |= rule_to_q(item)
        return q
    if isinstance(rule, Not):
        return ~rule_to_q(rule.item)
    return _comparison_q(rule)


def _comparison_q(rule: Comparison) -> Q:
    path, numeric = FIELDS[rule.field]
    if rule.op in ("in", "not in"):
        q = Q(pk__in=[])
        for value in rule.values:
            q |= _equals(path, numeric, value)
        return q if rule.op == "in" else ~q
    if rule.op == "=":
        return _equals(path, numeric, rule.values[0])
    if rule.op == "!=":
        return ~_equals(path, numeric, rule.values[0])
    lookup = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[rule.op]
    return Q(**{f"{path}__{lookup}": rule.values[0]})


def customer_profile(customer: Customer) -> dict[str, Any]:
    """The customer's values of the rule fields, for evaluating a rule in Python."""
    return {
        "tier": customer.tier,
        "country": customer.country,
        "region": customer.region,
        "city": customer.city,
        "language": customer.language,
        "timezone": customer.timezone,
        "age_band": customer.age_band,
        "education": customer.education,
        "salutation": customer.salutation,
        "organization": customer.organization.name if customer.organization_id else None,  # type: ignore[union-attr]
        "lifetime_value": customer.lifetime_value,
    }


def customer_matches(customer: Customer, rule_text: str) -> bool:
    return segment_rules.evaluate(parse_rule(rule_text), customer_profile(customer))
