from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from frontline.accounts.principal import Principal
from frontline.connectors.email.models import InboundEmail, Mailbox, OutboundEmail
from frontline.connectors.email.parsing import UnparseableEmail, parse_email
from frontline.core.errors import NotFound


def email_health() -> dict[str, int]:
    """Counts an operator watches: quarantined and waiting inbound mail, queued and failed outbound mail."""
    inbound = dict(
        InboundEmail.objects.filter(
            status__in=[InboundEmail.Status.QUARANTINED, InboundEmail.Status.RECEIVED]
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    outbound = dict(
        OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "quarantined": inbound.get(InboundEmail.Status.QUARANTINED, 0),
        "waiting": inbound.get(InboundEmail.Status.RECEIVED, 0),
        "outbox_queued": outbound.get(OutboundEmail.Status.QUEUED, 0),
        "outbox_failed": outbound.get(OutboundEmail.Status.FAILED, 0),
    }


@dataclass(frozen=True)
class QuarantinedMail:
    """A quarantined mail as an admin looks at it: who it seems to be from, its subject and why."""

    inbound: InboundEmail
    sender: str
    subject: str


def _headline(inbound: InboundEmail) -> tuple[str, str]:
    """(sender, subject) as far as the mail can be read; empty when it cannot be."""
    try:
        parsed = parse_email(bytes(inbound.raw))
    except UnparseableEmail:
        return "", ""
    sender = parsed.from_.email if parsed.from_ is not None else ""
    return sender, parsed.subject


def inbound_list_quarantined(*, principal: Principal, limit: int = 100) -> list[QuarantinedMail]:
    """Quarantined mail, newest first; only admins see it (their mailboxes' raw mail)."""
    if not principal.is_admin:
        raise NotFound("no such page")
    rows = (
        InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED)
        .select_related("mailbox")
        .order_by("-id")[:limit]
    )
    return [QuarantinedMail(row, *_headline(row)) for row in rows]


def inbound_get_quarantined(*, principal: Principal, inbound_id: int) -> InboundEmail:
    """One quarantined mail for an admin to act on; NotFound for anyone else or any other mail."""
    inbound = (
        InboundEmail.objects.filter(pk=inbound_id, status=InboundEmail.Status.QUARANTINED).first()
        if principal.is_admin
        else None
    )
    if inbound is None:
        raise NotFound("no such quarantined mail")
    return inbound


def mailbox_get_for_admin(*, principal: Principal, mailbox_id: int) -> Mailbox:
    """A mailbox, for an admin to configure; NotFound for anyone else (they cannot see mailboxes)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first() if principal.is_admin else None
    if mailbox is None:
        raise NotFound("no such mailbox")
    return mailbox
