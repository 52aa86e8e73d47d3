"""Messaging test helpers: accounts, signed deliveries, and a fake provider server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from frontline.accounts.factories import TeamFactory
from frontline.connectors.messaging import signatures
from frontline.connectors.messaging.models import MessagingAccount

FIXTURES = Path(__file__).parent / "fixtures"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
META_SECRET = "meta-app-secret-for-tests"
META_VERIFY = "meta-verify-token-for-tests"
X_SECRET = "x-consumer-secret-for-tests"
BASE_URL = "https://support.aurora.test"


def fixture_text(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


#: A reply: (status, headers, body).
Reply = tuple[int, dict[str, str], bytes]


@dataclass
class FakeProvider:
    """A provider's API on 127.0.0.1: records each request; `replies[path]` answer in turn (last repeats)."""

    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[str, list[Reply]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str, *replies: Reply) -> None:
        self.replies[path] = list(replies)

    def answer_json(self, path: str, data: Any, status: int = 200) -> None:
        self.answer(path, (status, {"Content-Type": "application/json"}, json.dumps(data).encode()))

    def reply_for(self, path: str) -> Reply:
        queue = self.replies.get(path)
        if not queue:
            return 404, {}, b'{"error": {"message": "no such path on the fake"}}'
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(state: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
            status, headers, reply = state.reply_for(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    """The fake provider server, serving from a thread on an ephemeral port."""
    state = FakeProvider()
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
    """Let the connector reach 127.0.0.1, as an operator allowlists an internal host."""
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = ["127.0.0.1"]


@pytest.fixture
def no_allowlist(settings) -> None:
    settings.FRONTLINE_WEBHOOK_ALLOWLIST = []


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
def _base_url(settings) -> None:
    settings.FRONTLINE_BASE_URL = BASE_URL


def make_account(kind: str, **values: Any) -> MessagingAccount:
    provider = MessagingAccount.PROVIDER_OF_KIND[MessagingAccount.Kind(kind)]
    defaults: dict[str, Any] = {
        "twilio": {
            "account_sid": "AC0123456789abcdef0123456789abcdef",
            "signing_secret": TWILIO_TOKEN,
            "sender_id": "+14155552671" if kind == "sms" else "+14155238886",
        },
        "meta": {
            "signing_secret": META_SECRET,
            "verify_token": META_VERIFY,
            "access_token": "meta-page-token",
            "sender_id": {
                "messenger": "110299245208716",
                "instagram": "17841405822304914",
                "whatsapp_cloud": "106540352242922",
            }.get(kind, ""),
        },
        "x": {"signing_secret": X_SECRET, "access_token": "x-user-token", "sender_id": "4337869213"},
    }[provider]
    defaults.update(values)
    return MessagingAccount.objects.create(
        name=f"{kind} {MessagingAccount.objects.count() + 1}",
        provider=provider,
        kind=kind,
        team=TeamFactory(),
        **defaults,
    )


@pytest.fixture
def sms_account(db) -> MessagingAccount:
    return make_account("sms")


@pytest.fixture
def whatsapp_account(db) -> MessagingAccount:
    return make_account("whatsapp")


@pytest.fixture
def messenger_account(db) -> MessagingAccount:
    return make_account("messenger")


@pytest.fixture
def whatsapp_cloud_account(db) -> MessagingAccount:
    return make_account("whatsapp_cloud")


@pytest.fixture
def x_account(db) -> MessagingAccount:
    return make_account("x_dm")


# --- signed deliveries, as each provider sends them ----------------------------------------------------


def twilio_post(
    client,
    account: MessagingAccount,
    params: dict[str, str],
    *,
    token: str = TWILIO_TOKEN,
    signature: str | None = None,
):
    path = f"/inbound/twilio/{account.pk}/"
    if signature is None:
        signature = signatures.twilio_signature(BASE_URL + path, list(params.items()), token)
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def meta_post(
    client, account: MessagingAccount, body: bytes, *, secret: str = META_SECRET, signature: str | None = None
):
    return client.post(
        f"/inbound/meta/{account.pk}/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature
        if signature is not None
        else signatures.meta_signature(body, secret),
    )


def x_post(
    client, account: MessagingAccount, body: bytes, *, secret: str = X_SECRET, signature: str | None = None
):
    return client.post(
        f"/inbound/x/{account.pk}/",
        data=body,
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature
        if signature is not None
        else signatures.x_signature(body, secret),
    )
