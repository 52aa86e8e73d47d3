"""Why a search result matched: the words of the query marked in the original text, and a snippet.

Pure: the text comes back in pieces (plain or hit) for a template to escape and wrap in <mark>,
so nothing from the text is ever trusted as markup. Matching follows the search index
(`textsearch`): words match as prefixes, runs of CJK characters as phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontline.core.textsearch import Term, token_spans

ELLIPSIS = "…"


@dataclass(frozen=True)
class Piece:
    text: str
    is_hit: bool


def hit_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """The (start, end) spans of `text` that match a term, in order, not overlapping."""
    spans = token_spans(text)
    hits: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        found = 0
        for term in terms:
            size = len(term.tokens)
            if term.is_phrase:
                window = tuple(s[2] for s in spans[i : i + size])
                if window == term.tokens:
                    found = max(found, size)
            elif spans[i][2].startswith(term.tokens[0]):
                found = max(found, 1)
        if found:
            hits.append((spans[i][0], spans[i + found - 1][1]))
            i += found
        else:
            i += 1
    return hits


def pieces(text: str, hits: list[tuple[int, int]], start: int = 0, end: int | None = None) -> list[Piece]:
    """`text[start:end]` cut into plain and hit pieces at `hits`."""
    stop = len(text) if end is None else end
    out: list[Piece] = []
    at = start
    for hit_start, hit_end in hits:
        if hit_end <= start or hit_start >= stop:
            continue
        hit_start, hit_end = max(hit_start, start), min(hit_end, stop)
        if hit_start > at:
            out.append(Piece(text[at:hit_start], False))
        out.append(Piece(text[hit_start:hit_end], True))
        at = hit_end
    if at < stop:
        out.append(Piece(text[at:stop], False))
    return out


def highlight(text: str, terms: list[Term]) -> list[Piece]:
    """The whole text with every match marked."""
    return pieces(text, hit_spans(text, terms))


def snippet(text: str, terms: list[Term], *, width: int = 180) -> list[Piece]:
    """About `width` characters around the first match (its start a third of the way in), marked.

    Whitespace runs become single spaces; an ellipsis shows where the text was cut. Without a
    match, the start of the text.
    """
    flat = " ".join(text.split())
    hits = hit_spans(flat, terms)
    if not hits:
        cut = flat[:width]
        return [Piece(cut + (ELLIPSIS if len(flat) > width else ""), False)] if cut else []
    first = hits[0][0]
    start = max(0, min(first - width // 3, len(flat) - width))
    if start > 0:  # do not start in the middle of a word
        space = flat.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", max(start, hits[0][1]), end)
        end = space if space != -1 else end
    out = pieces(flat, hits, start, end)
    if start > 0:
        out.insert(0, Piece(ELLIPSIS, False))
    if end < len(flat):
        out.append(Piece(ELLIPSIS, False))
    return out
