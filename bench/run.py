"""`make bench`: build a database, start Frontline as an operator would, drive its API, report.

    make bench                                   # SQLite, 100k tickets, 500k messages
    make bench BENCH_ARGS="--db postgres"        # or --db both
    make bench BENCH_ARGS="--reuse --workers 3"  # keep the database from the last run
    make bench BENCH_ARGS="--scale-check --scale-max 1000000"

For each database: build it with build.py (unless --reuse finds one), run
`frontline serve --host 127.0.0.1 --port <free> --workers N` with the environment pointing at
it, then for each operation and concurrency start loadgen.py as a separate process. Results go to
stdout as a table and JSON, and to bench/results/<db>-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from databases import (
    BENCH_DIR,
    DEFAULT_PG_SERVER,
    FRONTLINE,
    PYTHON,
    REPOSITORY,
    RESULTS_DIR,
    VENV_BIN,
    BenchDatabase,
)

# Reads first, on the database as built; then the writes.
RUN_ORDER = ("get", "list", "search", "create", "message")
REPORT_ORDER = ("create", "message", "get", "list", "search")
LABELS = {
    "create": "create ticket",
    "message": "add message",
    "get": "get ticket",
    "list": "list team inbox",
    "search": "full-text search",
}
# (operation, concurrency or None for any) -> (metric, comparison, limit)
TARGETS: dict[tuple[str, int | None], tuple[str, str, float]] = {
    ("create", 8): ("ops_per_s", ">=", 450),
    ("create", 1): ("p95_ms", "<=", 15),
    ("message", 8): ("ops_per_s", ">=", 500),
    ("get", None): ("p95_ms", "<=", 15),
    ("list", None): ("p95_ms", "<=", 30),
    ("search", None): ("p95_ms", "<=", 100),
}
SCALE_SIZES = (1_000, 100_000, 1_000_000)
BUSY_CORES = 0.3  # other work above this during a run marks the run as disturbed


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- CPU accounting from /proc ----------------------------------------------------------------


def _process_times() -> dict[int, tuple[int, str, float]]:
    """pid -> (process group, command line, CPU seconds) for every process we may read.

    A PostgreSQL postmaster's entry also counts the CPU of its children that have exited (the
    kernel adds it to the parent when it reaps them): backends that live for one request.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])
        if "postgres -D" in command or "postmaster" in command:
            used += int(fields[13]) + int(fields[14])
        processes[int(entry.name)] = (int(fields[2]), command, used / ticks)
    return processes


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    values = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used over a span by the web server's processes, by PostgreSQL (the backends serving the
    benchmark database, which their process title names, and backends that exited meanwhile, of any
    database), and by the whole machine.

    A process that exits during the span counts for what it used before; one that starts counts
    for all it used.
    """

    def __init__(self, server_group: int, pg_database: str | None) -> None:
        self.server_group = server_group
        self.pg_title = f" {pg_database} " if pg_database else None

    def _sample(self) -> tuple[float, dict[int, float], dict[int, float], float, float]:
        server, postgres = {}, {}
        for pid, (group, command, seconds) in _process_times().items():
            if group == self.server_group:
                server[pid] = seconds
            elif self.pg_title and (
                (command.startswith("postgres:") and self.pg_title in command)
                or "postgres -D" in command
                or "postmaster" in command
            ):
                postgres[pid] = seconds
        busy, total = _machine_busy()
        return time.perf_counter(), server, postgres, busy, total

    def __enter__(self) -> CpuMeter:
        self.start = self._sample()
        return self

    def __exit__(self, *exc: object) -> None:
        self.end = self._sample()

    def cores(self) -> dict[str, float]:
        wall = self.end[0] - self.start[0]

        def used(index: int) -> float:
            before, after = self.start[index], self.end[index]
            return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items()) / wall

        busy = (self.end[3] - self.start[3]) / max(self.end[4] - self.start[4], 1) * (os.cpu_count() or 1)
        return {
            "server_cores": round(used(1), 2),
            "postgres_cores": round(used(2), 2),
            "machine_busy_cores": round(busy, 2),
        }


# --- The server, as an operator runs it -------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`frontline serve` in its own process group, stopped (by its id) on exit.

    With variants (experiments, see variant_settings.py) the settings module is swapped, and
    `wsgi-bridge` serves variant_asgi.py with uvicorn's own command and frontline serve's options.
    """

    def __init__(self, database: BenchDatabase, workers: int, variants: Sequence[str] = ()) -> None:
        self.database = database
        self.workers = workers
        self.variants = list(variants)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = database.directory / "server.log"

    def __enter__(self) -> Server:
        address = ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        if "wsgi-bridge" in self.variants:
            command = [str(VENV_BIN / "uvicorn"), "variant_asgi:application", "--app-dir", str(BENCH_DIR)]
            command += [*address, "--log-level", "warning", "--no-access-log", "--proxy-headers"]
            command += ["--lifespan", "off"]
        else:
            command = [str(FRONTLINE), "serve", *address]
        env = self.database.environment()
        if self.variants:
            env.update(
                DJANGO_SETTINGS_MODULE="variant_settings",
                BENCH_VARIANT=",".join(self.variants),
                PYTHONPATH=str(BENCH_DIR),
            )
        variants = f", variants {','.join(self.variants)}" if self.variants else ""
        log(f"starting {' '.join(command)}  ({self._describe_env()}{variants})")
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=REPOSITORY,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_ready()
        return self

    def _describe_env(self) -> str:
        if self.database.vendor == "sqlite":
            return f"FRONTLINE_SQLITE_PATH={self.database.sqlite_path.relative_to(REPOSITORY)}"
        return f"DATABASE_URL={self.database.url}"

    def _wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log_path}")
            children = [pid for pid, (group, _, _) in _process_times().items() if group == self.process.pid]
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    healthy = response.status == 200
            except OSError:
                healthy = False
            # The supervisor plus one process per worker (uvicorn runs one process when workers=1).
            if healthy and len(children) >= (self.workers + 1 if self.workers > 1 else 1):
                time.sleep(1.0)  # let the other workers finish importing Django
                return
            time.sleep(0.3)
        raise RuntimeError(f"the server did not become ready in {timeout:.0f} s; see {self.log_path}")

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


