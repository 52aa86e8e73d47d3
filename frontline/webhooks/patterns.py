"""Event-type patterns of a subscription: "ticket.created", "ticket.*", "*"."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

_PATTERN = re.compile(r"^(\*|[a-z0-9_]+(\.([a-z0-9_]+|\*))*)$")


class PatternError(ValueError):
    """An event-type pattern that is not names and `*` separated by dots."""


def validate(patterns: Iterable[object]) -> list[str]:
    """The patterns, cleaned (stripped, lower-cased, de-duplicated in order); PatternError if one is bad."""
    cleaned: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise PatternError("each event type is a string such as 'ticket.created' or 'ticket.*'")
        text = pattern.strip().lower()
        if not _PATTERN.match(text):
            raise PatternError(
                f"{pattern!r} is not an event type or pattern: use names and * separated by dots, "
                "e.g. 'ticket.created', 'ticket.*' or '*'"
            )
        if text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise PatternError("give at least one event type, e.g. 'ticket.*' or '*'")
    return cleaned


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether any pattern matches; `*` matches any run of characters, dots included."""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)
