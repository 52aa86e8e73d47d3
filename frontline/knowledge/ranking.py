"""Ordering help-center search results, and the snippet shown under each.

Pure module: standard library only. The database finds the translations containing every query
term (`knowledge.search`); this orders those few by how well they match: a term in the title counts
more than one in the body, and each further occurrence a little more.
"""

from __future__ import annotations

from frontline.core import textsearch

__all__ = ["score", "snippet"]

TITLE_WEIGHT = 5.0
SNIPPET_LENGTH = 200


def _count(haystack: list[str], term: textsearch.Term) -> int:
    size = len(term.tokens)
    if term.is_phrase:
        return sum(1 for i in range(len(haystack) - size + 1) if tuple(haystack[i : i + size]) == term.tokens)
    return sum(1 for token in haystack if token.startswith(term.tokens[0]))


def score(query: str, *, title: str, body: str) -> float:
    """Higher is better; 0 when a term appears nowhere."""
    terms = textsearch.parse_query(query)
    title_tokens = textsearch.tokens(title)
    body_tokens = textsearch.tokens(body)
    total = 0.0
    for term in terms:
        in_title = _count(title_tokens, term)
        in_body = _count(body_tokens, term)
        if not in_title and not in_body:
            return 0.0
        total += TITLE_WEIGHT * min(in_title, 3) + 1.0 + min(in_body, 20) / 10.0
    return total


def snippet(query: str, body: str, length: int = SNIPPET_LENGTH) -> str:
    """A piece of `body` around the first query term found, with an ellipsis where it was cut."""
    text = " ".join(body.split())
    if len(text) <= length:
        return text
    folded = text.casefold()
    start = 0
    for term in textsearch.parse_query(query):
        needle = "".join(term.tokens) if term.is_phrase else term.tokens[0]
        found = folded.find(needle)
        if found >= 0:
            start = max(0, found - length // 4)
            break
    piece = text[start : start + length]
    if start > 0:
        cut = piece.find(" ")
        piece = "…" + (piece[cut + 1 :] if 0 <= cut < 20 else piece)
    if start + length < len(text):
        cut = piece.rfind(" ")
        piece = (piece[:cut] if cut > length // 2 else piece) + "…"
    return piece
