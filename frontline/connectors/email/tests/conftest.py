from __future__ import annotations

import hashlib
import socket
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from frontline.accounts.factories import TeamFactory
from frontline.connectors.email.models import Mailbox

MAILBOX_SECRET = "inbound-secret-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mail(
    *,
    sender: str = "Maria Santos <maria@example.ph>",
    to: str = "support@aurora.test",
    subject: str = "Ref ko hindi lumalamig",
    body: str = "Hindi na lumalamig ang ref ko mula kahapon.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.ph")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(
        name="Support",
        address="support@aurora.test",
        display_name="Aurora Support",
        team=TeamFactory(),
        inbound_secret_digest=hashlib.sha256(MAILBOX_SECRET.encode()).hexdigest(),
    )


class Outbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what Frontline sends."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Accepted"


@pytest.fixture
def smtp_server(settings):
    outbox = Outbox()
    port = free_port()
    controller = Controller(outbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield outbox
    controller.stop()
