"""`make bench-chat`: many concurrent chat-widget websockets against Frontline as operators run it.

Starts `frontline serve` (uvicorn, the production ASGI app) with REDIS_URL set, so the channel layer
is channels-redis, and its own database in a temporary FRONTLINE_DATA_DIR (SQLite) or a scratch
PostgreSQL database (`--db postgres`). It prepares one web-chat site and N conversations (each
started through the chat service, as the pre-chat form would), then opens N widget websockets that
resume those conversations and one agent-side websocket (/ws/chat/agents/, a signed-in agent).
Every widget sends a line every `--interval` seconds (starts spread evenly); for each line the
delivery latency is the time from the widget sending it to the agent socket receiving it (stored
on the ticket first: the server publishes after commit). Prints one JSON line, then a table.

    .venv/bin/python bench/chat.py                        # 1,000 widgets, a line every 5 s, 60 s measured
    .venv/bin/python bench/chat.py --db postgres --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
FRONTLINE = VENV_BIN / "frontline"
PAGE_ORIGIN = "http://localhost:8001"  # the business's page that embeds the widget
TARGET_P99_MS = 100.0


def log(message: str) -> None:
    print(f"[bench-chat] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Environment: database, Redis ------------------------------------------------------------------


def redis_db_is_free(url: str) -> bool:
    import redis

    size: Any = redis.Redis.from_url(url).dbsize()  # the sync client: an int, not an awaitable
    return int(size) == 0


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def environment(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The server's and the set-up's environment: a temp data dir, Redis db, maybe a PostgreSQL db."""
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    if not redis_db_is_free(redis_url):
        raise SystemExit(f"Redis database {args.redis_db} is not empty: choose another with --redis-db")
    with tempfile.TemporaryDirectory(prefix="frontline-bench-chat-") as data_dir:
        env = {
            **os.environ,
            "FRONTLINE_DATA_DIR": data_dir,
            "REDIS_URL": redis_url,
            "FRONTLINE_QUEUE_NAME": "bench-chat",
            "FRONTLINE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "FRONTLINE_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "frontline.settings",
        }
        database = ""
        if args.db == "postgres":
            database = f"frontline_bench_chat_{os.getpid()}"
            subprocess.run(["psql", args.pg_server, "-qc", f"CREATE DATABASE {database}"], check=True)
            env["DATABASE_URL"] = f"{args.pg_server.rstrip('/')}/{database}"
        try:
            yield env
        finally:
            redis_flush(redis_url)
            if database:
                subprocess.run(
                    ["psql", args.pg_server, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                    check=False,
                )


SETUP = r"""
import json, sys
import django
django.setup()
from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import session_cookie
from frontline.connectors.webchat import services
from frontline.connectors.webchat.models import Site

count, origin = int(sys.argv[1]), sys.argv[2]
site = Site.objects.create(name="Bench", public_key="bench-site", allowed_origins=[origin])
agent = staff(Role.AGENT, username="bench-agent", first_name="Ana")
tokens = []
for n in range(count):
    started = services.conversation_start(
        site=site, name=f"Customer {n}", email=f"customer{n}@bench.example", question=f"Question {n}",
        ip=f"bench-{n}",
    )
    tokens.append(started.token)
# The chats are under way (an agent has each), as when customers and agents exchange lines.
from frontline.connectors.webchat.models import Conversation
Conversation.objects.update(state="active", agent_name="Ana")
print(json.dumps({"cookie": session_cookie(agent).decode(), "tokens": tokens, "site": site.public_key}))
"""


def prepare(env: dict[str, str], count: int) -> dict[str, Any]:
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=REPOSITORY,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", SETUP, str(count), PAGE_ORIGIN],
        cwd=REPOSITORY,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@contextlib.contextmanager
def server(env: dict[str, str], workers: int) -> Iterator[str]:
    port = free_port()
    log_path = Path(env["FRONTLINE_DATA_DIR"]) / "server.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(FRONTLINE), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            cwd=REPOSITORY,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited: {log_path.read_text()[-2000:]}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                time.sleep(0.2)
            else:
                raise RuntimeError("the server did not start in 60 s")
            yield f"127.0.0.1:{port}"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            errors = [
                line for line in log_path.read_text().splitlines() if "Error" in line or "Traceback" in line
            ]
            if errors:
                log(f"server log ({log_path.name}) had {len(errors)} error lines, e.g. {errors[0][:200]}")


# --- The load ------------------------------------------------------------------------------------


class Measure:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.delivery_ms: list[float] = []
        self.ack_ms: list[float] = []
        self.measuring = False
        self.errors: dict[str, int] = {}
        self.sent_count = 0
        self.delivered_count = 0
        self.duplicates = 0
        self.seen: set[str] = set()

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def agent_side(address: str, cookie: str, measure: Measure, ready: asyncio.Event) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://{address}/ws/chat/agents/",
        origin=f"http://{address}",  # type: ignore[arg-type]  # an Origin is a str
        additional_headers={"Cookie": cookie},
        max_queue=None,
        ping_interval=None,
    ) as socket_:
        ready.set()
        async for raw in socket_:
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame.get("type") != "message":
                continue
            client_id = frame.get("client_id") or ""
            if client_id in measure.seen:
                measure.duplicates += 1
                continue
            measure.seen.add(client_id)
            started = measure.sent.pop(client_id, None)
            if started is not None:
                measure.delivered_count += 1
                if client_id.endswith("m"):
                    measure.delivery_ms.append((now - started) * 1000)


