"""Webhook test helpers: a real HTTP server on 127.0.0.1 that records what it receives."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huey.contrib.djhuey import HUEY

from frontline.accounts.testing import Api
from frontline.webhooks.selectors import subscription_cache_forget

__all__ = ["Api", "Received", "Receiver"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


#: A reply: (status, headers, body).
Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Receiver:
    """What the server got, and how it answers: `replies[path]` is a list used in turn (the last repeats)."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    replies: dict[str, list[Reply]] = field(default_factory=dict)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, path: str, *replies: Reply) -> None:
        self.replies[path] = list(replies)

    def reply_for(self, path: str) -> Reply:
        queue = self.replies.get(path)
        if not queue:
            return 200, {}, b"ok"
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.received.append(Received(path=self.path, headers=dict(self.headers.items()), body=body))
            status, headers, reply = receiver.reply_for(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on 127.0.0.1 (an ephemeral port), serving from a thread."""
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def allow_loopback(settings) -> None:
    """Let webhooks reach 127.0.0.1, as an on-premise operator would allowlist an internal host."""
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["127.0.0.1"]


@pytest.fixture
def fake_dns(monkeypatch) -> Callable[[dict[str, list[str]]], None]:
    """Answer name lookups from a table (no test touches the internet); unknown names do not resolve."""

    def install(table: dict[str, list[str]]) -> None:
        def resolve(host: str, port: int) -> list[str]:
            if host in table:
                return list(table[host])
            if host.replace(".", "").isdigit() or ":" in host:
                return [host]
            raise OSError(f"{host} does not resolve")

        monkeypatch.setattr("frontline.webhooks.sender.resolve", resolve)

    return install


@pytest.fixture(autouse=True)
def _fresh_subscription_cache() -> Iterator[None]:
    """Ids are reused after a test's rollback (which sends no delete signal), so no cache outlives a test."""
    subscription_cache_forget()
    yield
    subscription_cache_forget()


@pytest.fixture
def huey_schedule() -> Iterator[None]:
    """An empty in-memory task schedule for the test, emptied again after it."""
    HUEY.flush()
    yield
    HUEY.flush()
