"""Which translation of an article a visitor reads.

Pure module: standard library only (an import-linter contract forbids Django here). Visitors ask
for a language in many spellings ("en-US", "tl", "zh_CN"); articles are stored under one canonical
code per language: `en`, `fil`, `zh-hans`.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FALLBACK", "HIDE", "POLICIES", "canonical", "choose"]

#: Untranslated articles are shown in their default language …
FALLBACK = "fallback"
#: … or left out of the visitor's language altogether.
HIDE = "hide"
POLICIES = (FALLBACK, HIDE)

_ALIASES = {
    "tl": "fil",
    "tgl": "fil",
    "fil-ph": "fil",
    "tl-ph": "fil",
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-my": "zh-hans",
}


def canonical(code: str | None) -> str:
    """The stored form of a language code; "" for nothing. `tl` is Filipino, mainland Chinese `zh-hans`."""
    value = (code or "").strip().lower().replace("_", "-")
    if not value:
        return ""
    if value in _ALIASES:
        return _ALIASES[value]
    if value.startswith(("zh-hans", "zh-hant")):
        return value[:7]
    return value.split("-", 1)[0]


def choose(*, wanted: str, available: Iterable[str], default: str, policy: str = FALLBACK) -> str | None:
    """The language to show: the wanted one if it is available, else (when the policy falls back)
    the article's default language if that is available; None when there is nothing to show."""
    languages = set(available)
    if wanted in languages:
        return wanted
    if policy == FALLBACK and default in languages:
        return default
    return None
