"""A worker killed with SIGKILL mid-batch: after a restart every mail is exactly one message, on the
ticket of its thread, and no email went out twice.

The test drives real processes, not pytest-django's test database: what is under test is the chain
of `inbound_store`'s commit, the Huey queue file, the `frontline` worker process and the outbox, and
only a real process can be killed. Everything lives in a temporary FRONTLINE_DATA_DIR (the SQLite
database in WAL mode and the SqliteHuey queue beside it, as in a default deployment). DATABASE_URL,
REDIS_URL and the other FRONTLINE_* variables are removed from the children's environment, so a CI
run configured for PostgreSQL or Redis cannot point them at a shared database or queue. The test
process itself only reads the database file (`sqlite3`), to follow progress and check the outcome.

1. `frontline migrate`; `frontline shell -c` runs `seed()` below: a mailbox that acknowledges new
   tickets, a second mailbox, an agent; 20 tickets processed at once (their acknowledgements are
   sent right away); agent replies on 10 of them queued; then 300 mails stored with their tasks
   queued: new tickets; replies citing earlier mail by In-Reply-To and References, or citing only
   one of our replies; attachments; a mail delivered twice; mails copied to both mailboxes.
2. A worker starts; when a third of the batch is processed it is killed with SIGKILL.
3. A second worker drains the queue: the rest of the mail, then the acknowledgements of the new
   tickets. The capture SMTP server holds the first message it gets, after reading all of it and
   before answering; the worker is killed while it waits. The mail was delivered but the worker
   never learned it, so its outbox row stays `sending`.
4. A third worker starts, and the minute's reconcile tick (`email_reconcile_task.call_local()` in
   `frontline shell`) processes the mail whose task died with the first worker and sends what is
   due, racing the worker for the same outbox rows. Once everything but the held mail is sent and
   the worker is stopped, the tick runs again with the clock 11 minutes ahead: the row stuck in
   `sending` is failed, never resent.

The workers are `frontline run_huey` (what `frontline worker` runs) with `--no-periodic`, so the
reconcile tick comes when the test runs it rather than whenever a minute starts (waiting for the
real one would cost up to a minute), and a short polling back-off, so a worker notices new tasks
within half a second. They run ONE thread: with two, SQLite's lock is not handed out fairly and one
thread can wait for over a second while the other processes dozens of mails, so even without a
crash a reply can be processed before the mail it answers and open its own ticket. That race is
real, but it is not what this test is about; with one thread the queue is processed in order and
the only disorder left is the one the crash causes.

How threading is checked: the test replays the product's rule (`_thread_ticket`: the ticket of the
newest already-stored message among those the mail cites, else of our reply it cites, else a new
ticket) over the messages in the order the worker created them, and requires every message to sit
exactly where the rule puts it. A reply processed before every mail it cites (an "orphan") opens a
ticket of its own; the only orphans allowed are replies to the mail whose task was lost in the crash
and that the reconcile tick processed later: a known gap, hit when the mail in flight at the kill
starts a thread that gets a reply within the batch. So tickets = threads + those orphans.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from frontline.connectors.email.tests.conftest import free_port

REPOSITORY = Path(__file__).resolve().parent.parent
BATCH = 300
SEEDED_THREADS = 20
AGENT_REPLIES = 10
DEADLINE_SECONDS = 120  # a hang fails here; a run takes 15-25 s
TICK = "from frontline.connectors.email.tasks import email_reconcile_task as t; t.call_local()"
TICK_11_MINUTES_LATER = (
    "from datetime import timedelta; from unittest import mock; from django.utils import timezone; "
    "from frontline.connectors.email.tasks import email_reconcile_task as t; real = timezone.now; "
    "mock.patch.object(timezone, 'now', lambda: real() + timedelta(minutes=11)).start(); t.call_local()"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0002870180eb47ba92"
    "0000000049454e44ae426082"
)


# --- run inside `frontline shell` -------------------------------------------------------------------


def _mail(
    *, sender: str, subject: str, body: str, message_id: str, cites: list[str], attachment: str
) -> bytes:
    """A customer's mail; `cites` is In-Reply-To followed by References, newest first."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    from django.utils import timezone

    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@aurora.test"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    if cites:
        message["In-Reply-To"] = cites[0]
        message["References"] = " ".join(reversed(cites))
    message.set_content(body)
    if attachment == "png":
        message.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
    elif attachment == "txt":
        message.add_attachment(
            f"{message_id}: error E4\n".encode(), maintype="text", subtype="plain", filename="log.txt"
        )
    return message.as_bytes()


