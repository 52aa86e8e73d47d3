"""Sample the running web server with py-spy while the load generator drives one operation.

    .venv/bin/pip install py-spy          # once
    .venv/bin/python bench/profile_server.py --db sqlite --op get --concurrency 1

Starts `frontline serve --workers 1` (one process, so one pid to sample) on a database built by
build.py, runs loadgen.py for --duration seconds, and records the server meanwhile with
`py-spy record --format raw --gil`: only the thread holding the GIL is sampled, so the samples
show where CPU time goes (--all-threads samples waiting threads too). Prints where the samples
fall: by library (the innermost frame's file) and the frames with the most inclusive samples.
The raw stacks stay in bench/results/profiles/ for a flame graph.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from databases import BENCH_DIR, DEFAULT_PG_SERVER, PYTHON, REPOSITORY, RESULTS_DIR, VENV_BIN, BenchDatabase
from loadgen import OPERATIONS
from profile_requests import group_of
from run import Server

_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*):(?P<line>\d+)\)$")


def frame_parts(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip(), frame.strip()
    path = match["path"].split("site-packages/")[-1].split(str(REPOSITORY) + "/")[-1]
    return match["function"], path


def summarise(raw: Path, top: int) -> None:
    leaf_groups: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_parts(f) for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f[1].startswith("thread ")]
        if not frames:
            continue
        total += count
        function, path = frames[-1]
        leaf_groups[group_of(f"{path} {function}")] += count
        leaves[f"{function}  {path}"] += count
        for function, path in {f"{fn}  {p}": (fn, p) for fn, p in frames}.values():
            inclusive[f"{function}  {path}"] += count
    if not total:
        print("no samples (is py-spy allowed to attach? try running as root)")
        return
    print(f"{total} samples")
    print("innermost frame by library:")
    for name, count in leaf_groups.most_common():
        print(f"  {count / total:6.1%}  {name}")
    print(f"top {top} innermost frames:")
    for name, count in leaves.most_common(top):
        print(f"  {count / total:6.1%}  {name}")
    print(f"top {top} frames by inclusive samples:")
    for name, count in inclusive.most_common(top):
        print(f"  {count / total:6.1%}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--op", choices=OPERATIONS, default="get")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--all-threads",
        action="store_true",
        help="sample every running thread, not only the one holding the GIL (CPU time)",
    )
    parser.add_argument("--summarise", type=Path, help="only summarise an earlier raw profile")
    args = parser.parse_args(argv)
    if args.summarise:
        summarise(args.summarise, args.top)
        return 0
    database = BenchDatabase(args.db, args.tickets, args.messages, args.pg_server)
    if database.read_manifest() is None:
        parser.error(f"no database {database.name}; build it first (bench/build.py)")
    database.migrate()
    out_dir = RESULTS_DIR / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / f"{database.name}-{args.op}-c{args.concurrency}-{time.strftime('%Y%m%dT%H%M%S')}.txt"
    with Server(database, workers=1) as server:
        load_command = [str(PYTHON), str(BENCH_DIR / "loadgen.py"), "--url", server.url]
        load_command += ["--manifest", str(database.manifest_path), "--op", args.op, "--warmup", "2"]
        load_command += ["--concurrency", str(args.concurrency), "--duration", str(args.duration + 2)]
        load = subprocess.Popen(load_command, stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        spy = [str(VENV_BIN / "py-spy"), "record", "--pid", str(server.process.pid), "--format", "raw"]
        spy += ["--rate", str(args.rate), "--duration", str(int(args.duration)), "--output", str(raw)]
        if not args.all_threads:
            spy.append("--gil")
        subprocess.run(spy, check=True, stdout=subprocess.DEVNULL)
        output, _ = load.communicate(timeout=args.duration + 60)
    print(
        f"{database.name}, {args.op} at concurrency {args.concurrency}, 1 web worker: {output.strip()[:400]}"
    )
    print(f"raw stacks: {raw.relative_to(REPOSITORY)}")
    summarise(raw, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
