"""The routing engine and the routing service, timed.

    make bench-routing                                       # both parts, SQLite and PostgreSQL
    make bench-routing BENCH_ARGS="--part engine"
    .venv/bin/python bench/routing.py --part service --db sqlite --interactions 2000 --agents 200

1. engine: the pure ACD engine (`frontline.routing.engine`) on `--engine-agents` (1,000) agents
   with skills out of `--skills` (50) and `--engine-contacts` (5,000) waiting contacts, all built
   before the clock starts (`--seed`). Agents: 95 % available; capacity 1, 2, 3 or 5 with a load
   below it (about 1,600 free slots in all, so the batch fills every slot and most contacts keep
   waiting, the costly case: nobody fits); 1 to 6 skills at levels 1-5; English (90 %),
   Filipino (30 %), Chinese (10 %), Spanish (10 %). Contacts: priority 0-3, waiting 0-15
   minutes; none (50 %), one (35 %) or two skills at minimum 1-4; language none (30 %), English
   (50 %), Filipino, Chinese, Spanish; 5 % prefer an agent, 5 % declined two. Rules: sticky 30 s,
   relax after 120 s by one level each 30 s, skills dropped after 600 s. Timed per strategy:
   `plan_assignments` on the whole batch (`--repeat` runs, the best counts), and `pick` for each
   contact on the unchanged agents (what one stateless call costs). A decision is one contact
   considered (assigned, or left waiting because nobody fits). Target: >= 10,000 decisions/s.
2. service: `frontline.routing.services.route_queue` end to end, in a child process per
   database: a throwaway SQLite database in a temporary FRONTLINE_DATA_DIR, and PostgreSQL
   (`--pg-server`, database `bench_routing`, created and dropped). `frontline migrate`; one push
   email queue (longest idle); `--agents` (200) agents with email capacity `--capacity` (10),
   available; `--interactions` (2,000) waiting email interactions (no ticket) enqueued without
   routing. Then `route_queue` is called until it returns nothing (it takes up to 200 contacts a
   call): each assignment locks, connects the interaction (state, agent, an
   `interaction.connected` event) and moves the agent to busy (a `presence.changed` event the
   first time).

Output: the JSON report, then a table, on stdout (`--json PATH` also writes the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
sys.path.insert(0, str(REPOSITORY))

from frontline.routing.engine import (  # noqa: E402  (after the path is set)
    Agent,
    Contact,
    Rules,
    Strategy,
    pick,
    plan_assignments,
    queue_order,
)

TARGET_DECISIONS_PER_SECOND = 10_000
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_routing"


def log(message: str) -> None:
    print(f"[bench-routing] {message}", file=sys.stderr, flush=True)


# --- 1. The pure engine --------------------------------------------------------------------------


def engine_inputs(agents: int, contacts: int, skills: int, seed: int) -> tuple[list[Agent], list[Contact]]:
    rng = random.Random(seed)
    names = [f"skill{n:02}" for n in range(skills)]
    team = []
    for agent_id in range(1, agents + 1):
        capacity = rng.choice([1, 2, 3, 5])
        languages = {
            language
            for language, share in (("en", 0.9), ("fil", 0.3), ("zh", 0.1), ("es", 0.1))
            if rng.random() < share
        }
        team.append(
            Agent(
                id=agent_id,
                available=rng.random() < 0.95,
                capacity=capacity,
                load=rng.randrange(capacity),
                idle_since=NOW - timedelta(seconds=rng.randrange(7200)),
                skills={name: rng.randint(1, 5) for name in rng.sample(names, rng.randint(1, 6))},
                languages=frozenset(languages),
                weight=rng.randint(1, 4),
                last_offered_seq=rng.randrange(10_000),
            )
        )
    waiting = []
    for contact_id in range(1, contacts + 1):
        count = rng.choices([0, 1, 2], weights=[50, 35, 15])[0]
        waiting.append(
            Contact(
                id=contact_id,
                priority=rng.randint(0, 3),
                waiting_since=NOW - timedelta(seconds=rng.randrange(900)),
                skills={name: rng.randint(1, 4) for name in rng.sample(names, count)},
                language=rng.choices(["", "en", "fil", "zh", "es"], weights=[30, 50, 10, 5, 5])[0],
                preferred_agent=rng.randint(1, agents) if rng.random() < 0.05 else None,
                excluded_agents=(
                    frozenset(rng.sample(range(1, agents + 1), 2)) if rng.random() < 0.05 else frozenset()
                ),
            )
        )
    return team, waiting


def bench_engine(args: argparse.Namespace) -> dict[str, Any]:
    agents, contacts = engine_inputs(args.engine_agents, args.engine_contacts, args.skills, args.seed)
    free_slots = sum(a.room for a in agents if a.available)
    ordered = queue_order(contacts)
    report: dict[str, Any] = {
        "agents": len(agents),
        "skills": args.skills,
        "contacts": len(contacts),
        "free_slots": free_slots,
        "seed": args.seed,
        "target_decisions_per_s": TARGET_DECISIONS_PER_SECOND,
        "strategies": {},
    }
    for strategy in args.strategies:
        rules = Rules(
            strategy=strategy,
            sticky_seconds=30,
            relax_after_seconds=120,
            relax_step_seconds=30,
            drop_skills_after_seconds=600,
        )
        runs = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            decisions = plan_assignments(contacts, agents, rules, NOW, random.Random(args.seed))
            runs.append(time.perf_counter() - began)
        batch_seconds = min(runs)
        picks = ordered[: args.picks]
        began = time.perf_counter()
        chooser = random.Random(args.seed)
        picked = sum(1 for contact in picks if pick(contact, agents, rules, NOW, chooser))
        pick_seconds = time.perf_counter() - began
        row: dict[str, dict[str, Any]] = {
            "plan_assignments": {
                "seconds": round(batch_seconds, 4),
                "runs_s": [round(r, 4) for r in runs],
                "decisions_per_s": round(len(contacts) / batch_seconds),
                "assigned": len(decisions),
                "assignments_per_s": round(len(decisions) / batch_seconds),
                "met": len(contacts) / batch_seconds >= TARGET_DECISIONS_PER_SECOND,
            },
            "pick": {
                "contacts": len(picks),
                "seconds": round(pick_seconds, 4),
                "decisions_per_s": round(len(picks) / pick_seconds),
                "with_an_agent": picked,
            },
        }
        report["strategies"][strategy.value] = row
        log(
            f"{strategy.value}: plan_assignments {row['plan_assignments']['decisions_per_s']:,} decisions/s,"
            f" pick {row['pick']['decisions_per_s']:,}/s"
        )
    return report


# --- 2. route_queue on a database ----------------------------------------------------------------


def _service_child(args: argparse.Namespace) -> dict[str, Any]:
    """In a process of its own: the environment already points at the database to use."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - began

    from frontline.accounts.models import Role
    from frontline.accounts.services import agent_profile_update, staff_create
    from frontline.routing import services
    from frontline.routing.models import Interaction

    began = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    queue = services.queue_save(
        actor=None,
        queue=None,
        values={
            "name": "Email",
            "channel": "email",
            "strategy": "longest_idle",
            "fallback": "none",
            "ticket_mode": "push",
        },
    )
    for number in range(args.agents):
        user = staff_create(
            actor=None,
            username=f"agent{number}",
            email=f"agent{number}@example.com",
            password=None,
            role=Role.AGENT,
        )
        agent_profile_update(
            actor=None,
            agent=user.agent,
            languages=["en"],
            capacity={"voice": 1, "chat": 3, "email": args.capacity},
        )
        services.presence_set(actor=user, user=user, state="available", at=now - timedelta(seconds=number))
    for number in range(args.interactions):
        services.interaction_enqueue(
            queue=queue,
            external_id=f"bench-{number}",
            at=now - timedelta(seconds=args.interactions - number),
            route=False,
        )
    fill_seconds = time.perf_counter() - began

    calls = []
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count):
        while True:
            started = time.perf_counter()
            done = services.route_queue(queue=queue, now=now)
            if not done:
                break
            calls.append({"assigned": len(done), "seconds": round(time.perf_counter() - started, 4)})
    seconds = time.perf_counter() - began
    assigned = sum(call["assigned"] for call in calls)
    connected = Interaction.objects.filter(state=Interaction.State.CONNECTED).count()
    return {
        "vendor": connection.vendor,
        "server_version": _server_version(connection),
        "agents": args.agents,
        "capacity": args.capacity,
        "interactions": args.interactions,
        "migrate_seconds": round(migrate_seconds, 1),
        "fill_seconds": round(fill_seconds, 1),
        "route_queue_calls": calls,
        "assigned": assigned,
        "connected_in_database": connected,
        "seconds": round(seconds, 3),
        "assignments_per_s": round(assigned / seconds) if seconds else None,
        "ms_per_assignment": round(seconds * 1000 / assigned, 3) if assigned else None,
        "sql_statements": statements,
        "sql_per_assignment": round(statements / assigned, 1) if assigned else None,
    }


