"""SLA arithmetic and the reconcile safety net, timed.

    make bench-sla                                        # both parts, default sizes
    make bench-sla BENCH_ARGS="--part calendar --calls 200000"
    .venv/bin/python bench/sla.py --part reconcile --tickets 10000

1. calendar: `frontline.sla.calendar.add_business_time` on `--calls` (1,000,000) random inputs,
   generated before the clock starts (`--seed`): a calendar out of six (Manila 09:00-12:00 and
   13:00-18:00 with Philippine holidays, New York with New York State holidays, Berlin with
   Berlin's, Sydney with New South Wales', around the clock in UTC, and Tuesday and Wednesday
   only in London), an aware start drawn uniformly over 2026-2027 in UTC (as the database hands
   them to the services), and a duration log-uniform from 1 minute to 4 weeks. The calendars are
   built before timing, with empty caches: the timed loop fills them, as a fresh process does.
   Target: >= 50,000 calls/s. Then, untimed, each result of a sample is measured back with
   `business_time_between` (it must give the duration again), and each calendar is timed alone.
2. reconcile: a throwaway SQLite database in a temporary FRONTLINE_DATA_DIR (`frontline
   migrate`), a business calendar and policy made through the services (first response 4
   business hours, resolution 8), `--tickets` (100,000) open tickets with their two running
   clocks written with `bulk_create`. `--due-share` (1 %) of the tickets were opened days ago, so
   both their clocks are past at-risk and due; the rest opened in the last hour. Then
   `sla_reconcile` is timed: at a moment before any clock's at-risk time (nothing due), at the
   benchmark's "now" once per pass until it returns 0 (it takes up to 1,000 clocks of each kind
   a pass), and again at "now" when everything due has been handled.

Output: the JSON report, then a table, on stdout (`--json PATH` also writes the JSON).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
sys.path.insert(0, str(REPOSITORY))

from frontline.sla.calendar import (  # noqa: E402  (after the path is set)
    END_OF_DAY,
    BusinessCalendar,
    add_business_time,
    business_time_between,
)

TARGET_CALLS_PER_SECOND = 50_000
STARTS_FROM = datetime(2026, 1, 1, tzinfo=UTC)
STARTS_UNTIL = datetime(2028, 1, 1, tzinfo=UTC)
SHORTEST, LONGEST = timedelta(minutes=1), timedelta(weeks=4)
HOLIDAY_YEARS = range(2025, 2029)
WEEKDAYS = range(5)


def log(message: str) -> None:
    print(f"[bench-sla] {message}", file=sys.stderr, flush=True)


# --- 1. add_business_time ------------------------------------------------------------------------


def _hours(days: range | tuple[int, ...], *intervals: tuple[clock_time, clock_time]) -> dict[int, Any]:
    return {day: list(intervals) for day in days}


def calendars() -> dict[str, BusinessCalendar]:
    """The six calendars, new (empty caches)."""
    return {
        "Manila 9-18, lunch, PH": BusinessCalendar.build(
            timezone="Asia/Manila",
            weekly=_hours(WEEKDAYS, (clock_time(9), clock_time(12)), (clock_time(13), clock_time(18))),
            holiday_country="PH",
            years=HOLIDAY_YEARS,
        ),
        "New York 9-17, US-NY": BusinessCalendar.build(
            timezone="America/New_York",
            weekly=_hours(WEEKDAYS, (clock_time(9), clock_time(17))),
            holiday_country="US",
            holiday_subdivision="NY",
            years=HOLIDAY_YEARS,
        ),
        "Berlin 8-17, lunch, DE-BE": BusinessCalendar.build(
            timezone="Europe/Berlin",
            weekly=_hours(WEEKDAYS, (clock_time(8), clock_time(12)), (clock_time(12, 30), clock_time(17))),
            holiday_country="DE",
            holiday_subdivision="BE",
            years=HOLIDAY_YEARS,
        ),
        "Sydney 8:30-17, AU-NSW": BusinessCalendar.build(
            timezone="Australia/Sydney",
            weekly=_hours(WEEKDAYS, (clock_time(8, 30), clock_time(17))),
            holiday_country="AU",
            holiday_subdivision="NSW",
            years=HOLIDAY_YEARS,
        ),
        "24/7 UTC": BusinessCalendar(timezone="UTC", weekly=_hours(range(7), (clock_time(0), END_OF_DAY))),
        "London Tue+Wed 10-16": BusinessCalendar(
            timezone="Europe/London", weekly=_hours((1, 2), (clock_time(10), clock_time(16)))
        ),
    }


def calendar_inputs(count: int, names: list[str], seed: int) -> list[tuple[datetime, timedelta, str]]:
    rng = random.Random(seed)
    span = (STARTS_UNTIL - STARTS_FROM).total_seconds()
    low, high = math.log(SHORTEST.total_seconds()), math.log(LONGEST.total_seconds())
    inputs = []
    for _ in range(count):
        start = STARTS_FROM + timedelta(seconds=rng.uniform(0, span))
        work = timedelta(seconds=round(math.exp(rng.uniform(low, high))))
        inputs.append((start, work, rng.choice(names)))
    return inputs


def bench_calendar(args: argparse.Namespace) -> dict[str, Any]:
    built = calendars()
    names = list(built)
    log(f"generating {args.calls:,} inputs")
    raw = calendar_inputs(args.calls, names, args.seed)
    inputs = [(start, work, built[name]) for start, work, name in raw]
    log("timing add_business_time")
    profile = cProfile.Profile() if args.profile else None
    began = time.perf_counter()
    if profile:
        profile.enable()
    results = [add_business_time(start, work, calendar) for start, work, calendar in inputs]
    if profile:
        profile.disable()
    seconds = time.perf_counter() - began
    rate = args.calls / seconds
    log(f"{args.calls:,} calls in {seconds:.2f} s: {rate:,.0f} calls/s")

    checked = min(args.check, args.calls)
    wrong = [
        index
        for index in random.Random(args.seed + 1).sample(range(args.calls), checked)
        if business_time_between(inputs[index][0], results[index], inputs[index][2]) != inputs[index][1]
    ]

    by_calendar: dict[str, list[tuple[datetime, timedelta]]] = defaultdict(list)
    for start, work, name in raw:
        by_calendar[name].append((start, work))
    per_calendar = {}
    fresh = calendars()  # empty caches again, as in the timed run
    for name, pairs in by_calendar.items():
        calendar = fresh[name]
        began = time.perf_counter()
        for start, work in pairs:
            add_business_time(start, work, calendar)
        elapsed = time.perf_counter() - began
        per_calendar[name] = {"calls": len(pairs), "calls_per_s": round(len(pairs) / elapsed)}

    report: dict[str, Any] = {
        "calls": args.calls,
        "seconds": round(seconds, 3),
        "calls_per_s": round(rate),
        "target_calls_per_s": TARGET_CALLS_PER_SECOND,
        "met": rate >= TARGET_CALLS_PER_SECOND,
        "checked_with_business_time_between": checked,
        "check_failures": len(wrong),
        "per_calendar": per_calendar,
        "inputs": {
            "starts": f"uniform {STARTS_FROM.date()} to {STARTS_UNTIL.date()}, UTC",
            "durations": f"log-uniform {SHORTEST} to {LONGEST}",
            "seed": args.seed,
        },
    }
    if profile:
        stats = pstats.Stats(profile)
        rows = sorted(
            stats.stats.items(),  # type: ignore[attr-defined]
            key=lambda item: -item[1][2],
        )[: args.top]
        report["profile_own_time"] = [
            {"function": f"{Path(file).name}:{line}({function})", "calls": calls, "own_s": round(own, 3)}
            for (file, line, function), (_, calls, own, _, _) in rows
        ]
    return report


# --- 2. sla_reconcile on a database --------------------------------------------------------------


def bench_reconcile(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    for name in ("DATABASE_URL", "FRONTLINE_SQLITE_PATH", "REDIS_URL", "FRONTLINE_QUEUE_PATH"):
        os.environ.pop(name, None)
    os.environ["FRONTLINE_DATA_DIR"] = str(workdir)
    os.environ["FRONTLINE_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - began
    setup = _fill(args)
    setup["migrate_seconds"] = round(migrate_seconds, 1)

    from frontline.sla.models import SlaClock
    from frontline.sla.services import sla_reconcile

    def timed(at: datetime) -> tuple[int, float]:
        began = time.perf_counter()
        count = sla_reconcile(now=at)
        return count, time.perf_counter() - began

    now, quiet = setup.pop("now"), setup.pop("quiet")
    idle_before = [timed(quiet) for _ in range(args.repeat)]
    passes = []
    while True:
        count, seconds = timed(now)
        if not count:
            break
        passes.append({"clocks": count, "seconds": round(seconds, 3)})
        if len(passes) > 100:
            raise RuntimeError("reconcile does not settle")
    idle_after = [timed(now) for _ in range(args.repeat)]
    breached = SlaClock.objects.filter(state=SlaClock.State.BREACHED).count()
    handled = sum(p["clocks"] for p in passes)
    handled_seconds = sum(p["seconds"] for p in passes)
    return {
        "setup": setup,
        "nothing_due_before_ms": _ms(idle_before),
        "due": {
            "passes": passes,
            "clocks": handled,
            "seconds": round(handled_seconds, 3),
            "ms_per_clock": round(handled_seconds * 1000 / handled, 3) if handled else None,
            "clocks_breached_after": breached,
        },
        "nothing_due_after_ms": _ms(idle_after),
    }


def _ms(runs: list[tuple[int, float]]) -> dict[str, Any]:
    assert all(count == 0 for count, _ in runs), runs
    values = [seconds * 1000 for _, seconds in runs]
    return {
        "runs": len(values),
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def _fill(args: argparse.Namespace) -> dict[str, Any]:
    """A calendar, a policy, customers, `--tickets` open tickets, two running clocks each."""
    from django.db import transaction

    from frontline.customers.models import Customer
    from frontline.sla import services
    from frontline.sla.models import SlaClock
    from frontline.sla.selectors import business_calendar_of
    from frontline.tickets.models import Ticket

    began = time.perf_counter()
    config = services.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours={str(day): [["09:00", "12:00"], ["13:00", "18:00"]] for day in WEEKDAYS},
        holiday_country="PH",
    )
    policy = services.sla_policy_create(
        actor=None,
        name="Standard",
        first_response_minutes=240,
        resolution_minutes=480,
        calendar=config,
    )
    calendar = business_calendar_of(config)
    manila = ZoneInfo("Asia/Manila")
    # A Wednesday morning this year (the calendar has holidays for it), 10:00 in Manila.
    this_year = datetime.now(UTC).year
    first_june = date(this_year, 6, 1)
    wednesday = first_june + timedelta(days=(2 - first_june.weekday()) % 7 + 7)
    now = datetime.combine(wednesday, clock_time(10), tzinfo=manila).astimezone(UTC)
    rng = random.Random(args.seed)
    due_count = round(args.tickets * args.due_share)
    customers = Customer.objects.bulk_create(
        [Customer(first_name="Customer", last_name=str(i)) for i in range(max(args.tickets // 20, 1))],
        batch_size=5000,
    )
    tickets = []
    for index in range(args.tickets):
        if index < due_count:
            created = now - timedelta(days=rng.uniform(4, 7))
        else:
            created = now - timedelta(minutes=rng.uniform(0, 60))
        tickets.append(
            Ticket(
                subject=f"Ticket {index}",
                status=Ticket.Status.OPEN,
                channel="email",
                requester=customers[index % len(customers)],
                created_at=created,
                updated_at=created,
            )
        )
    rng.shuffle(tickets)  # the overdue ones spread over the id range
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create(tickets, batch_size=5000)
    tickets_seconds = time.perf_counter() - began
    clocks = []
    targets = ((SlaClock.Metric.FIRST_RESPONSE, 240), (SlaClock.Metric.RESOLUTION, 480))
    for ticket in tickets:
        for metric, minutes in targets:
            target = timedelta(minutes=minutes)
            clocks.append(
                SlaClock(
                    ticket=ticket,
                    metric=metric,
                    state=SlaClock.State.RUNNING,
                    policy=policy,
                    target_minutes=minutes,
                    business_time=True,
                    calendar=config,
                    paused_statuses=list(policy.paused_statuses),
                    at_risk_ratio=policy.at_risk_ratio,
                    started_at=ticket.created_at,
                    running_since=ticket.created_at,
                    elapsed=timedelta(0),
                    due_at=add_business_time(ticket.created_at, target, calendar).astimezone(UTC),
                    at_risk_at=add_business_time(
                        ticket.created_at, target * policy.at_risk_ratio, calendar
                    ).astimezone(UTC),
                )
            )
    with transaction.atomic():
        SlaClock.objects.bulk_create(clocks, batch_size=5000)
    due_clocks = sum(1 for clock in clocks if clock.due_at <= now)
    at_risk_clocks = sum(1 for clock in clocks if clock.at_risk_at <= now)
    if due_clocks != 2 * due_count:
        raise RuntimeError(f"expected {2 * due_count} clocks due at {now}, built {due_clocks}")
    earliest = min(clock.at_risk_at for clock in clocks)
    return {
        "tickets": args.tickets,
        "clocks": len(clocks),
        "tickets_overdue": due_count,
        "clocks_due": due_clocks,
        "clocks_at_risk_or_due": at_risk_clocks,
        "now": now,
        "quiet": earliest - timedelta(seconds=1),
        "now_iso": now.isoformat(),
        "fill_seconds": round(time.perf_counter() - began, 1),
        "fill_tickets_seconds": round(tickets_seconds, 1),
    }


# --- Report --------------------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    lines = []
    if "calendar" in report:
        c = report["calendar"]
        verdict = "met" if c["met"] else f"missed ({TARGET_CALLS_PER_SECOND / c['calls_per_s']:.1f}x)"
        lines += [
            "",
            f"add_business_time: {c['calls']:,} calls in {c['seconds']:.2f} s = {c['calls_per_s']:,} calls/s"
            f"   target >= {TARGET_CALLS_PER_SECOND:,}/s: {verdict}",
            f"  checked {c['checked_with_business_time_between']:,} results by measuring them back: "
            f"{c['check_failures']} wrong",
            f"  {'calendar':<28}{'calls':>9}{'calls/s':>10}",
            *[
                f"  {name:<28}{row['calls']:>9,}{row['calls_per_s']:>10,}"
                for name, row in c["per_calendar"].items()
            ],
        ]
        for row in c.get("profile_own_time", []):
            lines.append(f"    {row['own_s']:7.3f} s {row['calls']:>9}  {row['function']}")
    if "reconcile" in report:
        r = report["reconcile"]
        s = r["setup"]
        lines += [
            "",
            f"sla_reconcile: {s['tickets']:,} open tickets, {s['clocks']:,} running clocks (SQLite); "
            f"built in {s['migrate_seconds']} s (migrate) + {s['fill_seconds']} s"
            f" ({s['fill_tickets_seconds']} s to the tickets, the rest the clocks)",
            f"  nothing due          median {r['nothing_due_before_ms']['median']:8.2f} ms"
            f"  (min {r['nothing_due_before_ms']['min']}, max {r['nothing_due_before_ms']['max']},"
            f" {r['nothing_due_before_ms']['runs']} runs)",
            f"  {s['tickets_overdue']:,} tickets overdue ({s['clocks_due']:,} clocks due):"
            f" {len(r['due']['passes'])} passes, {r['due']['seconds']:.2f} s,"
            f" {r['due']['ms_per_clock']} ms per clock",
            *[
                f"    pass {number}: {p['clocks']:>5,} clocks  {p['seconds']:.3f} s"
                for number, p in enumerate(r["due"]["passes"], 1)
            ],
            f"  nothing due after    median {r['nothing_due_after_ms']['median']:8.2f} ms"
            f"  (min {r['nothing_due_after_ms']['min']}, max {r['nothing_due_after_ms']['max']})",
        ]
    load = report["machine"]
    lines.append(
        f"\nload average before {load['load_average']}, after {load.get('load_average_after')};"
        f" {load['cpus']} CPUs"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=["calendar", "reconcile", "both"], default="both")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--check", type=int, default=20_000, help="results measured back, untimed")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due-share", type=float, default=0.01, help="share of tickets overdue")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each nothing-due reconcile")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--profile", action="store_true", help="the calendar part under cProfile")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the reconcile database's directory")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report: dict[str, Any] = {
        "benchmark": "sla",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/sla.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "python": platform.python_version(),
        },
    }
    if args.part in ("calendar", "both"):
        report["calendar"] = bench_calendar(args)
    if args.part in ("reconcile", "both"):
        workdir = Path(tempfile.mkdtemp(prefix="frontline-sla-bench-"))
        try:
            report["reconcile"] = bench_reconcile(args, workdir)
        finally:
            if args.keep:
                log(f"kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["load_average_after"] = [round(value, 2) for value in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False))
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
