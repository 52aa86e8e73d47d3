"""Email ingestion end to end: generated mail stored raw, then turned into tickets by one worker.

    make bench-email                                   # SQLite, 10,000 mails
    make bench-email BENCH_ARGS="--db postgres"        # PostgreSQL (database frontline_bench_email)
    .venv/bin/python bench/email_ingest.py --messages 2000 --mode interleaved --profile

What is measured (the default `--mode sequential`):

1. A fresh database: SQLite in a temporary FRONTLINE_DATA_DIR, or on PostgreSQL a dedicated
   database (`--pg-name`, dropped and created again; dropped at the end unless `--keep`).
   `frontline migrate`, and a mailbox.
2. The corpus is generated here, deterministically (`--seed`): new tickets and replies that thread
   to earlier mail of the same customer by In-Reply-To/References, quoting it; English, Tagalog and
   Chinese text; some HTML alternatives; about one mail in ten with a small attachment (PNG, PDF or
   text, 1-20 KB).
3. Store: ONE loader process stores the mail in order as the IMAP poller does, `--store-batch`
   (50) mails per commit through `services.inbound_store_many`, each commit queueing one processing
   task; `--store-batch 1` calls `services.inbound_store` per mail, as the SMTP server and the HTTP
   endpoint do, each commit queueing the mail's own task.
4. Process: ONE `frontline worker` process (FRONTLINE_WORKER_THREADS threads, 2 by default) starts
   with the whole backlog queued and is timed, start-up included, until no mail is `received`.

End to end = mails / (store seconds + process seconds). `--mode interleaved` starts the worker first
and times from the loader's first mail to the last one processed, both running at once.

The queue is SqliteHuey in the data directory for both databases (REDIS_URL is ignored), outgoing
mail goes to Django's dummy backend (the mailbox sends no acknowledgements anyway). `--profile`
adds a run on a fresh database of `--profile-messages` mails processed in this process under
cProfile (a batch of mails per transaction, as the worker does), with every SQL statement
counted; `--py-spy` samples the worker during the process phase.
The results are printed as a table and as JSON (`--json PATH` also writes the JSON to a file).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import os
import platform
import pstats
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
VENV_BIN = REPOSITORY / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
FRONTLINE = (
    [str(VENV_BIN / "frontline")]
    if (VENV_BIN / "frontline").exists()
    else [str(PYTHON), "-m", "frontline.cli"]
)
MAILBOX = "support@aurora.test"
TARGET_PER_SECOND = 200

# --- the corpus ---------------------------------------------------------------------------------------

TEXT = {
    "en": {
        "subjects": [
            "Refrigerator not cooling",
            "Washing machine leaks",
            "Charged twice on my invoice",
            "Delivery has not arrived",
            "Technician visit",
            "Warranty question",
        ],
        "lines": [
            "My refrigerator stopped cooling yesterday evening.",
            "The washing machine leaks water from the bottom when it spins.",
            "I was charged twice on my last invoice, please check.",
            "Can you send a technician this week? I am home after 3 pm.",
            "The delivery has not arrived yet although the tracking says delivered.",
            "Please call me back at your earliest convenience.",
            "I attached a photo of the error code on the display.",
            "Thank you for the quick reply, that solved it.",
            "The unit is still under warranty, the receipt is from March.",
            "Order number 48213, bought at the Makati branch.",
        ],
        "greeting": "Hello,",
        "closing": "Thanks,",
    },
    "tl": {
        "subjects": [
            "Ref ko hindi lumalamig",
            "Tumutulo ang washing machine",
            "Dalawang beses akong siningil",
            "Hindi pa dumarating ang order",
            "Pagbisita ng technician",
        ],
        "lines": [
            "Hindi na lumalamig ang ref ko mula kahapon ng gabi.",
            "May tumutulong tubig sa ilalim ng washing machine kapag umiikot.",
            "Dalawang beses po akong siningil sa huling bill ko.",
            "Puwede po bang magpadala ng technician ngayong linggo?",
            "Hindi pa po dumarating ang delivery ko kahit sabi ng tracking ay delivered na.",
            "Pakitawagan po ako sa lalong madaling panahon.",
            "Naka-attach po ang litrato ng error code.",
            "Salamat po sa mabilis na sagot, ayos na po.",
        ],
        "greeting": "Magandang araw po,",
        "closing": "Salamat po,",
    },
    "zh": {
        "subjects": ["冰箱不制冷", "洗衣机漏水", "账单重复扣款", "快递还没有到", "预约上门维修"],
        "lines": [
            "我的冰箱从昨天晚上开始不制冷了。",
            "洗衣机脱水的时候底部漏水。",
            "我上个月的账单被重复扣款了，请帮忙查一下。",
            "请问这周能派技术人员上门吗？我下午三点以后在家。",
            "物流显示已签收，但是我还没有收到快递。",
            "请尽快给我回电话。",
            "附件是显示屏上错误代码的照片。",
            "谢谢你们的快速回复，问题已经解决了。",
        ],
        "greeting": "您好，",
        "closing": "谢谢！",
    },
}
PNG_MAGIC = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


def _attachment(rng: random.Random) -> tuple[bytes, str, str, str]:
    kind = rng.choice(["png", "pdf", "txt"])
    size = rng.randint(1024, 20 * 1024)
    if kind == "png":
        return PNG_MAGIC + rng.randbytes(size), "image", "png", "photo.png"
    if kind == "pdf":
        return b"%PDF-1.4\n" + rng.randbytes(size), "application", "pdf", "receipt.pdf"
    lines = [
        f"2026-11-{rng.randint(1, 28):02d} 10:{i % 60:02d} E{rng.randint(1, 9)} sensor {i}"
        for i in range(size // 30)
    ]
    return "\n".join(lines).encode(), "text", "plain", "log.txt"


def generate(count: int, seed: int) -> tuple[list[bytes], dict[str, str]]:
    """`count` raw mails, and the thread of each Message-ID (the check after processing uses it)."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    threads: list[dict[str, Any]] = []
    customers: list[tuple[str, str, str]] = []  # (name, address, language)
    thread_of: dict[str, str] = {}
    raws = []
    for index in range(count):
        at = start + timedelta(seconds=index * 7)
        recent = threads[-500:]
        if not recent or rng.random() < 0.4:
            if customers and rng.random() < 0.2:
                customer = rng.choice(customers)  # a returning customer, a new question
            else:
                language = rng.choices(["en", "tl", "zh"], weights=[5, 3, 2])[0]
                number = len(customers) + 1
                name = rng.choice(
                    ["Maria Santos", "Jose Reyes", "Ana Cruz", "Li Wei", "Chen Jing", "John Smith"]
                )
                customer = (name, f"customer{number}@example.{rng.choice(['ph', 'com', 'cn'])}", language)
                customers.append(customer)
            thread = {"key": f"t{len(threads) + 1}", "customer": customer, "ids": [], "texts": []}
            thread["subject"] = rng.choice(TEXT[customer[2]]["subjects"])
            threads.append(thread)
        else:
            thread = rng.choice(recent)
        name, address, language = thread["customer"]
        words = TEXT[language]
        body = "\n\n".join(
            [
                words["greeting"],
                " ".join(rng.choices(words["lines"], k=rng.randint(2, 6))),
                f"{words['closing']}\n{name}",
            ]
        )
        message = EmailMessage()
        message["From"] = f"{name} <{address}>"
        message["To"] = f"Aurora Support <{MAILBOX}>"
        message["Date"] = format_datetime(at)
        message_id = f"<{index + 1}.{thread['key']}.{seed}@mail.{address.split('@')[1]}>"
        message["Message-ID"] = message_id
        if thread["ids"]:
            message["Subject"] = f"Re: {thread['subject']}"
            message["In-Reply-To"] = thread["ids"][-1]
            message["References"] = " ".join(thread["ids"][-10:])
            quoted = "\n".join(f"> {line}" for line in thread["texts"][-1].splitlines())
            body = f"{body}\n\nOn {format_datetime(at - timedelta(hours=1))}, {name} wrote:\n{quoted}"
        else:
            message["Subject"] = thread["subject"]
        message.set_content(body)
        if rng.random() < 0.3:
            paragraphs = "".join(f"<p>{part}</p>" for part in body.split("\n\n"))
            message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if rng.random() < 0.1:
            data, maintype, subtype, filename = _attachment(rng)
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        thread["ids"].append(message_id)
        thread["texts"].append(body.split("\n\nOn ")[0])
        thread_of[message_id] = thread["key"]
        raws.append(message.as_bytes())
    return raws, thread_of


