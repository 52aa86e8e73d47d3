"""Language codes as scripts are stored under them: `en`, `fil`, `zh-hans`, …

Pure module: standard library only, no Django. Customers and agents write their language in many
ways ("en-US", "tl", "zh_CN", "zh-Hans"); scripts are looked up under one canonical code, falling
back to English, the language of the customer's own call-center document.
"""

from __future__ import annotations

__all__ = ["FALLBACK", "SUPPORTED", "canonical", "is_chinese", "lookup_order"]

FALLBACK = "en"
#: Languages the default scripts and forbidden phrases are written in.
SUPPORTED = ("en", "fil", "zh-hans")

_ALIASES = {
    "tl": "fil",
    "tgl": "fil",
    "fil-ph": "fil",
    "tl-ph": "fil",
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-my": "zh-hans",
    "zh-hans-cn": "zh-hans",
    "zh-tw": "zh-hant",
    "zh-hk": "zh-hant",
    "zh-mo": "zh-hant",
    "zh-hant-tw": "zh-hant",
}


def canonical(code: str | None) -> str:
    """The canonical form of a language code: lower case, `-` separated, regional English is `en`.

    Tagalog (`tl`) is stored as Filipino (`fil`); mainland and Singapore Chinese as `zh-hans`, Taiwan,
    Hong Kong and Macau Chinese as `zh-hant`; other regional variants lose their region. Empty: "".
    """
    value = (code or "").strip().lower().replace("_", "-")
    if not value:
        return ""
    if value in _ALIASES:
        return _ALIASES[value]
    if value.startswith(("zh-hans", "zh-hant")):
        return value[:7]
    return value.split("-", 1)[0]


def lookup_order(code: str | None) -> tuple[str, ...]:
    """Where to look for a script in `code`: the language itself, then English."""
    language = canonical(code)
    if not language or language == FALLBACK:
        return (FALLBACK,)
    return (language, FALLBACK)


def is_chinese(code: str | None) -> bool:
    return canonical(code).startswith("zh")
