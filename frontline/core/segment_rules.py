"""Segment rules: a small language over customer profile fields.

    tier = gold and country = PH
    (language in (fil, en) or lifetime_value >= 5000) and not age_band = "18-24"

`parse` turns text into a tree, `evaluate` applies it to a profile (a mapping), and
`render` turns a tree back into text. Field names are checked against the caller's list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Union

OPERATORS = ("=", "!=", ">=", "<=", ">", "<", "in", "not in")
MAX_RULE_LENGTH = 2000


class RuleError(ValueError):
    """The rule text is not valid; the message says where and why."""


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Rule, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    item: Rule


Rule = Union[Comparison, And, Or, Not]  # noqa: UP007  (recursive alias needs Union at runtime)

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>!=|>=|<=|=|>|<)
      | (?P<paren>[(),])
      | "(?P<dq>(?:[^"\\]|\\.)*)"
      | '(?P<sq>(?:[^'\\]|\\.)*)'
      | (?P<word>[^\s()=!<>,"']+)
    )""",
    re.VERBOSE,
)


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise RuleError(f"unexpected character at position {pos + 1}: {text[pos : pos + 10]!r}")
        pos = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind in ("dq", "sq"):
            tokens.append(("str", re.sub(r"\\(.)", r"\1", value)))
        elif kind == "word" and value.lower() in ("and", "or", "not", "in"):
            tokens.append((value.lower(), value.lower()))
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], fields: Sequence[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise RuleError(f"rule ends early: expected {value or kind or 'more'}")
        if (kind and token[0] != kind) or (value and token[1] != value):
            raise RuleError(f"expected {value or kind} but found {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Rule:
        rule = self.or_()
        if self.peek() is not None:
            raise RuleError(f"unexpected {self.peek()[1]!r} after a complete rule")  # type: ignore[index]
        return rule

    def or_(self) -> Rule:
        items = [self.and_()]
        while self.peek() == ("or", "or"):
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Rule:
        items = [self.not_()]
        while self.peek() == ("and", "and"):
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Rule:
        if self.peek() == ("not", "not"):
            self.take()
            return Not(self.not_())
        if self.peek() == ("paren", "("):
            self.take()
            rule = self.or_()
            self.take("paren", ")")
            return rule
        return self.comparison()

    def value(self) -> str:
        token = self.peek()
        if token is None or token[0] not in ("word", "str"):
            raise RuleError(f"expected a value but found {token[1] if token else 'the end'!r}")
        self.pos += 1
        return token[1]

    def comparison(self) -> Comparison:
        kind, field = self.take()
        if kind != "word":
            raise RuleError(f"expected a field name but found {field!r}")
        if field not in self.fields:
            raise RuleError(f"unknown field {field!r}; fields are: {', '.join(self.fields)}")
        token = self.peek()
        if token == ("not", "not"):
            self.take()
            self.take("in")
            op = "not in"
        elif token == ("in", "in"):
            self.take()
            op = "in"
        else:
            op = self.take("op")[1]
        if op in ("in", "not in"):
            self.take("paren", "(")
            values = [self.value()]
            while self.peek() == ("paren", ","):
                self.take()
                values.append(self.value())
            self.take("paren", ")")
            return Comparison(field, op, tuple(values))
        return Comparison(field, op, (self.value(),))


def parse(text: str, fields: Sequence[str]) -> Rule:
    """Parse rule text; raises RuleError with a readable message."""
    if not text.strip():
        raise RuleError("the rule is empty")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    return _Parser(_lex(text), fields).parse()


def _number(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _compare(actual: object, op: str, wanted: str) -> bool:
    if op in ("=", "!="):
        equal = actual is not None and str(actual).casefold() == wanted.casefold()
        return equal if op == "=" else not equal
    left, right = _number(actual) if actual is not None else None, _number(wanted)
    if left is None or right is None:
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def evaluate(rule: Rule, profile: Mapping[str, object]) -> bool:
    """Whether a profile (field -> value) satisfies the rule. Text compares case-insensitively."""
    if isinstance(rule, And):
        return all(evaluate(item, profile) for item in rule.items)
    if isinstance(rule, Or):
        return any(evaluate(item, profile) for item in rule.items)
    if isinstance(rule, Not):
        return not evaluate(rule.item, profile)
    actual = profile.get(rule.field)
    if rule.op == "in":
        return any(_compare(actual, "=", value) for value in rule.values)
    if rule.op == "not in":
        return not any(_compare(actual, "=", value) for value in rule.values)
    return _compare(actual, rule.op, rule.values[0])


def _quote(value: str) -> str:
    if re.fullmatch(r"[^\s()=!<>,\"']+", value) and value.lower() not in ("and", "or", "not", "in"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(rule: Rule) -> str:
    """Rule text that parses back to the same tree."""
    if isinstance(rule, And):
        return " and ".join(
            f"({render(item)})" if isinstance(item, Or) else render(item) for item in rule.items
        )
    if isinstance(rule, Or):
        return " or ".join(render(item) for item in rule.items)
    if isinstance(rule, Not):
        inner = render(rule.item)
        return f"not ({inner})" if isinstance(rule.item, And | Or) else f"not {inner}"
    if rule.op in ("in", "not in"):
        return f"{rule.field} {rule.op} ({', '.join(_quote(v) for v in rule.values)})"
    return f"{rule.field} {rule.op} {_quote(rule.values[0])}"