def write_corpus(path: Path, raws: list[bytes]) -> None:
    """The raw mails, each preceded by its length (8 bytes, big-endian)."""
    path.write_bytes(b"".join(struct.pack(">Q", len(raw)) + raw for raw in raws))


def read_corpus(path: Path) -> list[bytes]:
    data, raws, at = path.read_bytes(), [], 0
    while at < len(data):
        (size,) = struct.unpack_from(">Q", data, at)
        raws.append(data[at + 8 : at + 8 + size])
        at += 8 + size
    return raws


# --- the roles run in child processes, with Django set up -------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    import django

    django.setup()


def role_load(corpus: Path, out: Path, store_batch: int) -> None:
    """Store every mail of the corpus as a source does; writes the timing.

    `store_batch` 1: `inbound_store` per mail, as the SMTP server and the HTTP endpoint do. More:
    `inbound_store_many` per `store_batch` mails, as the IMAP poller stores what it fetched.
    """
    _django()
    from frontline.connectors.email.models import Mailbox
    from frontline.connectors.email.services import inbound_store, inbound_store_many

    raws = read_corpus(corpus)
    mailbox, _ = Mailbox.objects.get_or_create(address=MAILBOX, defaults={"name": "Support"})
    began_at, began = time.time(), time.perf_counter()
    if store_batch <= 1:
        created = sum(inbound_store(mailbox=mailbox, raw=raw, source="smtp")[1] for raw in raws)
    else:
        created = sum(
            new
            for at in range(0, len(raws), store_batch)
            for _, new in inbound_store_many(mailbox=mailbox, raws=raws[at : at + store_batch], source="imap")
        )
    seconds = time.perf_counter() - began
    out.write_text(json.dumps({"began_at": began_at, "seconds": seconds, "created": created}))