async def widget(
    index: int,
    address: str,
    site: str,
    token: str,
    args: argparse.Namespace,
    measure: Measure,
    stop: asyncio.Event,
    connected: list[int],
) -> None:
    from websockets.asyncio.client import connect

    try:
        async with connect(
            f"ws://{address}/ws/chat/{site}/",
            origin=PAGE_ORIGIN,  # type: ignore[arg-type]  # an Origin is a str
            max_queue=None,
            ping_interval=None,
            open_timeout=60,
        ) as socket_:
            await socket_.recv()  # ready
            await socket_.send(json.dumps({"type": "resume", "token": token, "last_seq": 0}))
            pending_acks: dict[str, float] = {}

            async def reader() -> None:
                async for raw in socket_:
                    frame = json.loads(raw)
                    if frame.get("type") == "ack":
                        started = pending_acks.pop(frame["client_id"], None)
                        if started is not None and frame["client_id"].endswith("m"):
                            measure.ack_ms.append((time.perf_counter() - started) * 1000)
                    elif frame.get("type") == "error":
                        measure.error(str(frame.get("code")))

            read_task = asyncio.ensure_future(reader())
            connected[0] += 1
            await asyncio.sleep(args.interval * index / args.connections)  # spread the starts evenly
            n = 0
            while not stop.is_set():
                n += 1
                suffix = "m" if measure.measuring else "w"  # only lines sent while measuring count
                client_id = f"{index}-{n}-{suffix}"
                now = time.perf_counter()
                measure.sent[client_id] = now
                pending_acks[client_id] = now
                measure.sent_count += suffix == "m"
                await socket_.send(
                    json.dumps({"type": "message", "client_id": client_id, "text": f"line {n}"})
                )
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=args.interval)
            read_task.cancel()
    except Exception as exc:  # counted and reported, not hidden
        measure.error(type(exc).__name__)


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)


async def run_load(address: str, setup: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    measure = Measure()
    stop = asyncio.Event()
    agent_ready = asyncio.Event()
    agent = asyncio.ensure_future(agent_side(address, setup["cookie"], measure, agent_ready))
    await asyncio.wait_for(agent_ready.wait(), timeout=30)
    connected = [0]
    widgets = []
    for index, token in enumerate(setup["tokens"]):
        widgets.append(
            asyncio.ensure_future(
                widget(index, address, setup["site"], token, args, measure, stop, connected)
            )
        )
        if index % 50 == 49:
            await asyncio.sleep(0.05)  # open the sockets over a moment, as visitors arrive
    deadline = time.monotonic() + 120
    while connected[0] < len(widgets) and time.monotonic() < deadline and not all(w.done() for w in widgets):
        await asyncio.sleep(0.2)
    log(f"{connected[0]} widget sockets open; warming up {args.warmup} s")
    await asyncio.sleep(args.warmup)
    measure.measuring = True
    log(f"measuring {args.duration} s")
    started = time.perf_counter()
    await asyncio.sleep(args.duration)
    measure.measuring = False
    elapsed = time.perf_counter() - started
    await asyncio.sleep(min(5.0, args.interval))  # let the last measured lines arrive
    stop.set()
    await asyncio.gather(*widgets, return_exceptions=True)
    agent.cancel()
    lost = len([key for key in measure.sent if key.endswith("m")])
    return {
        "connections": connected[0],
        "interval_s": args.interval,
        "measured_s": round(elapsed, 1),
        "sent": measure.sent_count,
        "delivered": len(measure.delivery_ms),
        "lost": lost,
        "duplicates": measure.duplicates,
        "rate_per_s": round(measure.sent_count / elapsed, 1),
        "delivery_ms": {
            "p50": percentile(measure.delivery_ms, 0.50),
            "p95": percentile(measure.delivery_ms, 0.95),
            "p99": percentile(measure.delivery_ms, 0.99),
            "max": round(max(measure.delivery_ms), 1) if measure.delivery_ms else None,
            "mean": round(statistics.fmean(measure.delivery_ms), 1) if measure.delivery_ms else None,
        },
        "ack_ms": {
            "p50": percentile(measure.ack_ms, 0.50),
            "p95": percentile(measure.ack_ms, 0.95),
            "p99": percentile(measure.ack_ms, 0.99),
        },
        "errors": measure.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a widget's lines")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", type=int, default=1, help="web processes (frontline serve --workers)")
    parser.add_argument("--redis-db", type=int, default=11, help="a spare Redis database number")
    args = parser.parse_args(argv)
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.connections + 256)), hard))

    with environment(args) as env:
        log(f"preparing {args.connections} conversations ({args.db})")
        setup = prepare(env, args.connections)
        with server(env, args.workers) as address:
            result = asyncio.run(run_load(address, setup, args))
    result = {"benchmark": "chat", "db": args.db, "workers": args.workers, **result}
    result["target_p99_ms"] = TARGET_P99_MS
    p99 = result["delivery_ms"]["p99"]
    result["target_met"] = p99 is not None and p99 <= TARGET_P99_MS and not result["lost"]
    print(json.dumps(result))
    delivery, ack = result["delivery_ms"], result["ack_ms"]
    print()
    print(
        f"{'widgets':>8} {'lines/s':>8} {'sent':>6} {'lost':>5} {'dup':>4} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'ack p99':>8}  target p99 <= 100 ms"
    )
    print(
        f"{result['connections']:>8} {result['rate_per_s']:>8} {result['sent']:>6} {result['lost']:>5} "
        f"{result['duplicates']:>4} {delivery['p50']!s:>7} {delivery['p95']!s:>7} {delivery['p99']!s:>7} "
        f"{delivery['max']!s:>7} {ack['p99']!s:>8}  {'met' if result['target_met'] else 'MISSED'}"
    )
    if result["errors"]:
        print(f"errors: {result['errors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
