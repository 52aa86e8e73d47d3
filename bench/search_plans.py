"""Why full-text search costs what it does, term by term, and what two alternatives would cost.

    .venv/bin/python bench/search_plans.py --db sqlite
    .venv/bin/python bench/search_plans.py --db postgres --stored-tsvector

For each search term of the build: the database time of the query the API runs today (through
the ORM, as `ticket_list_for_principal` builds it; median of --repeat runs), and its plan.

SQLite, also: where the time goes, step by step (FTS5 alone producing the matching index rows;
then mapping them to distinct tickets through tickets_searchentry; then the whole query with the
ticket lookups and the sort), and what counting matches up to a cap costs, which is how a query
could tell a broad term from a narrow one cheaply.

PostgreSQL with --stored-tsvector: on a scratch copy of the database (CREATE DATABASE ...
TEMPLATE, dropped afterwards) a stored generated tsvector column with its own GIN index, and the
same query against the column, so rechecks and filters read the stored vector instead of
re-parsing the text.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg
from databases import DEFAULT_PG_SERVER, BenchDatabase
from psycopg import sql

FTS_ONLY_SQL = "SELECT count(*) FROM tickets_search_fts WHERE tickets_search_fts MATCH ?"
TICKET_IDS_SQL = (
    "SELECT count(DISTINCT ticket_id) FROM tickets_searchentry"
    " WHERE id IN (SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH ?)"
)
FULL_SQL = (
    "SELECT t.id FROM tickets_ticket t WHERE t.id IN (SELECT ticket_id FROM tickets_searchentry"
    " WHERE id IN (SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH ?))"
    " ORDER BY t.updated_at DESC, t.id DESC LIMIT 26"
)
CAP_SQL = (
    "SELECT count(*) FROM (SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH ? LIMIT ?)"
)
STORED_QUERY = """
SELECT t.id FROM tickets_ticket t
WHERE t.id IN (SELECT ticket_id FROM tickets_searchentry WHERE search_vector @@ to_tsquery('simple', %s))
ORDER BY t.updated_at DESC, t.id DESC LIMIT 26
"""
TODAY_QUERY = STORED_QUERY.replace("search_vector", "to_tsvector('simple', text)")


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm the cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def plan_lines(explained: str, keep: int = 16) -> str:
    wanted = ("Scan", "SEARCH", "SCAN", "Sort", "LIST", "B-TREE", "rows=", "Recheck", "Filter")
    lines = [line.rstrip() for line in explained.splitlines() if any(w in line for w in wanted)]
    return "\n".join("      " + line[:150] for line in lines[:keep])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=int, default=2000, help="SQLite: matches counted to call a term broad")
    parser.add_argument("--stored-tsvector", action="store_true", help="PostgreSQL: try a stored column")
    parser.add_argument("--plans", action="store_true", help="print each query plan")
    args = parser.parse_args(argv)
    database = BenchDatabase(args.db, args.tickets, args.messages, args.pg_server)
    manifest = database.read_manifest()
    if manifest is None:
        parser.error(f"no database {database.name}; build it first")
    database.migrate()
    os.environ.clear()
    os.environ.update(database.environment())
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    import django

    django.setup()
    from django.db import connection

    from frontline.accounts.models import User
    from frontline.customers.selectors import principal_for_user
    from frontline.tickets import search, selectors

    principal = principal_for_user(User.objects.get(username="bench-admin"))
    terms: dict[str, int] = manifest["search_terms"]
    print(f"{database.name}: milliseconds of database time per query (median of {args.repeat})")

    def api_query(term: str) -> Any:
        return (
            selectors._visible(principal)
            .filter(pk__in=search.matching_ticket_ids(term))
            .select_related("requester", "team", "assignee")
            .order_by("-updated_at", "-id")[:26]
        )

    results: dict[str, dict[str, float]] = {}
    for term, tickets in sorted(terms.items(), key=lambda item: -item[1]):
        row = results.setdefault(term, {"tickets": tickets})
        row["today"] = median_ms(lambda term=term: list(api_query(term)), args.repeat)
        if args.plans:
            explained = api_query(term).explain(**({"analyze": True} if args.db == "postgres" else {}))
            print(f"  plan for {term!r} today:\n{plan_lines(explained)}")
        if args.db == "sqlite":
            from frontline.core import textsearch

            match = textsearch.fts5_match(textsearch.parse_query(term))
            with connection.cursor() as cursor:
                raw = cursor.connection  # sqlite3.Connection: plain ? parameters

                for key, statement, params in (
                    ("fts_rows", FTS_ONLY_SQL, [match]),
                    ("to_tickets", TICKET_IDS_SQL, [match]),
                    ("full_sql", FULL_SQL, [match]),
                    ("cap", CAP_SQL, [match, args.cap]),
                ):
                    row[key] = median_ms(
                        lambda s=statement, p=params, raw=raw: raw.execute(s, p).fetchall(), args.repeat
                    )
                row["entries"] = raw.execute(FTS_ONLY_SQL, [match]).fetchone()[0]
    connection.close()
    if args.db == "postgres" and args.stored_tsvector:
        stored_experiment(database, terms, results, args)

    columns = ["today"] + (["fts_rows", "to_tickets", "full_sql", "cap"] if args.db == "sqlite" else [])
    columns += ["stored", "today_copy"] if args.stored_tsvector else []
    extra = f" {'entries':>8}" if args.db == "sqlite" else ""
    print(f"{'term':12} {'tickets':>8}{extra} " + " ".join(f"{c:>10}" for c in columns))
    for term, row in results.items():
        cells = " ".join(f"{row.get(c, float('nan')):>10.1f}" for c in columns)
        entries = f" {int(row['entries']):>8,}" if args.db == "sqlite" else ""
        print(f"{term:12} {int(row['tickets']):>8,}{entries} {cells}")
    if args.db == "sqlite":
        print(
            "today: the API's query (ORM); fts_rows: FTS5 alone; to_tickets: + mapping the rows to"
            " distinct tickets; full_sql: + ticket lookups and the sort (today's SQL);"
            f" cap: counting up to {args.cap} matches"
        )
    if args.stored_tsvector:
        print(
            "stored: the same query on a stored tsvector column with its own GIN index;"
            " today_copy: today's expression query on the same scratch copy"
        )
    return 0


def stored_experiment(
    database: BenchDatabase, terms: dict[str, int], results: dict[str, dict[str, float]], args: Any
) -> None:
    from frontline.core import textsearch

    server = database.pg_server.rstrip("/")
    scratch = database.pg_name + "_tsv"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
        started = time.perf_counter()
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(scratch), sql.Identifier(database.pg_name)
            )
        )
        print(f"scratch copy {scratch}: {time.perf_counter() - started:.0f} s")
    try:
        with psycopg.connect(f"{server}/{scratch}", autocommit=True) as connection:
            started = time.perf_counter()
            connection.execute("SET maintenance_work_mem = '512MB'")
            connection.execute(
                "ALTER TABLE tickets_searchentry ADD COLUMN search_vector tsvector"
                " GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
            )
            connection.execute(
                "CREATE INDEX tickets_searchentry_vector ON tickets_searchentry USING GIN (search_vector)"
            )
            connection.execute("ANALYZE tickets_searchentry")
            print(f"stored column + GIN index + ANALYZE: {time.perf_counter() - started:.0f} s")
            for term in terms:
                query = textsearch.tsquery(textsearch.parse_query(term))
                for key, statement in (("stored", STORED_QUERY), ("today_copy", TODAY_QUERY)):
                    results[term][key] = median_ms(
                        lambda s=statement, q=query: connection.execute(s, [q]).fetchall(), args.repeat
                    )
                if args.plans:
                    plan = "\n".join(
                        row[0] for row in connection.execute("EXPLAIN ANALYZE " + STORED_QUERY, [query])
                    )
                    print(f"  plan for {term!r} with the stored column:\n{plan_lines(plan)}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


if __name__ == "__main__":
    sys.exit(main())