def seed(manifest_path: str, batch: int = BATCH, rng_seed: int = 7) -> None:
    """Mailboxes, an agent, seeded tickets, queued agent replies and `batch` stored mails.

    Writes the manifest the test checks against: each Message-ID with its thread and what it cites,
    how many threads there are, and which deliveries must end `ignored`.
    """
    import random

    from huey.contrib.djhuey import HUEY

    from frontline.accounts.factories import TeamFactory, staff
    from frontline.connectors.email import services
    from frontline.connectors.email.models import InboundEmail, Mailbox, OutboundEmail
    from frontline.tickets.models import Message
    from frontline.tickets.services import message_add

    rng = random.Random(rng_seed)
    team = TeamFactory()
    support = Mailbox.objects.create(
        name="Support",
        address="support@aurora.test",
        display_name="Aurora Support",
        team=team,
        acknowledge_new_tickets=True,
    )
    sales = Mailbox.objects.create(name="Sales", address="sales@aurora.test", team=team)
    agent = staff(teams=[team], email="agent@aurora.test")
    subjects = ["Ref ko hindi lumalamig", "Washing machine leaks", "冰箱不制冷", "Invoice question"]
    threads: dict[str, list[str]] = {}  # thread key -> its Message-IDs, oldest first
    thread_of: dict[str, str] = {}  # Message-ID -> thread key
    cites: dict[str, list[str]] = {}  # Message-ID -> the ids it cites, as `_thread_ticket` reads them

    def write(key: str, *, cited: list[str]) -> bytes:
        message_id = f"<m{len(thread_of) + 1}.{key}@example.ph>"
        threads.setdefault(key, []).append(message_id)
        thread_of[message_id], cites[message_id] = key, cited
        return _mail(
            sender=f"Customer {key} <customer.{key}@example.ph>",
            subject=("Re: " if cited else "") + f"{subjects[int(key[1:]) % len(subjects)]} ({key})",
            body=f"Mail {len(thread_of)} on thread {key}. 谢谢 / salamat po.",
            message_id=message_id,
            cites=cited,
            attachment=rng.choice(["", "", "", "", "png", "txt"]),
        )

    def new_thread() -> bytes:
        return write(f"t{len(threads) + 1}", cited=[])

    def reply(key: str) -> bytes:
        """In-Reply-To one earlier mail of the thread; References the first and the latest three."""
        earlier = threads[key]
        parent = rng.choice(earlier)
        cited = [parent, *[i for i in reversed(earlier[-3:]) if i != parent]]
        if earlier[0] not in cited:
            cited.append(earlier[0])
        return write(key, cited=cited)

    HUEY.immediate = True  # no worker runs yet: these are processed and acknowledged right away
    for _ in range(SEEDED_THREADS):
        services.inbound_store(mailbox=support, raw=new_thread(), source="smtp")
    HUEY.immediate = False  # from here on tasks wait in the queue file for a worker
    ours: list[tuple[str, str]] = []  # (thread key, the Message-ID of our queued reply)
    for key in list(threads)[:AGENT_REPLIES]:
        ticket = Message.objects.get(external_id=threads[key][0]).ticket
        message = message_add(
            actor=agent, ticket=ticket, direction="outbound", body_text=f"On it ({key}).", channel="email"
        )
        ours.append((key, OutboundEmail.objects.get(message=message).message_id_header))

    ignored: list[str] = []
    for index in range(batch):
        choice = rng.random()
        if choice < 0.35:
            raw = new_thread()
        elif choice < 0.4 and ours:
            key, our_id = ours.pop(0)
            raw = write(key, cited=[our_id])  # a reply quoting only our Message-ID
        else:
            raw = reply(rng.choice(list(threads)))
        services.inbound_store(mailbox=support, raw=raw, source="smtp")
        if index % 40 == 7:
            services.inbound_store(mailbox=support, raw=raw, source="imap")  # fetched again: not stored
        latest = list(thread_of)[-1]
        if index % 20 == 11 and cites[latest]:  # a reply copied to both our addresses: one message
            services.inbound_store(mailbox=sales, raw=raw, source="smtp")
            ignored.append(latest)

    manifest = {
        "thread_of": thread_of,
        "cites": cites,
        "threads": len(threads),
        "ignored": ignored,
        "stored": InboundEmail.objects.count(),
    }
    Path(manifest_path).write_text(json.dumps(manifest))


