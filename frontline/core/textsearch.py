"""Text normalisation shared by the full-text search backends.

Both backends index the same normalised text: words stay words, and every CJK character
(Chinese, Japanese kana, Korean) becomes a token of its own. A query is split the same way,
and a run of CJK characters becomes a phrase, so "退款" finds text containing the two
characters side by side, in any length of word, which a trigram index cannot do for the
one- and two-character words most Chinese text is made of.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+", re.UNICODE)
_CJK_CHAR = re.compile(rf"[{_CJK}]")
MAX_QUERY_TERMS = 16


@dataclass(frozen=True)
class Term:
    """One query term: a word (matched as a prefix) or a phrase of CJK characters."""

    tokens: tuple[str, ...]
    is_phrase: bool


def tokens(text: str) -> list[str]:
    """Lower-cased word and CJK-character tokens of `text`, accents kept."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _TOKEN.findall(folded)


def index_text(*parts: str) -> str:
    """The text stored in the index: tokens separated by single spaces."""
    return " ".join(token for part in parts for token in tokens(part))


def parse_query(query: str) -> list[Term]:
    """Terms of a user query; words become prefix terms, CJK runs become phrases."""
    terms: list[Term] = []
    run: list[str] = []
    for token in tokens(query):
        if _CJK_CHAR.fullmatch(token):
            run.append(token)
            continue
        if run:
            terms.append(Term(tuple(run), True))
            run = []
        terms.append(Term((token,), False))
    if run:
        terms.append(Term(tuple(run), True))
    return terms[:MAX_QUERY_TERMS]


def fts5_match(terms: list[Term]) -> str:
    """An SQLite FTS5 MATCH expression requiring every term (quoted, so no syntax injection)."""
    parts = []
    for term in terms:
        quoted = '"' + " ".join(t.replace('"', '""') for t in term.tokens) + '"'
        parts.append(quoted if term.is_phrase else quoted + "*")
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    """A PostgreSQL to_tsquery('simple', ...) expression requiring every term."""

    def lexeme(token: str) -> str:
        return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'"

    parts = []
    for term in terms:
        if term.is_phrase:
            parts.append("(" + " <-> ".join(lexeme(t) for t in term.tokens) + ")")
        else:
            parts.append(lexeme(term.tokens[0]) + ":*")
    return " & ".join(parts)


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """Each token of `text` as (start, end, normalised token), the spans in `text` itself."""
    spans = []
    for match in _TOKEN.finditer(text):
        normal = unicodedata.normalize("NFKC", match.group()).casefold()
        if normal:
            spans.append((match.start(), match.end(), normal))
    return spans


def matches(index_text: str, terms: list[Term]) -> bool:
    """Whether one index row (see `index_text`) holds every term, as the full-text engines match it."""
    words = index_text.split(" ")
    for term in terms:
        if term.is_phrase:
            size = len(term.tokens)
            if not any(tuple(words[i : i + size]) == term.tokens for i in range(len(words) - size + 1)):
                return False
        elif not any(word.startswith(term.tokens[0]) for word in words):
            return False
    return True