# --- Runs -------------------------------------------------------------------------------------


def ensure_built(database: BenchDatabase, *, reuse: bool, seed: int) -> dict[str, Any]:
    manifest = database.read_manifest()
    if reuse and manifest is not None:
        log(f"reusing {database.name} (built {manifest['built_at']}); applying any new migrations")
        database.migrate()
        return manifest
    command = [str(PYTHON), str(BENCH_DIR / "build.py"), "--db", database.vendor]
    command += ["--tickets", str(database.tickets), "--messages", str(database.messages)]
    command += ["--seed", str(seed), "--pg-server", database.pg_server]
    subprocess.run(command, cwd=REPOSITORY, check=True, stdout=sys.stderr)
    manifest = database.read_manifest()
    if manifest is None:
        raise RuntimeError(f"build.py wrote no manifest for {database.name}")
    return manifest


def wait_until_idle(limit: float, threshold: float = BUSY_CORES) -> float:
    """Wait (up to `limit` seconds) for the rest of the machine to use under `threshold` cores.

    The web server is idle between runs, so what /proc/stat shows busy is someone else's work.
    Returns the cores in use at the last look.
    """
    deadline = time.monotonic() + limit
    while True:
        before = _machine_busy()
        time.sleep(2)
        after = _machine_busy()
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1) * (os.cpu_count() or 1)
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 2)
        log(f"the machine is busy ({busy:.1f} cores in use by other work); waiting")
        time.sleep(5)


def run_load(
    server: Server, database: BenchDatabase, op: str, concurrency: int, args: argparse.Namespace
) -> dict[str, Any]:
    """One measured run; with --retries, again while other work disturbed it (the least disturbed is kept)."""
    attempts = []
    for attempt in range(args.retries + 1):
        if attempt:
            log(f"    other work used {attempts[-1]['other_cores']} cores meanwhile; measuring again")
        attempts.append(_measure(server, database, op, concurrency, args))
        if attempts[-1]["other_cores"] <= BUSY_CORES:
            break
    result = min(attempts, key=lambda run: run["other_cores"])
    result["attempts"] = len(attempts)
    return result