def role_check(manifest: Path, out: Path) -> None:
    """Count what processing made of the corpus: statuses, tickets, messages, split threads."""
    _django()
    from django.db.models import Max, Min

    from frontline.connectors.email.models import InboundEmail
    from frontline.tickets.models import Attachment, Message, Ticket

    thread_of: dict[str, str] = json.loads(manifest.read_text())
    tickets_of: dict[str, set[int]] = collections.defaultdict(set)
    rows = (
        Message.objects.filter(channel="email")
        .exclude(external_id="")
        .values_list("external_id", "ticket_id")
    )
    for external_id, ticket_id in rows.iterator():
        tickets_of[thread_of.get(external_id, "?")].add(ticket_id)
    span = InboundEmail.objects.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    times = list(InboundEmail.objects.order_by("processed_at").values_list("processed_at", flat=True))
    tenth = max(len(times) // 10, 1)
    by_tenth = [
        round(tenth / max((times[i + tenth - 1] - times[i]).total_seconds(), 1e-6), 1)
        for i in range(0, len(times) - tenth + 1, tenth)
    ]
    statuses = collections.Counter(InboundEmail.objects.values_list("status", flat=True))
    result = {
        "inbound": dict(statuses),
        "messages": Message.objects.count(),
        "tickets": Ticket.objects.count(),
        "threads": len(set(thread_of.values())),
        "threads_split": sum(1 for ids in tickets_of.values() if len(ids) > 1),
        "attachments": Attachment.objects.count(),
        "processed_span_seconds": (span["last"] - span["first"]).total_seconds() if span["first"] else None,
        "process_per_second_by_tenth": by_tenth,
    }
    out.write_text(json.dumps(result))


def role_profile(corpus: Path, out: Path, top: int) -> None:
    """Store the corpus, then process it here under cProfile, counting every SQL statement."""
    _django()
    from django.db import connection

    from frontline.connectors.email.models import InboundEmail, Mailbox
    from frontline.connectors.email.services import BATCH_SIZE, inbound_process_batch, inbound_store

    raws = read_corpus(corpus)
    mailbox, _ = Mailbox.objects.get_or_create(address=MAILBOX, defaults={"name": "Support"})
    statements: collections.Counter[str] = collections.Counter()
    statement_time: collections.Counter[str] = collections.Counter()

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = re.sub(r"\(%s(, %s)*\)|\(\?(, \?)*\)|'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", sql)
            shape = re.sub(r"\s+", " ", shape)[:160]
            statements[shape] += 1
            statement_time[shape] += time.perf_counter() - began

    sample = len(raws) // 10  # stored with every statement counted; the rest is timed bare
    with connection.execute_wrapper(count):
        for raw in raws[:sample]:
            inbound_store(mailbox=mailbox, raw=raw, source="smtp")
    store_statements = sum(statements.values()) / max(sample, 1)
    began, began_cpu = time.perf_counter(), time.process_time()
    for raw in raws[sample:]:
        inbound_store(mailbox=mailbox, raw=raw, source="smtp")
    store_seconds = (time.perf_counter() - began) / max(len(raws) - sample, 1)
    store_cpu_seconds = (time.process_time() - began_cpu) / max(len(raws) - sample, 1)
    ids = list(InboundEmail.objects.filter(status="received").order_by("id").values_list("id", flat=True))
    half = len(ids) // 2  # the first half timed bare, the second under cProfile with statements counted

    def process(chunk: list[int]) -> None:  # as the worker does: a batch per transaction
        for at in range(0, len(chunk), BATCH_SIZE):
            inbound_process_batch(inbound_ids=chunk[at : at + BATCH_SIZE])

    began, began_cpu = time.perf_counter(), time.process_time()
    process(ids[:half])
    bare_seconds = (time.perf_counter() - began) / max(half, 1)
    bare_cpu_seconds = (time.process_time() - began_cpu) / max(half, 1)
    statements.clear()
    statement_time.clear()
    profile = cProfile.Profile()
    with connection.execute_wrapper(count):
        began = time.perf_counter()
        profile.enable()
        process(ids[half:])
        profile.disable()
        process_seconds = time.perf_counter() - began
    ids = ids[half:]
    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = filename.replace(str(REPOSITORY) + "/", "").split("site-packages/")[-1]
        rows.append(
            {"function": f"{where}:{line}({function})", "calls": calls, "own": own, "cumulative": cumulative}
        )
    per = len(ids) or 1
    result = {
        "messages": len(ids),
        "store_ms_per_mail": 1000 * store_seconds,
        "store_cpu_ms_per_mail": 1000 * store_cpu_seconds,
        "store_statements_per_mail": store_statements,
        "process_ms_per_mail": 1000 * bare_seconds,
        "process_cpu_ms_per_mail": 1000 * bare_cpu_seconds,
        "process_ms_per_mail_profiled": 1000 * process_seconds / per,
        "process_statements_per_mail": sum(statements.values()) / per,
        "process_sql_ms_per_mail": 1000 * sum(statement_time.values()) / per,
        "top_statements": [
            {"per_mail": n / per, "ms_per_mail": 1000 * statement_time[s] / per, "sql": s}
            for s, n in statements.most_common(top)
        ],
        "top_own": sorted(rows, key=lambda r: -r["own"])[:top],
        "top_cumulative": [
            r for r in sorted(rows, key=lambda r: -r["cumulative"]) if "frontline/" in r["function"]
        ][:top],
    }
    out.write_text(json.dumps(result))


# --- the driver ---------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[email-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Database:
    """A fresh SQLite file or PostgreSQL database, the environment pointing Frontline at it."""

    def __init__(self, vendor: str, directory: Path, pg_server: str, pg_name: str) -> None:
        self.vendor, self.directory, self.pg_server, self.pg_name = vendor, directory, pg_server, pg_name
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DJANGO_"))}
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        self.env.update(
            FRONTLINE_DATA_DIR=str(directory),
            FRONTLINE_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            FRONTLINE_LOG_LEVEL="ERROR",
            PYTHONPATH=str(REPOSITORY),
        )
        if vendor == "postgres":
            self.env["DATABASE_URL"] = f"{pg_server.rstrip('/')}/{pg_name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.pg_server.rstrip('/')}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.vendor == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.pg_name}"')
        run([*FRONTLINE, "migrate", "--no-input", "-v", "0"], self.env)

    def drop(self) -> None:
        if self.vendor == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)

    def received(self) -> int:
        sql = "select count(*) from email_connector_inboundemail where status = 'received'"
        if self.vendor == "postgres":
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as connection:
                row = connection.execute(sql).fetchone()
                return int(row[0]) if row else 0
        with sqlite3.connect(self.directory / "frontline.sqlite3", timeout=30) as connection:
            return int(connection.execute(sql).fetchone()[0])


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, cwd=REPOSITORY, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{result.stderr[-4000:]}")


