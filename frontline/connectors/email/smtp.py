"""The built-in SMTP/LMTP receiver: accepts mail for our mailboxes and answers 250 only once it is stored."""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async

from frontline.connectors.email.models import InboundEmail, Mailbox

logger = logging.getLogger(__name__)


def _mailbox_for(address: str) -> Mailbox | None:
    """support@x or support+anything@x (plus addressing carries reply tokens)."""
    local, _, domain = address.lower().partition("@")
    base = local.split("+", 1)[0]
    return Mailbox.objects.filter(address__iexact=f"{base}@{domain}", is_active=True).first()


def _store(address_list: list[str], raw: bytes) -> list[int]:
    from frontline.connectors.email.services import inbound_store

    stored = []
    for mailbox_id in dict.fromkeys(m.pk for a in address_list if (m := _mailbox_for(a)) is not None):
        inbound, _ = inbound_store(
            mailbox=Mailbox.objects.get(pk=mailbox_id), raw=raw, source=InboundEmail.Source.SMTP
        )
        stored.append(inbound.pk)
    return stored


class InboundHandler:
    """aiosmtpd handler: refuse unknown recipients at RCPT, store the message at DATA."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        mailbox = await sync_to_async(_mailbox_for)(address)
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw: Any = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        try:
            stored = await sync_to_async(_store)(list(envelope.rcpt_tos), data)
        except Exception:
            logger.exception("could not store an inbound message")
            return "451 4.3.0 Could not store the message; try again later"
        if not stored:
            return "550 5.1.1 No such mailbox here"
        return "250 2.0.0 Stored"