# --- the test process -------------------------------------------------------------------------------


def message_id_of(content: bytes) -> str:
    return str(BytesHeaderParser().parsebytes(content).get("Message-ID", "")).strip()


class CaptureServer:
    """An SMTP server on loopback that keeps every message; it can hold one before answering."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.hold_next = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content)
        self.received.append(content)  # it is delivered now, whatever the client hears next
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.held = message_id_of(content)
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "250 2.0.0 Accepted"

    def deliveries(self) -> Counter[str]:
        return Counter(message_id_of(content) for content in list(self.received))


def _read(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    for _ in range(100):
        try:
            with sqlite3.connect(path, timeout=5) as connection:
                return connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:  # a worker may hold the file for a moment
            if "locked" not in str(exc):
                raise
            time.sleep(0.05)
    raise AssertionError(f"{path.name} stayed locked")


class Deployment:
    """The `frontline` command with the test's environment, and the files it writes."""

    def __init__(self, directory: Path, smtp_port: int, deadline: float) -> None:
        self.directory = directory
        self.deadline = deadline
        script = Path(sys.executable).with_name("frontline")
        self.command = [str(script)] if script.exists() else [sys.executable, "-m", "frontline.cli"]
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FRONTLINE_", "DJANGO_")) and key not in ("DATABASE_URL", "REDIS_URL")
        }
        self.env.update(
            FRONTLINE_DATA_DIR=str(directory),
            FRONTLINE_SMTP_HOST="127.0.0.1",
            FRONTLINE_SMTP_PORT=str(smtp_port),
            FRONTLINE_WORKER_THREADS="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
        )
        self.workers: list[subprocess.Popen[bytes]] = []

    def run(self, *args: str) -> None:
        result = subprocess.run(
            [*self.command, *args], env=self.env, cwd=REPOSITORY, capture_output=True, timeout=60
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]

    def shell(self, code: str) -> None:
        self.run("shell", "-c", code)

    def start_worker(self) -> subprocess.Popen[bytes]:
        with open(self.directory / f"worker{len(self.workers) + 1}.log", "wb") as log:
            worker = subprocess.Popen(
                [*self.command, "run_huey", "--no-periodic", "--delay", "0.05", "--max-delay", "0.5"],
                env=self.env,
                cwd=REPOSITORY,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        while not condition():
            if time.monotonic() > self.deadline:
                logs = [p.read_text(errors="replace")[-1500:] for p in sorted(self.directory.glob("worker*"))]
                raise AssertionError(f"timed out waiting for {what}\n" + "\n".join(logs))
            time.sleep(0.02)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return _read(self.directory / "frontline.sqlite3", sql, params)

    def tasks_waiting(self) -> int:
        """Tasks in the queue file, retries scheduled for later included."""
        sql = "select (select count(*) from task) + (select count(*) from schedule)"
        return int(_read(self.directory / "queue.sqlite3", sql)[0][0])

    def inbound(self) -> dict[str, int]:
        return dict(self.query("select status, count(*) from email_connector_inboundemail group by status"))

    def outbox(self) -> dict[str, int]:
        return dict(self.query("select status, count(*) from email_connector_outboundemail group by status"))


@pytest.fixture
def capture_server():
    server = CaptureServer()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield server, controller.port
    server.release.set()
    controller.stop()


@pytest.fixture
def deployment(tmp_path, capture_server):
    deployment = Deployment(tmp_path, capture_server[1], time.monotonic() + DEADLINE_SECONDS)
    yield deployment
    for worker in deployment.workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)


