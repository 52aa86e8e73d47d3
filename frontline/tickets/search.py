"""Full-text search over ticket subjects and message bodies, behind one interface.

SQLite: an FTS5 table (`tickets_search_fts`, unicode61 tokenizer) kept in step with
`tickets_searchentry` by triggers. PostgreSQL: a GIN index on `to_tsvector('simple', text)`.
Both index the same normalised text (see `frontline.core.textsearch`), so a query finds the
same tickets on either database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models.expressions import RawSQL

from frontline.core import textsearch
from frontline.core.errors import Invalid
from frontline.tickets.models import Message, SearchEntry, Ticket

MAX_QUERY_LENGTH = 500

#: New index rows written inside `entries_deferred()`, not inserted yet (None: insert each at once).
_deferred: ContextVar[list[SearchEntry] | None] = ContextVar("frontline_search_deferred", default=None)


def _add(entry: SearchEntry) -> None:
    pending = _deferred.get()
    if pending is None:
        entry.save(force_insert=True)
    else:
        pending.append(entry)


def _flush() -> None:
    pending = _deferred.get()
    if pending:
        entries = list(pending)
        pending.clear()
        SearchEntry.objects.bulk_create(entries)


@contextmanager
def entries_deferred() -> Iterator[None]:
    """Insert the new index rows written inside with one `bulk_create` at the end of the block.

    For bulk work that is abandoned as a whole on any error, like `events_deferred()`: if the block
    raises, its rows are dropped. Rows are inserted before any update or move of index rows, so
    those see them. Nested inside another such block, the outer one inserts them.
    """
    if _deferred.get() is not None:
        yield
        return
    token = _deferred.set([])
    try:
        yield
        _flush()
    finally:
        _deferred.reset(token)


@contextmanager
def entries_immediate() -> Iterator[None]:
    """Inside `entries_deferred()`, insert rows one by one again (for work with savepoints of its own)."""
    if _deferred.get() is None:
        yield
        return
    _flush()
    token = _deferred.set(None)
    try:
        yield
    finally:
        _deferred.reset(token)


def index_ticket_subject(ticket: Ticket, *, is_new: bool = False) -> None:
    """Write (or rewrite) the subject's index row."""
    text = textsearch.index_text(ticket.subject)
    if not is_new:
        _flush()
    updated = (
        0 if is_new else SearchEntry.objects.filter(ticket=ticket, message__isnull=True).update(text=text)
    )
    if not updated:
        _add(SearchEntry(ticket=ticket, message=None, text=text))


def index_message(message: Message) -> None:
    _add(
        SearchEntry(
            ticket_id=message.ticket_id, message=message, text=textsearch.index_text(message.body_text)
        )
    )


def move_messages(message_ids: list[int], ticket: Ticket) -> None:
    """Point the index rows of moved messages (merge, split) at their new ticket."""
    _flush()
    SearchEntry.objects.filter(message_id__in=message_ids).update(ticket=ticket)


def matching_ticket_ids(query: str) -> RawSQL:
    """A subquery of the ids of tickets whose subject or any message contains every term of `query`.

    Use it as `Ticket.objects.filter(pk__in=matching_ticket_ids(q))`.
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise Invalid(f"the search query is longer than {MAX_QUERY_LENGTH} characters", field="q")
    terms = textsearch.parse_query(query)
    if not terms:
        raise Invalid("the search query has no words to look for", field="q")
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT ticket_id FROM tickets_searchentry"
            " WHERE to_tsvector('simple', text) @@ to_tsquery('simple', %s)",
            [textsearch.tsquery(terms)],
        )
    if connection.vendor == "sqlite":
        return RawSQL(
            "SELECT ticket_id FROM tickets_searchentry WHERE id IN"
            " (SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH %s)",
            [textsearch.fts5_match(terms)],
        )
    raise RuntimeError(f"full-text search is not implemented for {connection.vendor}")  # pragma: no cover


def rebuild() -> int:
    """Re-create every index row from the tickets and messages; returns the number of rows."""
    SearchEntry.objects.all().delete()
    rows = 0
    batch: list[SearchEntry] = []

    def add(entry: SearchEntry) -> None:
        nonlocal rows, batch
        batch.append(entry)
        if len(batch) >= 2000:
            SearchEntry.objects.bulk_create(batch)
            rows += len(batch)
            batch = []

    for ticket in Ticket.objects.only("id", "subject").iterator(chunk_size=2000):
        add(SearchEntry(ticket_id=ticket.pk, message=None, text=textsearch.index_text(ticket.subject)))
    for message in Message.objects.only("id", "ticket_id", "body_text").iterator(chunk_size=2000):
        add(
            SearchEntry(
                ticket_id=message.ticket_id,
                message_id=message.pk,
                text=textsearch.index_text(message.body_text),
            )
        )
    SearchEntry.objects.bulk_create(batch)
    return rows + len(batch)
