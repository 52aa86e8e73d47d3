"""Load generator: one operation, a fixed number of concurrent clients, a warm-up, a time limit.

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8123 --manifest MANIFEST.json \\
        --op get --concurrency 8 --duration 12 --warmup 3

`--concurrency` asyncio workers share one aiohttp session with as many keep-alive connections;
each sends a request, waits for the whole response, and sends the next. Requests that finish
during the warm-up or after the time limit are not counted. Prints one JSON object: requests,
successful operations per second, latency percentiles in ms (nearest rank over every sample,
no histogram buckets), errors by status, and the same per label (the search term, for search).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import corpus
import orjson

OPERATIONS = ("create", "message", "get", "list", "search")
PERCENTILES = (50, 95, 99)


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    summary: dict[str, Any] = {"requests": len(ordered)}
    for p in PERCENTILES:
        summary[f"p{p}_ms"] = round(percentile(ordered, p) * 1000, 2)
    summary["mean_ms"] = round(sum(ordered) / len(ordered) * 1000, 2) if ordered else math.nan
    summary["max_ms"] = round(ordered[-1] * 1000, 2) if ordered else math.nan
    return summary


class Workload:
    """The next request of an operation, drawn from the ids and words the build recorded."""

    def __init__(self, manifest: dict[str, Any], seed: int) -> None:
        self.manifest = manifest
        self.rng = random.Random(seed)
        self.texts = corpus.TextGenerator(self.rng)
        self.search_terms = itertools.cycle(manifest["search_terms"])

    def next(self, op: str) -> tuple[str, str, bytes | None, int, str]:
        """(method, path, JSON body, expected status, label)."""
        rng, manifest = self.rng, self.manifest
        if op == "create":
            body = {
                "subject": self.texts.subject(),
                "body_text": self.texts.body(),
                "requester_id": rng.randint(*manifest["customer_ids"]),
                "team_id": rng.choice(manifest["team_ids"]),
                "tags": [rng.choice(manifest["tag_names"])],
            }
            return "POST", "/api/v1/tickets", orjson.dumps(body), 201, op
        if op == "message":
            ticket_id = rng.choice(manifest["open_ticket_ids"])
            body = {"direction": "outbound", "body_text": self.texts.body()}
            return "POST", f"/api/v1/tickets/{ticket_id}/messages", orjson.dumps(body), 201, op
        if op == "get":
            return "GET", f"/api/v1/tickets/{rng.randint(*manifest['ticket_ids'])}", None, 200, op
        if op == "list":
            team_id = rng.choice(manifest["team_ids"])
            return "GET", f"/api/v1/tickets?team_id={team_id}&status=open&limit=25", None, 200, op
        if op == "search":
            term = next(self.search_terms)
            return "GET", "/api/v1/tickets?" + urlencode({"q": term, "limit": 25}), None, 200, term
        raise ValueError(f"unknown operation {op!r}")


async def drive(args: argparse.Namespace, manifest: dict[str, Any]) -> dict[str, Any]:
    workload = Workload(manifest, args.seed)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    error_examples: list[str] = []
    in_window: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {manifest['token']}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(
        limit=args.concurrency,
        limit_per_host=args.concurrency,
        force_close=args.connections == "per-request",
    )
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    started = time.perf_counter()
    measure_from = started + args.warmup
    stop_at = measure_from + args.duration

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < stop_at:
            method, path, body, expected, label = workload.next(args.op)
            sent = time.perf_counter()
            try:
                async with session.request(method, args.url + path, data=body) as response:
                    payload = await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                payload, status = str(exc).encode(), type(exc).__name__
            done = time.perf_counter()
            if sent < measure_from or done > stop_at:
                continue
            in_window[label] += 1
            if status == str(expected):
                latencies[label].append(done - sent)
            else:
                errors[status] += 1
                if len(error_examples) < 5:
                    error_examples.append(
                        f"{status} {method} {path}: {payload[:300].decode(errors='replace')}"
                    )

    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        await asyncio.gather(*(worker(session) for _ in range(args.concurrency)))
    everything = [sample for samples in latencies.values() for sample in samples]
    result: dict[str, Any] = {
        "op": args.op,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        **summarise(everything),
        "ops_per_s": round(len(everything) / args.duration, 1),
        "errors": sum(errors.values()),
        "errors_by_status": dict(errors),
        "error_examples": error_examples,
    }
    result["requests"] = sum(in_window.values())
    if args.op == "search":
        result["by_term"] = {
            label: {"matching_tickets": manifest["search_terms"].get(label), **summarise(samples)}
            for label, samples in latencies.items()
        }
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["loadgen_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    result["wall_s"] = round(time.perf_counter() - started, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT (loopback only)")
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--op", required=True, choices=OPERATIONS)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=12.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument(
        "--connections",
        choices=["keep-alive", "per-request"],
        default="keep-alive",
        help="reuse each client's connection, or open a new one for every request (as a reverse"
        " proxy without upstream keep-alive does; spreads requests over all server processes)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        parser.error("the load generator only talks to this machine (http://127.0.0.1:PORT)")
    args.url = args.url.rstrip("/")
    manifest = json.loads(args.manifest.read_text())
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    result = runner(drive(args, manifest))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