def test_a_worker_killed_mid_batch_loses_no_mail_splits_no_thread_and_sends_nothing_twice(
    deployment, capture_server
):
    server, _ = capture_server
    deployment.run("migrate", "--no-input", "-v", "0")
    manifest_path = deployment.directory / "manifest.json"
    deployment.shell(f"from tests.test_email_crash import seed; seed({str(manifest_path)!r})")
    manifest = json.loads(manifest_path.read_text())
    batch = manifest["stored"] - SEEDED_THREADS
    assert len(server.received) == SEEDED_THREADS  # the seeded tickets' acknowledgements
    assert deployment.inbound() == {"processed": SEEDED_THREADS, "received": batch}

    # Killed while processing, a third of the way through the batch.
    worker = deployment.start_worker()
    deployment.wait_for(lambda: deployment.inbound().get("received", 0) <= batch * 2 // 3, "a third")
    deployment.kill(worker)
    assert 0 < deployment.inbound().get("received", 0) < batch

    # Killed while sending: the server has read the whole message and not yet answered.
    sent_before = len(server.received)
    server.hold_next.set()
    worker = deployment.start_worker()
    deployment.wait_for(server.holding.is_set, "a send to reach the SMTP server")
    deployment.kill(worker)
    server.release.set()
    assert len(server.received) > sent_before
    assert deployment.query(
        "select status from email_connector_outboundemail where message_id_header = ?", (server.held,)
    ) == [("sending",)]
    # The queue holds mail before acknowledgements, so what is still `received` now is what the first
    # worker was processing when it died: its task died with it; only the reconcile tick brings it back.
    lost = {
        key
        for (key,) in deployment.query(
            "select message_key from email_connector_inboundemail where status = 'received'"
        )
    }
    assert len(lost) <= 1

    # Restart; the tick runs while the worker sends the rest.
    worker = deployment.start_worker()
    deployment.shell(TICK)
    deployment.wait_for(
        lambda: (
            deployment.tasks_waiting() == 0
            and "received" not in deployment.inbound()
            and "queued" not in deployment.outbox()
            and deployment.outbox().get("sending") == 1
        ),  # the held mail: neither resent nor failed yet
        "the queue and the stored mail to drain, and all but the held mail to be sent",
    )
    worker.send_signal(signal.SIGINT)  # a graceful stop, once idle
    assert worker.wait(timeout=20) == 0
    deployment.shell(TICK_11_MINUTES_LATER)

    # Every delivery is settled, and every mail is exactly one message.
    thread_of: dict[str, str] = manifest["thread_of"]
    assert deployment.inbound() == {
        "processed": len(thread_of),
        "ignored": len(manifest["ignored"]),
    }
    rows = deployment.query(
        "select id, external_id, ticket_id from tickets_message"
        " where channel = 'email' and external_id != '' order by id"
    )
    assert sorted(external_id for _, external_id, _ in rows) == sorted(thread_of)

    # Every message is on the ticket the threading rule gives it, in the order the worker went.
    ours = dict(deployment.query("select message_id_header, ticket_id from email_connector_outboundemail"))
    placed: dict[str, tuple[int, int]] = {}  # Message-ID -> (message id, ticket id)
    orphans = []
    for message_pk, external_id, ticket_id in rows:
        cited = manifest["cites"][external_id]
        earlier = [placed[i] for i in cited if i in placed]
        quoted = [ours[i] for i in cited if i in ours]
        if earlier:
            expected = max(earlier)[1]
        elif quoted:
            expected = quoted[0]
        else:
            assert ticket_id not in {ticket for _, ticket in placed.values()}, f"{external_id} is new"
            expected = ticket_id
            if cited:
                orphans.append(external_id)
        assert ticket_id == expected, f"{external_id} ({thread_of[external_id]}) on the wrong ticket"
        placed[external_id] = (message_pk, ticket_id)
    # A reply processed before the mail it answers (the one lost in the crash) processes that mail
    # first, so no thread is split.
    assert orphans == [], f"{orphans} lost their thread"
    tickets = deployment.query("select count(*) from tickets_ticket")[0][0]
    assert tickets == manifest["threads"]

    # No email went out twice, every `sent` row went out once, and the held one is failed.
    delivered = server.deliveries()
    assert [header for header, count in delivered.items() if count > 1] == []
    outbox = dict(deployment.query("select message_id_header, status from email_connector_outboundemail"))
    assert set(delivered) <= set(outbox)
    assert [header for header, status in outbox.items() if status == "sent" and not delivered[header]] == []
    failed = deployment.query(
        "select message_id_header, last_error from email_connector_outboundemail where status = 'failed'"
    )
    assert [header for header, _ in failed] == [server.held]
    assert failed[0][1].startswith("interrupted while sending; not resent")
    # One acknowledgement per ticket (each customer writes one thread) and the agents' replies.
    assert len(outbox) == tickets + AGENT_REPLIES
