"""Full-text search over article translations, the same way tickets are searched.

SQLite: an FTS5 table (`knowledge_search_fts`, unicode61 tokenizer) kept in step with
`knowledge_searchentry` by triggers. PostgreSQL: a GIN index on `to_tsvector('simple', text)`.
Both index text normalised by `frontline.core.textsearch`: words stay words (English, Tagalog) and
every Chinese character is a token, so "冷气" finds the two characters side by side. Queries are
per language: the caller filters the translations by language and visibility.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

from frontline.core import textsearch
from frontline.core.errors import Invalid
from frontline.knowledge.models import ArticleTranslation, SearchEntry

MAX_QUERY_LENGTH = 300


def index_translation(translation: ArticleTranslation) -> None:
    """Write (or rewrite) the index row of one translation."""
    text = textsearch.index_text(translation.title, translation.title, translation.body_text)
    updated = SearchEntry.objects.filter(translation=translation).update(text=text)
    if not updated:
        SearchEntry.objects.create(translation=translation, text=text)


def check_query(query: str) -> list[textsearch.Term]:
    if len(query) > MAX_QUERY_LENGTH:
        raise Invalid(f"the search query is longer than {MAX_QUERY_LENGTH} characters", field="q")
    terms = textsearch.parse_query(query)
    if not terms:
        raise Invalid("the search query has no words to look for", field="q")
    return terms


def matching_translation_ids(query: str) -> RawSQL:
    """A subquery of the ids of translations whose title or body contains every term of `query`.

    Use it as `ArticleTranslation.objects.filter(pk__in=matching_translation_ids(q))`.
    """
    terms = check_query(query)
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT translation_id FROM knowledge_searchentry"
            " WHERE to_tsvector('simple', text) @@ to_tsquery('simple', %s)",
            [textsearch.tsquery(terms)],
        )
    if connection.vendor == "sqlite":
        return RawSQL(
            "SELECT translation_id FROM knowledge_searchentry WHERE id IN"
            " (SELECT rowid FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s)",
            [textsearch.fts5_match(terms)],
        )
    raise RuntimeError(f"full-text search is not implemented for {connection.vendor}")  # pragma: no cover


def rebuild() -> int:
    """Re-create every index row from the translations; returns the number of rows."""
    SearchEntry.objects.all().delete()
    entries = [
        SearchEntry(
            translation_id=translation.pk,
            text=textsearch.index_text(translation.title, translation.title, translation.body_text),
        )
        for translation in ArticleTranslation.objects.only("id", "title", "body_text").iterator()
    ]
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