def _measure(
    server: Server, database: BenchDatabase, op: str, concurrency: int, args: argparse.Namespace
) -> dict[str, Any]:
    idle_before = wait_until_idle(args.wait_idle) if args.wait_idle else None
    command = [str(PYTHON), str(BENCH_DIR / "loadgen.py"), "--url", server.url]
    command += ["--manifest", str(database.manifest_path), "--op", op, "--concurrency", str(concurrency)]
    command += ["--duration", str(args.duration), "--warmup", str(args.warmup), "--seed", str(args.seed)]
    command += ["--connections", args.connections]
    pg_database = database.pg_name if database.vendor == "postgres" else None
    with CpuMeter(server.process.pid, pg_database) as meter:
        done = subprocess.run(
            command,
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=args.duration + args.warmup + 120,
        )
    if done.returncode != 0:
        raise RuntimeError(f"loadgen failed for {op} c={concurrency}:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(meter.cores())
    if idle_before is not None:
        result["other_cores_before"] = idle_before
    result["loadgen_cores"] = round(result["loadgen_cpu_s"] / result["wall_s"], 2)
    # CPU used by anything else on the machine while this ran (another job skews the figures).
    result["other_cores"] = round(
        max(
            0.0,
            result["machine_busy_cores"]
            - result["server_cores"]
            - result["postgres_cores"]
            - result["loadgen_cores"],
        ),
        2,
    )
    verdict = target_verdict(op, concurrency, result)
    if verdict:
        result["target"] = verdict
    log(
        f"{op:8} c={concurrency}: {result['ops_per_s']:8.1f} ops/s  p50 {result['p50_ms']:7.2f}"
        f"  p95 {result['p95_ms']:7.2f}  p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}"
        f"  server {result['server_cores']} cores, other {result['other_cores']}"
        f"  {verdict.get('text', '') if verdict else ''}"
    )
    for example in result["error_examples"][:2]:
        log(f"    error: {example}")
    return result


def target_verdict(op: str, concurrency: int, result: dict[str, Any]) -> dict[str, Any] | None:
    target = TARGETS.get((op, concurrency)) or TARGETS.get((op, None))
    if target is None:
        return None
    metric, comparison, limit = target
    value = result[metric]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        met, factor = False, math.inf
    elif comparison == ">=":
        met, factor = value >= limit, limit / value if value else math.inf
    else:
        met, factor = value <= limit, value / limit
    unit = "ops/s" if metric == "ops_per_s" else "ms"
    name = "ops/s" if metric == "ops_per_s" else "p95"
    text = f"{name} {comparison.replace('>=', '≥').replace('<=', '≤')} {limit:g} {unit}: "
    text += "met" if met else f"missed ({factor:.1f}x)"
    return {"metric": metric, "limit": limit, "met": met, "factor": round(factor, 2), "text": text}


def machine_facts(args: argparse.Namespace) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "web_workers": args.workers,
    }
    try:
        facts["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPOSITORY, capture_output=True, text=True
        )
        facts["working_tree_dirty"] = bool(dirty.stdout.strip())
        diff = subprocess.run(["git", "diff", "HEAD"], cwd=REPOSITORY, capture_output=True, check=True).stdout
        facts["working_tree_diff_sha1"] = hashlib.sha1(diff).hexdigest()[:12]  # noqa: S324  (an id only)
    except (OSError, subprocess.CalledProcessError):
        pass
    if "postgres" in vendors(args):
        try:
            done = subprocess.run(
                ["psql", f"{args.pg_server.rstrip('/')}/postgres", "-Atc", "SHOW server_version"],
                capture_output=True,
                text=True,
                check=True,
            )
            facts["postgres"] = done.stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return facts


