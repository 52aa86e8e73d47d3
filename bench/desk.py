"""Server time of the agent desk's pages at 100,000 tickets: the inboxes and the ticket page.

    make bench-desk                                           # SQLite, build the database if missing
    .venv/bin/python bench/desk.py --db postgres --requests 300
    .venv/bin/python bench/desk.py --queries                  # also list each page's SQL

Uses the database `build.py` builds (`bench/results/data/<db>-t<tickets>-m<messages>/`, built here
when missing) and adds what the desk needs and the HTTP benchmark does not: SLA clocks on the
open tickets (running, at risk, breached) and a supervisor. Requests go in process through
Django's test Client (the WSGI handler, the middleware, the session and the templates; no HTTP
socket), signed in with `force_login` as an agent of the largest team and as the supervisor.
Per page: p50/p95/p99/mean/max of the server time over `--requests` requests after a warm-up,
and the SQL queries of one request (CaptureQueriesContext). The JSON goes on one line to stdout
and to `bench/results/desk-<db>-<UTC time>.json`, then a table. Target: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from databases import DEFAULT_PG_SERVER, RESULTS_DIR, BenchDatabase
from loadgen import percentile

TARGET_P95_MS = 100.0
SUPERVISOR = "bench-supervisor"


def ensure_database(database: BenchDatabase, *, seed: int) -> dict[str, Any]:
    manifest = database.read_manifest()
    if manifest is None:
        import build

        manifest = build.build(database, seed=seed)
    else:
        database.migrate()
    return manifest


def add_desk_data(database: BenchDatabase, manifest: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """SLA clocks on every open ticket and a supervisor, once per database (noted in the manifest)."""
    from django.db import transaction
    from django.db.models import Count

    from frontline.accounts import services as accounts
    from frontline.accounts.models import Role, User
    from frontline.sla.models import SlaClock
    from frontline.tickets.models import Ticket

    if "desk" in manifest:
        return dict(manifest["desk"])
    now = datetime.now(UTC)
    open_statuses = ("new", "open", "pending", "on_hold")
    with transaction.atomic():
        admin = User.objects.get(username="bench-admin")
        if not User.objects.filter(username=SUPERVISOR).exists():
            accounts.staff_create(
                actor=admin,
                username=SUPERVISOR,
                email="bench-supervisor@example.test",
                password=None,
                role=Role.SUPERVISOR,
                first_name="Bench",
                last_name="Supervisor",
            )
        clocks = []
        for ticket_id, created_at in Ticket.objects.filter(status__in=open_statuses).values_list(
            "pk", "created_at"
        ):
            kind = rng.random()
            if kind < 0.1:  # breached
                state, due, risk = SlaClock.State.BREACHED, None, None
            elif kind < 0.3:  # running, at risk now
                due = now + timedelta(minutes=rng.randint(1, 120))
                state, risk = SlaClock.State.RUNNING, now - timedelta(minutes=rng.randint(1, 60))
            else:  # running, comfortable
                due = now + timedelta(hours=rng.randint(3, 72))
                state, risk = SlaClock.State.RUNNING, due - timedelta(hours=1)
            clocks.append(
                SlaClock(
                    ticket_id=ticket_id,
                    metric=SlaClock.Metric.RESOLUTION,
                    state=state,
                    target_minutes=480,
                    business_time=False,
                    at_risk_ratio=0.8,
                    started_at=created_at,
                    running_since=created_at if state == SlaClock.State.RUNNING else None,
                    elapsed=timedelta(0),
                    due_at=due,
                    at_risk_at=risk,
                )
            )
        SlaClock.objects.bulk_create(clocks, batch_size=2000)
    by_state = dict(SlaClock.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    desk = {"sla_clocks": by_state, "open_tickets": len(clocks)}
    manifest["desk"] = desk
    database.write_manifest(manifest)
    return desk


def capture_queries(client: Any, url: str) -> list[str]:
    """The SQL of one request, each with its time ("12.3 ms  SELECT ..."), slowest first.

    An execute wrapper rather than CaptureQueriesContext: a request's start resets `connection.queries`.
    """
    from django.db import connection

    found: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(timed):
        client.get(url)
    return [f"{seconds * 1000:7.1f} ms  {sql}" for seconds, sql in sorted(found, reverse=True)]


def _stats(samples: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        f"{prefix}p50_ms": round(percentile(ordered, 50) * 1000, 2),
        f"{prefix}p95_ms": round(percentile(ordered, 95) * 1000, 2),
        f"{prefix}p99_ms": round(percentile(ordered, 99) * 1000, 2),
        f"{prefix}mean_ms": round(sum(ordered) / len(ordered) * 1000, 2),
        f"{prefix}max_ms": round(ordered[-1] * 1000, 2),
    }


def measure(client: Any, urls: list[str], *, requests: int, warmup: int) -> dict[str, Any]:
    """`requests` GETs cycling through `urls`: wall time, and CPU time of this thread (SQLite included).

    On a shared machine the wall time includes waiting for a core; the CPU time does not.
    """
    for n in range(warmup):
        response = client.get(urls[n % len(urls)])
        if response.status_code != 200:
            raise SystemExit(f"{urls[n % len(urls)]}: HTTP {response.status_code}")
    captured = capture_queries(client, urls[0])
    wall, cpu = [], []
    for n in range(requests):
        url = urls[n % len(urls)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return {
        "requests": len(wall),
        **_stats(wall, ""),
        **_stats(cpu, "cpu_"),
        "queries": len(captured),
        "sql": captured,
    }


def next_page_url(client: Any, url: str) -> str:
    """The desk's own "next page" link (a keyset cursor) on the first page of `url`."""
    html = client.get(url).content.decode()
    found = re.search(r'href="(\?[^"]*cursor=[^"]+)"', html)
    if not found:
        raise SystemExit(f"{url}: no next-page link")
    return "/desk/" + found.group(1).replace("&amp;", "&")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page (at least 200)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request per page")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="LOAD",
        help="before measuring, wait (up to 10 min) until the 1-minute load average is below LOAD",
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    database = BenchDatabase(args.db, args.tickets, args.messages, args.pg_server)
    manifest = ensure_database(database, seed=args.seed)
    os.environ.clear()
    os.environ.update(database.environment())
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from frontline.accounts.models import User
    from frontline.tickets.models import Ticket

    if args.wait_idle:
        deadline = time.monotonic() + 600
        while os.getloadavg()[0] >= args.wait_idle and time.monotonic() < deadline:
            time.sleep(5)
    rng = random.Random(args.seed)
    desk_data = add_desk_data(database, manifest, rng)
    largest_team = (
        Ticket.objects.exclude(team=None).values("team").annotate(n=Count("id")).order_by("-n")[0]["team"]
    )
    agent = User.objects.filter(agent__teams=largest_team).order_by("pk").first()
    supervisor = User.objects.get(username=SUPERVISOR)
    assert agent is not None
    term = max(manifest["search_terms"], key=lambda t: manifest["search_terms"][t])
    results: list[dict[str, Any]] = []
    for role, user in (("agent", agent), ("supervisor", supervisor)):
        client = Client()
        client.force_login(user)
        team_ticket_ids = list(
            Ticket.objects.filter(team=largest_team).order_by("-updated_at").values_list("pk", flat=True)[:50]
        )
        pages = [
            ("inbox mine", "/desk/?inbox=mine"),
            ("inbox team", "/desk/?inbox=team"),
            ("inbox unassigned", "/desk/?inbox=unassigned"),
            ("inbox SLA at risk", "/desk/?inbox=sla"),
            ("inbox all", "/desk/?inbox=all"),
            (f"inbox search '{term}'", f"/desk/?inbox=all&q={term}"),
            ("inbox all, page 2", next_page_url(client, "/desk/?inbox=all")),
            ("inbox team, by SLA due", "/desk/?inbox=team&sort=sla"),
            ("inbox all, by priority", "/desk/?inbox=all&sort=priority"),
            ("inbox all, filtered", "/desk/?inbox=all&channel=email&language=fil"),
            ("list beside a ticket", "/desk/rail/?inbox=team"),
        ]
        for name, url in pages:
            result = measure(client, [url], requests=args.requests, warmup=args.warmup)
            results.append({"role": role, "page": name, "url": url, **result})
        # The ticket page: a different recent ticket of the agent's team on each request.
        ticket_urls = [f"/desk/tickets/{pk}/" for pk in team_ticket_ids]
        result = measure(client, ticket_urls, requests=args.requests, warmup=args.warmup)
        results.append({"role": role, "page": "ticket page", "url": "/desk/tickets/<50 recent>/", **result})
    report = {
        "benchmark": "desk",
        "database": database.name,
        "vendor": args.db,
        "through": "django.test.Client in process (WSGI handler, middleware, templates; no HTTP socket)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "desk_data": desk_data,
        "agent": agent.username,
        "target_p95_ms": TARGET_P95_MS,
        "all_met": all(r["p95_ms"] <= TARGET_P95_MS for r in results),
        "pages": [{k: v for k, v in r.items() if k != "sql"} for r in results],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"desk-{args.db}-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False))
    print()
    print(
        f"{'role':<11} {'page':<28} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
        f" {'cpu p50':>8} {'cpu p95':>8} {'SQL':>4}  p95<=100"
    )
    for r in results:
        met = "yes" if r["p95_ms"] <= TARGET_P95_MS else "NO"
        print(
            f"{r['role']:<11} {r['page'][:28]:<28} {r['requests']:>4} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f}"
            f" {r['p99_ms']:>7.1f} {r['max_ms']:>7.1f} {r['cpu_p50_ms']:>8.1f} {r['cpu_p95_ms']:>8.1f}"
            f" {r['queries']:>4}  {met}"
        )
        if args.queries:
            for sql in r["sql"]:
                print(f"      {sql[:400]}")
    return 0 if report["all_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