def _server_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _psql(server: str, sql: str) -> None:
    subprocess.run(
        ["psql", f"{server.rstrip('/')}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def bench_service(args: argparse.Namespace, vendor: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="frontline-routing-bench-"))
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "FRONTLINE_SQLITE_PATH",
        "REDIS_URL",
        "FRONTLINE_QUEUE_PATH",
        "FRONTLINE_DEBUG",
    ):
        env.pop(name, None)
    env.update(
        FRONTLINE_DATA_DIR=str(workdir),
        FRONTLINE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="frontline.settings",
    )
    if vendor == "postgres":
        _psql(args.pg_server, f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        _psql(args.pg_server, f"CREATE DATABASE {PG_DATABASE}")
        env["DATABASE_URL"] = f"{args.pg_server.rstrip('/')}/{PG_DATABASE}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--agents",
        str(args.agents),
        "--capacity",
        str(args.capacity),
        "--interactions",
        str(args.interactions),
    ]
    try:
        log(f"route_queue on {vendor}: {args.interactions:,} interactions, {args.agents} agents")
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"{vendor}: {result['assignments_per_s']:,} assignments/s")
        return result
    finally:
        if vendor == "postgres" and not args.keep:
            _psql(args.pg_server, f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# --- Report --------------------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    lines = []
    if "engine" in report:
        e = report["engine"]
        lines += [
            "",
            f"engine: {e['agents']:,} agents, {e['skills']} skills, {e['contacts']:,} waiting contacts,"
            f" {e['free_slots']:,} free slots; target >= {TARGET_DECISIONS_PER_SECOND:,} decisions/s",
            f"  {'strategy':<16}{'batch s':>9}{'decisions/s':>13}{'assigned':>10}{'':>3}"
            f"{'pick decisions/s':>18}",
        ]
        for name, row in e["strategies"].items():
            batch, single = row["plan_assignments"], row["pick"]
            lines.append(
                f"  {name:<16}{batch['seconds']:>9.3f}{batch['decisions_per_s']:>13,}{batch['assigned']:>10,}"
                f"{'met' if batch['met'] else 'MISS':>5}{single['decisions_per_s']:>16,}"
            )
    for vendor in ("sqlite", "postgres"):
        if vendor in report.get("service", {}):
            s = report["service"][vendor]
            lines += [
                "",
                f"route_queue on {vendor} {s['server_version']}: {s['interactions']:,} email interactions,"
                f" {s['agents']} agents x capacity {s['capacity']}"
                f" (built in {s['migrate_seconds']} s migrate + {s['fill_seconds']} s fill)",
                f"  {s['assigned']:,} assigned in {len(s['route_queue_calls'])} calls, {s['seconds']:.2f} s:"
                f" {s['assignments_per_s']:,} assignments/s, {s['ms_per_assignment']} ms each,"
                f" {s['sql_per_assignment']} SQL statements each",
            ]
    machine = report["machine"]
    lines.append(
        f"\nload average before {machine['load_average']}, after {machine.get('load_average_after')};"
        f" {machine['cpus']} CPUs"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["engine", "service", "both"], default="both")
    parser.add_argument("--engine-agents", type=int, default=1000)
    parser.add_argument("--engine-contacts", type=int, default=5000)
    parser.add_argument("--skills", type=int, default=50)
    parser.add_argument(
        "--strategy",
        dest="strategies",
        type=Strategy,
        action="append",
        help="engine strategies to time (repeat the option; default all)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="batch runs per strategy (the best counts)")
    parser.add_argument("--picks", type=int, default=5000, help="contacts timed with pick, one call each")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.strategies = args.strategies or list(Strategy)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(_service_child(args)))
        return 0
    report: dict[str, Any] = {
        "benchmark": "routing",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/routing.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "python": platform.python_version(),
        },
    }
    if args.part in ("engine", "both"):
        report["engine"] = bench_engine(args)
    if args.part in ("service", "both"):
        vendors = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        report["service"] = {vendor: bench_service(args, vendor) for vendor in vendors}
    report["machine"]["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False))
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