def vendors(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgres"] if args.db == "both" else [args.db]


def bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    reports = []
    for vendor in vendors(args):
        database = BenchDatabase(vendor, args.tickets, args.messages, args.pg_server)
        manifest = ensure_built(database, reuse=args.reuse, seed=args.seed)
        runs = []
        with Server(database, args.workers, args.variant) as server:
            for op in [op for op in RUN_ORDER if op in args.ops]:
                for concurrency in args.concurrency:
                    runs.append(run_load(server, database, op, concurrency, args))
        runs.sort(key=lambda run: (REPORT_ORDER.index(run["op"]), run["concurrency"]))
        reports.append({"database": _database_facts(database, manifest), "runs": runs})
    return reports


def scale_check(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The list operation alone, at concurrency 1, on databases of growing size."""
    sizes = [size for size in SCALE_SIZES if size <= args.scale_max]
    reports = []
    for vendor in vendors(args):
        runs = []
        for size in sizes:
            database = BenchDatabase(vendor, size, size, args.pg_server)  # one message per ticket
            manifest = ensure_built(database, reuse=args.reuse, seed=args.seed)
            with Server(database, args.workers, args.variant) as server:
                run = run_load(server, database, "list", 1, args)
            run["tickets"] = size
            run["database"] = _database_facts(database, manifest)
            runs.append(run)
        p95s = [run["p95_ms"] for run in runs]
        reports.append(
            {
                "vendor": vendor,
                "runs": runs,
                "p95_growth": round(max(p95s) / min(p95s), 2) if p95s else None,
            }
        )
    return reports


def _database_facts(database: BenchDatabase, manifest: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": database.name,
        "vendor": database.vendor,
        "tickets": manifest["tickets"],
        "messages": manifest["messages"],
        "rows": manifest["rows"],
        "size_mb": round(manifest["size_bytes"] / 1e6),
        "build_seconds": manifest["build_seconds"].get("total"),
        "built_at": manifest["built_at"],
        "search_terms": manifest["search_terms"],
    }


# --- Report -----------------------------------------------------------------------------------


def bench_table(report: dict[str, Any], args: argparse.Namespace) -> str:
    facts = report["database"]
    variants = f"; variants: {', '.join(args.variant)}" if args.variant else ""
    lines = [
        "",
        f"{facts['vendor']}: {facts['tickets']:,} tickets, {facts['messages']:,} messages, "
        f"{facts['size_mb']:,} MB, built in {facts['build_seconds']:.0f} s; {args.workers} web workers,"
        f" {args.connections} connections{variants}",
        f"{'operation':17} {'c':>2} {'requests':>8} {'ops/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6} {'server':>6} {'db':>5} {'other':>5}  target",
    ]
    for run in report["runs"]:
        lines.append(
            f"{LABELS[run['op']]:17} {run['concurrency']:>2} {run['requests']:>8} {run['ops_per_s']:>8.1f}"
            f" {run['p50_ms']:>8.2f} {run['p95_ms']:>8.2f} {run['p99_ms']:>8.2f} {run['errors']:>6}"
            f" {run['server_cores']:>6.2f} {run['postgres_cores']:>5.2f} {run['other_cores']:>5.2f}"
            f"  {run.get('target', {}).get('text', '')}"
        )
    lines.append(
        "(server, db, other: CPU cores used by the web processes, the PostgreSQL backends of the"
        " benchmark database, and everything else but the load generator)"
    )
    for run in report["runs"]:
        if run["op"] == "search":
            lines.append(f"  search c={run['concurrency']} by term (matching tickets): p50 / p95 ms")
            by_term = sorted(run["by_term"].items(), key=lambda item: -(item[1]["matching_tickets"] or 0))
            for term, stats in by_term:
                lines.append(
                    f"    {term:12} {stats['matching_tickets'] or 0:>8,}  {stats['p50_ms']:>8.2f}"
                    f" / {stats['p95_ms']:>8.2f}"
                )
    return "\n".join(lines)


def scale_table(report: dict[str, Any]) -> str:
    lines = [
        "",
        f"{report['vendor']}: list team inbox (team_id + status=open, limit 25), concurrency 1",
        f"{'tickets':>10} {'requests':>8} {'ops/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  target",
    ]
    for run in report["runs"]:
        lines.append(
            f"{run['tickets']:>10,} {run['requests']:>8} {run['ops_per_s']:>8.1f} {run['p50_ms']:>8.2f}"
            f" {run['p95_ms']:>8.2f} {run['p99_ms']:>8.2f}  {run.get('target', {}).get('text', '')}"
        )
    lines.append(f"p95 largest / smallest: {report['p95_growth']}x")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--duration", type=float, default=12.0, help="measured seconds per operation")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each")
    parser.add_argument("--workers", type=int, default=3, help="web processes (frontline serve --workers)")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client counts")
    parser.add_argument("--ops", default=",".join(REPORT_ORDER), help="comma-separated operations")
    parser.add_argument(
        "--connections",
        choices=["per-request", "keep-alive"],
        default="per-request",
        help="per-request: a new connection for each request, as a reverse proxy without upstream"
        " keep-alive sends them, so the kernel spreads requests over the web processes (default);"
        " keep-alive: each client keeps one connection, which uvicorn pins to one process",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    parser.add_argument("--scale-check", action="store_true", help="only the list op on growing databases")
    parser.add_argument("--scale-max", type=int, default=100_000, help="largest scale-check size (1000000)")
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER, help="PostgreSQL server URL, no database")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other work on the machine to stop",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=0,
        help=f"measure a run again (up to this many times) when other work used over {BUSY_CORES} cores",
    )
    parser.add_argument(
        "--variant",
        default="",
        help="experiments, comma-separated: persistent-connections, close-connections, flock-writes,"
        " no-whitenoise, no-realtime, wsgi-bridge (see variant_settings.py); not how operators run"
        " Frontline",
    )
    args = parser.parse_args(argv)
    args.variant = [name for name in args.variant.split(",") if name]
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    args.ops = [op.strip() for op in args.ops.split(",") if op.strip()]
    unknown = set(args.ops) - set(REPORT_ORDER)
    if unknown:
        parser.error(f"unknown operations: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "machine": machine_facts(args),
        "settings": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "workers": args.workers,
            "concurrency": args.concurrency,
            "connections": args.connections,
            "variants": args.variant,
        },
    }
    if args.scale_check:
        reports = scale_check(args)
        result["scale_check"] = reports
        text = "\n".join(scale_table(report) for report in reports)
        name = f"{args.db}-scale"
    else:
        reports = bench(args)
        result["databases"] = reports
        text = "\n".join(bench_table(report, args) for report in reports)
        name = args.db
    if args.variant:
        name += "-" + "+".join(args.variant)
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))
    print(text)
    print(f"\nresults: {path.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
