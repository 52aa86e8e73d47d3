"""Where a request's time goes: the benchmark operations in one process, through Django's test client.

    .venv/bin/python bench/profile_requests.py --db sqlite            # every operation
    .venv/bin/python bench/profile_requests.py --db postgres --op create --top 40

Uses a database built by build.py (same --tickets/--messages as the run). For each operation it
times N requests after a warm-up and reports, per request: wall time, the number of SQL queries
and the time spent executing them, and on SQLite how long the write lock was held; then it runs
N more under cProfile and shows self time grouped by library and the top functions. Requests go
through Django's WSGI handler (the test Client), or with --handler asgi through its ASGI handler
(AsyncClient), which is how `frontline serve` runs them; neither includes uvicorn and HTTP: run
profile_server.py for those.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from databases import DEFAULT_PG_SERVER, BenchDatabase
from loadgen import OPERATIONS, Workload, percentile

GROUPS = (  # first match wins, on "path function" of each profiled function
    (
        "database driver + engine (sqlite3 / psycopg calls)",
        ("of 'sqlite3.", "SQLiteCursorWrapper.execute at", "psycopg/", "psycopg_binary", "'execute' of"),
    ),
    ("django.db (ORM, SQL compiler, model instances)", ("django/db/",)),
    ("django (handlers, middleware, request/response)", ("django/",)),
    ("ninja + pydantic (parse, validate, serialise)", ("ninja/", "pydantic")),
    ("asgiref + threads (sync/async hand-offs)", ("asgiref/", "threading.py", "concurrent/", "_thread.")),
    ("asyncio + uvicorn + uvloop", ("asyncio/", "uvicorn/", "uvloop", "httptools")),
    ("orjson / json", ("orjson", "json/")),
    ("frontline", ("frontline/",)),
)


_SAVEPOINT = re.compile(r'(SAVEPOINT) "[^"]+"')


class QueryClock:
    """An execute_wrapper that counts queries and the time spent in the driver."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: Counter[str] = Counter()
        self.transaction_began: float | None = None
        self.write_lock_seconds = 0.0  # SQLite: from BEGIN IMMEDIATE to the end of COMMIT

    def committed(self) -> None:
        if self.transaction_began is not None:
            self.write_lock_seconds += time.perf_counter() - self.transaction_began
            self.transaction_began = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        if sql.startswith("BEGIN IMMEDIATE"):
            self.transaction_began = started
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1
            self.statements[_SAVEPOINT.sub(r"\1 sN", sql.split(" WHERE ")[0][:100])] += 1


def group_of(where: str) -> str:
    for name, needles in GROUPS:
        if any(needle in where for needle in needles):
            return name
    return "other Python (stdlib: inspect, copy, re, datetime, ...)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--op", action="append", choices=OPERATIONS, help="repeatable; default all")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=20, help="functions to list by self time")
    parser.add_argument("--no-cprofile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="list the SQL statements of each operation")
    parser.add_argument(
        "--handler",
        choices=["wsgi", "asgi"],
        default="wsgi",
        help="Django's WSGI handler (test Client) or its ASGI handler (AsyncClient), to compare the two",
    )
    args = parser.parse_args(argv)

    database = BenchDatabase(args.db, args.tickets, args.messages, args.pg_server)
    manifest = database.read_manifest()
    if manifest is None:
        parser.error(f"no database {database.name}; build it with bench/build.py or bench/run.py first")
    database.migrate()
    os.environ.clear()
    os.environ.update(database.environment())
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    import django

    django.setup()
    from django.db import connection, connections
    from django.test import AsyncClient, Client

    wrapper = connections["default"]
    clocks: list[QueryClock] = []
    plain_commit = wrapper._commit

    def timed_commit() -> None:  # the write lock is released when COMMIT returns
        try:
            plain_commit()
        finally:
            for clock in clocks:
                clock.committed()

    wrapper._commit = timed_commit

    headers = {"Authorization": f"Bearer {manifest['token']}"}
    client = Client(headers=headers)
    async_client = AsyncClient()
    loop = asyncio.new_event_loop()
    workload = Workload(manifest, seed=7)

    def send(op: str) -> None:
        method, path, body, expected, _ = workload.next(op)
        if args.handler == "asgi":
            if method == "GET":
                call = async_client.get(path, headers=headers)
            else:
                call = async_client.post(path, data=body, content_type="application/json", headers=headers)
            response = loop.run_until_complete(call)
        elif method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=body, content_type="application/json")
        if response.status_code != expected:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.content[:300]!r}")

    through = "Django's ASGI handler (AsyncClient)" if args.handler == "asgi" else "django.test.Client"
    print(f"{database.name}: in-process requests through {through}, no HTTP server")
    for op in args.op or OPERATIONS:
        for _ in range(20):
            send(op)
        clock = QueryClock()
        clocks[:] = [clock]
        walls = []
        with connection.execute_wrapper(clock):
            for _ in range(args.requests):
                started = time.perf_counter()
                send(op)
                walls.append(time.perf_counter() - started)
        clocks.clear()
        walls.sort()
        n = args.requests
        mean_ms = sum(walls) / n * 1000
        sql_ms = clock.seconds / n * 1000
        p50, p95 = percentile(walls, 50) * 1000, percentile(walls, 95) * 1000
        if args.handler == "asgi":  # the queries run in the request's own thread, out of our sight
            print(f"\n== {op}: wall p50 {p50:.2f} ms, p95 {p95:.2f} ms, mean {mean_ms:.2f} ms")
            continue
        print(
            f"\n== {op}: wall p50 {p50:.2f} ms, p95 {p95:.2f} ms,"
            f" mean {mean_ms:.2f} ms; {clock.count / n:.1f} queries/request taking {sql_ms:.2f} ms"
            f" ({sql_ms / mean_ms:.0%}); Python outside the driver {mean_ms - sql_ms:.2f} ms"
        )
        if clock.write_lock_seconds:
            lock_ms = clock.write_lock_seconds / n * 1000
            print(
                f"   SQLite write lock held {lock_ms:.2f} ms per request (BEGIN IMMEDIATE to COMMIT):"
                f" at most {1000 / lock_ms:.0f} such writes/s however many processes serve them"
            )
        if args.queries:
            for statement, count in clock.statements.most_common():
                print(f"   {count / n:5.1f}x  {statement}")
        if args.no_cprofile:
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            send(op)
        profiler.disable()
        stats = pstats.Stats(profiler)
        raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]  # pstats keeps it undocumented
        total = sum(entry[2] for entry in raw.values())
        by_group: defaultdict[str, float] = defaultdict(float)
        for (path, _, function), entry in raw.items():
            by_group[group_of(f"{path} {function}")] += entry[2]
        print(
            f"   self time by library (cProfile, {total / n * 1000:.2f} ms/request with profiling overhead):"
        )
        for name, seconds in sorted(by_group.items(), key=lambda item: -item[1]):
            print(f"     {seconds / total:5.1%}  {name}")
        print(f"   top {args.top} functions by self time (ms per request, calls per request):")
        ranked = sorted(raw.items(), key=lambda item: -item[1][2])[: args.top]
        for (path, line, function), entry in ranked:
            where = path.split("site-packages/")[-1].split("/work/main/")[-1]
            print(f"     {entry[2] / n * 1000:6.3f} ms {entry[1] / n:6.1f}x  {function}  {where}:{line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
