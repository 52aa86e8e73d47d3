"""@mentions in an internal note: which usernames a text names. Standard library only.

A mention is "@" followed by a username (Django's characters: letters, digits and . @ + - _), at
the start of the text or after a character that cannot be part of one (so "ana@example.test" is
an email address, not a mention). Dots, hyphens and plus signs that end a mention are the
sentence's, not the name's: "thanks @ana." names "ana".
"""

from __future__ import annotations

import re

_MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]+)")
_TRAILING = ".-+@"


def mentioned_usernames(text: str) -> list[str]:
    """The usernames mentioned in `text`, in order of first mention, each once (case kept)."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(_TRAILING)
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            found.append(name)
    return found