def child(role: str, *args: str) -> list[str]:
    return [str(PYTHON), str(Path(__file__).resolve()), "--role", role, *args]


@contextmanager
def worker(database: Database, threads: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**database.env, "FRONTLINE_WORKER_THREADS": str(threads)}
    with open(log_path, "wb") as output:
        process = subprocess.Popen(
            [*FRONTLINE, "worker"], env=env, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_processed(
    database: Database, process: subprocess.Popen[bytes], limit: float, log_path: Path
) -> float:
    """Poll until no mail is `received`; returns the time.time() it was first seen so."""
    deadline = time.monotonic() + limit
    while database.received() > 0:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"not processed after {limit:.0f} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return time.time()


def py_spy_summary(raw: Path, top: int) -> dict[str, Any]:
    """Own and inclusive sample shares per function from py-spy's raw (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [
            frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("site-packages/")[-1]
            for frame in stack.split(";")
        ]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    share = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "own_percent": [(f, share(c)) for f, c in own.most_common(top)],
        "inclusive_percent": [(f, share(c)) for f, c in inclusive.most_common(top * 3) if "frontline" in f][
            :top
        ],
    }


def bench(args: argparse.Namespace, vendor: str, workdir: Path) -> dict[str, Any]:
    database = Database(vendor, workdir / vendor, args.pg_server, args.pg_name)
    log(f"{vendor}: fresh database, migrate")
    database.create()
    raws, thread_of = generate(args.messages, args.seed)
    corpus, manifest = database.directory / "corpus.bin", database.directory / "threads.json"
    write_corpus(corpus, raws)
    manifest.write_text(json.dumps(thread_of))
    stored, checked = database.directory / "stored.json", database.directory / "checked.json"
    log_path = database.directory / "worker.log"
    result: dict[str, Any] = {
        "db": vendor,
        "mode": args.mode,
        "messages": len(raws),
        "corpus_bytes": sum(len(raw) for raw in raws),
        "worker_threads": args.worker_threads,
        "store_batch": args.store_batch,
    }
    load_args = [
        "load",
        "--corpus",
        str(corpus),
        "--out",
        str(stored),
        "--store-batch",
        str(args.store_batch),
    ]
    spy = None
    try:
        if args.mode == "sequential":
            log(f"{vendor}: storing {len(raws)} mails (one loader process)")
            run(child(*load_args), database.env)
            store = json.loads(stored.read_text())
            log(f"{vendor}: stored in {store['seconds']:.1f} s; one worker processes the backlog")
            began = time.time()
            with worker(database, args.worker_threads, log_path) as process:
                spy = start_py_spy(args, process.pid, database.directory)
                done = wait_processed(database, process, args.limit, log_path)
            process_seconds = done - began
            end_to_end = store["seconds"] + process_seconds
        else:
            log(f"{vendor}: worker and loader together")
            with worker(database, args.worker_threads, log_path) as process:
                spy = start_py_spy(args, process.pid, database.directory)
                run(child(*load_args), database.env)
                store = json.loads(stored.read_text())
                done = wait_processed(database, process, args.limit, log_path)
            process_seconds = done - store["began_at"]
            end_to_end = process_seconds
        if spy is not None:
            spy.wait(timeout=60)
        run(child("check", "--corpus", str(manifest), "--out", str(checked)), database.env)
        check = json.loads(checked.read_text())
        result.update(
            store_seconds=round(store["seconds"], 2),
            store_per_second=round(len(raws) / store["seconds"], 1),
            process_seconds=round(process_seconds, 2),
            process_per_second=round(len(raws) / process_seconds, 1),
            process_steady_per_second=round(len(raws) / check["processed_span_seconds"], 1)
            if check["processed_span_seconds"]
            else None,
            end_to_end_seconds=round(end_to_end, 2),
            end_to_end_per_second=round(len(raws) / end_to_end, 1),
            check=check,
        )
        if spy is not None:
            result["py_spy"] = py_spy_summary(database.directory / "py-spy.txt", args.top)
    finally:
        if spy is not None and spy.poll() is None:
            spy.kill()
        if args.keep:
            log(
                f"{vendor}: kept {database.directory}"
                + (f" and database {args.pg_name}" if vendor == "postgres" else "")
            )
        else:
            database.drop()
    return result


def start_py_spy(args: argparse.Namespace, pid: int, directory: Path) -> subprocess.Popen[bytes] | None:
    if not args.py_spy:
        return None
    py_spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "50", "--nonblocking"]
    return subprocess.Popen(
        [*command, "--output", str(directory / "py-spy.txt")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def profile(args: argparse.Namespace, vendor: str, workdir: Path) -> dict[str, Any]:
    database = Database(vendor, workdir / f"{vendor}-profile", args.pg_server, f"{args.pg_name}_profile")
    log(f"{vendor}: profile run, {args.profile_messages} mails processed in one process under cProfile")
    database.create()
    try:
        raws, _ = generate(args.profile_messages, args.seed + 1)
        corpus, out = database.directory / "corpus.bin", database.directory / "profile.json"
        write_corpus(corpus, raws)
        run(
            child("profile", "--corpus", str(corpus), "--out", str(out), "--top", str(args.top)), database.env
        )
        return dict(json.loads(out.read_text()))
    finally:
        if not args.keep:
            database.drop()


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        met = "met" if r["end_to_end_per_second"] >= TARGET_PER_SECOND else "MISSED"
        check = r["check"]
        size = r["corpus_bytes"] / r["messages"] / 1024
        steady = r["process_steady_per_second"]
        lines += [
            f"{r['db']}, {r['mode']}: {r['messages']:,} mails ({size:.1f} KB each), "
            f"one worker process x {r['worker_threads']} threads",
            f"  {'phase':<12}{'seconds':>9}{'mails/s':>10}",
            f"  {'store':<12}{r['store_seconds']:>9.1f}{r['store_per_second']:>10.0f}",
            f"  {'process':<12}{r['process_seconds']:>9.1f}{r['process_per_second']:>10.0f}"
            + (f"   (steady {steady:.0f}/s)" if steady else ""),
            f"  {'':<12}process rate by tenth of the mail: {check['process_per_second_by_tenth']}",
            f"  {'end to end':<12}{r['end_to_end_seconds']:>9.1f}{r['end_to_end_per_second']:>10.0f}"
            f"   target >= {TARGET_PER_SECOND}/s: {met}",
            f"  inbound {check['inbound']}; messages {check['messages']:,}; tickets {check['tickets']:,} "
            f"for {check['threads']:,} threads ({check['threads_split']} split); "
            f"attachments {check['attachments']}",
        ]
    return "\n".join(lines)


def profile_table(p: dict[str, Any], top: int) -> str:
    lines = [
        f"profile: one process, no worker; {p['messages']} mails timed bare, as many under cProfile",
        f"  store   {p['store_ms_per_mail']:.2f} ms ({p['store_cpu_ms_per_mail']:.2f} ms CPU), "
        f"{p['store_statements_per_mail']:.1f} SQL statements per mail",
        f"  process {p['process_ms_per_mail']:.2f} ms ({p['process_cpu_ms_per_mail']:.2f} ms CPU) per mail "
        "(under cProfile "
        f"{p['process_ms_per_mail_profiled']:.2f} ms), {p['process_statements_per_mail']:.1f} SQL statements "
        f"({p['process_sql_ms_per_mail']:.2f} ms) per mail",
        "  SQL statements per mail, most frequent first (count, ms):",
        *[
            f"    {s['per_mail']:5.2f}  {s['ms_per_mail']:6.3f}  {s['sql'][:120]}"
            for s in p["top_statements"][:top]
        ],
        "  Frontline functions by cumulative time (s, calls):",
        *[f"    {r['cumulative']:7.2f}  {r['calls']:>7}  {r['function']}" for r in p["top_cumulative"][:top]],
        "  all functions by own time (s, calls):",
        *[f"    {r['own']:7.2f}  {r['calls']:>7}  {r['function']}" for r in p["top_own"][:top]],
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--mode", choices=["sequential", "interleaved"], default="sequential")
    parser.add_argument(
        "--worker-threads", type=int, default=int(os.environ.get("FRONTLINE_WORKER_THREADS", "2"))
    )
    parser.add_argument(
        "--store-batch",
        type=int,
        default=50,
        help="mails stored per commit: 1 as SMTP and HTTP store, 50 as the IMAP poller does (the default)",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-name", default="frontline_bench_email")
    parser.add_argument(
        "--limit", type=float, default=1800, help="give up processing after this many seconds"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directory and the database")
    parser.add_argument(
        "--profile", action="store_true", help="also profile processing in-process (cProfile)"
    )
    parser.add_argument("--profile-messages", type=int, default=1000)
    parser.add_argument(
        "--py-spy", action="store_true", help="sample the worker with py-spy while it processes"
    )
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    parser.add_argument("--role", choices=["load", "check", "profile"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "load":
        role_load(args.corpus, args.out, args.store_batch)
        return 0
    if args.role == "check":
        role_check(args.corpus, args.out)
        return 0
    if args.role == "profile":
        role_profile(args.corpus, args.out, args.top)
        return 0
    vendors = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {
        "benchmark": "email_ingest",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
        "results": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="frontline-email-bench-"))
    try:
        for vendor in vendors:
            report["results"].append(bench(args, vendor, workdir))
            if args.profile:
                report.setdefault("profiles", {})[vendor] = profile(args, vendor, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report["machine"]["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report["results"]))
    for vendor, p in report.get("profiles", {}).items():
        print(f"{vendor} " + profile_table(p, args.top))
    for r in report["results"]:
        if "py_spy" in r:
            print(f"{r['db']} worker, py-spy ({r['py_spy']['samples']} samples): own time %")
            print("\n".join(f"  {share:5.1f}  {frame}" for frame, share in r["py_spy"]["own_percent"]))
            print("  inclusive %, Frontline frames")
            print("\n".join(f"  {share:5.1f}  {frame}" for frame, share in r["py_spy"]["inclusive_percent"]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
