"""Templates of rule actions (an email's body, a note, a notification's title): Django's template
language, sandboxed.

A template may only show facts, `{{ ticket.subject }}`, `{{ customer.salutation }}`, each optionally
through a few text filters (`{{ customer.salutation|default:"Customer" }}`). Tags (`{% ... %}`) are
refused, and so is any lookup that is not a fact name, so a template cannot reach attributes,
methods or settings. The context holds plain values only (texts, numbers, lists).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.utils.html import linebreaks

from frontline.rules.logic import FIELDS, RuleError, nest

ALLOWED_FILTERS = frozenset(
    {
        "default",
        "default_if_none",
        "upper",
        "lower",
        "title",
        "capfirst",
        "truncatechars",
        "truncatewords",
        "floatformat",
        "join",
        "yesno",
        "length",
    }
)

_ENGINE = Engine(
    debug=False,
    libraries={},
    builtins=["django.template.defaultfilters"],
    autoescape=True,
    string_if_invalid="",
)


@lru_cache(maxsize=512)
def _compile(source: str) -> Template:
    return _ENGINE.from_string(source)


def template_check(source: str, *, path: str) -> None:
    """Raise RuleError (at `path`) unless `source` only shows facts through allowed filters."""
    _checked(source, path)


def _checked(source: str, path: str) -> Template:
    if "{%" in source:
        raise RuleError(
            "templates show facts like {{ ticket.subject }}; tags ({% %}) are not allowed", path=path
        )
    try:
        template = _compile(source)
    except TemplateSyntaxError as exc:
        raise RuleError(f"template error: {exc}", path=path) from exc
    for node in template.nodelist:
        if isinstance(node, TextNode):
            continue
        if not isinstance(node, VariableNode):  # pragma: no cover - only tags make other nodes
            raise RuleError("only {{ fact }} placeholders are allowed", path=path)
        _check_expression(node.filter_expression, path)
    return template


def _check_expression(expression: FilterExpression, path: str) -> None:
    _check_variable(expression.var, path)
    for function, arguments in expression.filters:
        name = getattr(function, "_filter_name", None) or getattr(function, "__name__", "")
        if name not in ALLOWED_FILTERS:
            raise RuleError(
                f"the filter {name!r} is not allowed; use {', '.join(sorted(ALLOWED_FILTERS))}", path=path
            )
        for is_variable, argument in arguments:
            if is_variable:
                _check_variable(argument, path)


def _check_variable(variable: Any, path: str) -> None:
    if not isinstance(variable, Variable) or variable.literal is not None:
        return  # a literal: "text" or a number
    name = ".".join(variable.lookups or ())
    if name not in FIELDS:
        raise RuleError(
            f"unknown placeholder {{{{ {name} }}}}; use fact names like ticket.subject", path=path
        )


def render_text(source: str, facts: Mapping[str, Any]) -> str:
    """The template filled in as plain text (nothing escaped: it is never read as HTML)."""
    template = _checked(source, "template")
    return template.render(Context(nest(facts), autoescape=False))


def render_html(source: str, facts: Mapping[str, Any]) -> str:
    """The template filled in as HTML: facts escaped, line breaks kept as paragraphs and <br>."""
    template = _checked(source, "template")
    escaped = template.render(Context(nest(facts), autoescape=True))
    return linebreaks(escaped, autoescape=False)
