"""The messaging channel's writes: store webhooks first, turn them into tickets, send through the outbox."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from frontline.accounts.models import User
from frontline.connectors.messaging import adapter, transport
from frontline.connectors.messaging.adapter import (
    InboundMessage,
    Media,
    Parsed,
    StatusUpdate,
    UnreadablePayload,
)
from frontline.connectors.messaging.models import (
    Conversation,
    InboundPayload,
    MessagingAccount,
    OutboundSocialMessage,
)
from frontline.core.errors import Conflict, DomainError, TooLarge
from frontline.customers.models import Customer
from frontline.customers.services import customer_find_or_create
from frontline.events.services import event_record
from frontline.tickets import services as tickets
from frontline.tickets.models import Channel, Message, Ticket
from frontline.webhooks.services import webhook_allowlist

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 1024 * 1024
SEND_ATTEMPTS = 5
MESSAGING_CHANNELS = (Channel.SMS, Channel.SOCIAL)
SUBJECT_CHARS = 80
_CLOSED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)
_KIND_LABELS = dict(MessagingAccount.Kind.choices)


# --- inbound --------------------------------------------------------------------------------------------


def payload_store(
    *, account: MessagingAccount, body: bytes, headers: dict[str, str], provider_message_id: str
) -> tuple[InboundPayload, bool]:
    """Commit a signed delivery before answering the provider. Returns (row, created); a repeat is not new."""
    if len(body) > MAX_PAYLOAD_BYTES:
        raise TooLarge(f"webhooks are limited to {MAX_PAYLOAD_BYTES} bytes", field="body")
    key = provider_message_id[:255]
    existing = InboundPayload.objects.filter(account=account, provider_message_id=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            payload = InboundPayload.objects.create(
                account=account, body=body, headers=headers, provider_message_id=key
            )
            event_record(
                actor=None,
                verb="messaging.received",
                target=payload,
                after={"account": account.pk, "provider_message_id": key, "size": len(body)},
            )
    except IntegrityError:  # the provider retried while the first delivery was being stored
        return InboundPayload.objects.get(account=account, provider_message_id=key), False
    transaction.on_commit(lambda: _enqueue_processing(payload.pk))
    return payload, True


def _enqueue_processing(payload_id: int) -> None:
    from frontline.connectors.messaging.tasks import payload_process_task

    payload_process_task(payload_id)


def delivery_key(account: MessagingAccount, body: bytes) -> str:
    """The idempotency key of a delivery: the provider's message id, else the body's digest."""
    try:
        if account.provider == MessagingAccount.Provider.TWILIO:
            return adapter.twilio_delivery_key(adapter.form_params(body))
        if account.provider == MessagingAccount.Provider.META:
            return adapter.meta_delivery_key(body)
        return adapter.x_delivery_key(body)
    except UnreadablePayload:  # stored anyway, so the failure is visible and can be re-run
        return "sha256:" + hashlib.sha256(body).hexdigest()


def parse(account: MessagingAccount, body: bytes) -> Parsed:
    if account.provider == MessagingAccount.Provider.TWILIO:
        return adapter.parse_twilio(adapter.form_params(body))
    if account.provider == MessagingAccount.Provider.META:
        return adapter.parse_meta(body)
    return adapter.parse_x(body, own_user_id=account.sender_id)


@dataclass(frozen=True)
class _Download:
    account: MessagingAccount
    ticket_id: int
    message_id: int
    media: Media
    index: int


def _finish(
    payload: InboundPayload, status: str, error: str = "", message: Message | None = None
) -> InboundPayload:
    payload.status = status
    payload.error = error[:2000]
    payload.processed_at = timezone.now()
    if message is not None:
        payload.message = message
        payload.ticket_id = message.ticket_id
    payload.save(update_fields=["status", "error", "processed_at", "message", "ticket", "attempts"])
    event_record(
        actor=None,
        verb=f"messaging.{status}",
        target=payload,
        after={"error": payload.error, "ticket": payload.ticket_id, "message": payload.message_id},
    )
    return payload


def payload_process(*, payload_id: int) -> InboundPayload:
    """Turn a stored delivery into messages on tickets; safe to run again (it does nothing twice)."""
    downloads: list[_Download] = []
    with transaction.atomic():
        payload = (
            InboundPayload.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=payload_id)
        )
        if payload.status != InboundPayload.Status.STORED:
            return payload
        payload.attempts += 1
        try:
            parsed = parse(payload.account, bytes(payload.body))
        except UnreadablePayload as exc:
            return _finish(payload, InboundPayload.Status.FAILED, f"unreadable: {exc}")
        try:
            with transaction.atomic():
                payload = _apply(payload, parsed, downloads)
        except DomainError as exc:
            downloads.clear()
            return _finish(payload, InboundPayload.Status.FAILED, f"{exc.code}: {exc.message}")
        except DatabaseError:
            raise  # a locked or lost database: the task is retried, the payload stays stored
        except Exception as exc:  # a bug must not stop the channel: keep the payload aside, visible
            downloads.clear()
            logger.exception("processing messaging payload %s failed", payload.pk)
            return _finish(payload, InboundPayload.Status.FAILED, f"{type(exc).__name__}: {exc}")
    for download in downloads:  # outside the transaction: no lock is held while we fetch
        _media_store(download)
    return payload


def _apply(payload: InboundPayload, parsed: Parsed, downloads: list[_Download]) -> InboundPayload:
    notes = list(parsed.skipped)
    first: Message | None = None
    for inbound in parsed.messages:
        account = _account_for(payload.account, inbound.recipient)
        if account is None:
            notes.append(f"{inbound.provider_message_id}: addressed to {inbound.recipient}, not this account")
            continue
        message = _deliver(account, inbound)
        if message is None:
            notes.append(f"{inbound.provider_message_id}: already received")
            continue
        first = first or message
        downloads += [
            _Download(account, message.ticket_id, message.pk, media, index)
            for index, media in enumerate(inbound.media)
        ]
    applied = 0
    for update in parsed.statuses:
        if status_apply(account=payload.account, update=update) is None:
            notes.append(f"status {update.status} for unknown message {update.provider_message_id}")
        else:
            applied += 1
    if first is None and not applied:
        return _finish(payload, InboundPayload.Status.IGNORED, "; ".join(notes) or "nothing to do")
    return _finish(payload, InboundPayload.Status.PROCESSED, "; ".join(notes), first)


def _account_for(account: MessagingAccount, recipient: str) -> MessagingAccount | None:
    """The account a message was sent to: one Meta app's webhook carries every page it serves."""
    if not recipient or not account.sender_id or account.provider == MessagingAccount.Provider.TWILIO:
        return account
    if recipient == account.sender_id:
        return account
    for other in MessagingAccount.objects.filter(
        provider=account.provider, sender_id=recipient, is_active=True
    ).exclude(pk=account.pk):
        if other.signing_secret_value() == account.signing_secret_value():  # the same app signed it
            return other
    return None


def _customer(inbound: InboundMessage) -> Customer:
    """Found by phone number (E.164) when the provider gives one, else by the social network's id."""
    first, _, last = inbound.name.strip().partition(" ")
    customer, _ = customer_find_or_create(
        actor=None,
        phone=inbound.phone or None,
        social=None if inbound.phone else inbound.social,
        first_name=first[:100],
        last_name=last.strip()[:100],
    )
    return customer


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = set()
    while ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def open_ticket_for(*, account: MessagingAccount, address: str) -> Ticket | None:
    """The customer's ticket still open on this account (merges followed), if any."""
    conversation = (
        Conversation.objects.filter(account=account, address=address)
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    if conversation is None:
        return None
    ticket = _follow_merges(conversation.ticket)
    return None if ticket.status in _CLOSED else ticket


def _body_text(inbound: InboundMessage) -> str:
    if inbound.text.strip():
        return inbound.text
    if inbound.media:
        return f"[{len(inbound.media)} attachment{'s' if len(inbound.media) > 1 else ''}]"
    return "[empty message]"


def _subject(account: MessagingAccount, inbound: InboundMessage) -> str:
    line = inbound.text.strip().splitlines()[0] if inbound.text.strip() else ""
    if line:
        return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…"
    return f"{_KIND_LABELS[account.kind]} from {inbound.name or inbound.phone or inbound.sender}"


def _deliver(account: MessagingAccount, inbound: InboundMessage) -> Message | None:
    """Add the customer's message to their open ticket on this account, or open one; None if a repeat."""
    channel = account.channel
    if Message.objects.filter(channel=channel, external_id=inbound.provider_message_id).exists():
        return None
    customer = _customer(inbound)
    at = timezone.now()
    try:
        with transaction.atomic():
            ticket = open_ticket_for(account=account, address=inbound.sender)
            if ticket is None:
                ticket = tickets.ticket_create(
                    actor=None,
                    requester=customer,
                    subject=_subject(account, inbound),
                    channel=channel,
                    team=account.team,
                    created_at=at,
                )
                Conversation.objects.create(account=account, ticket=ticket, address=inbound.sender)
            return tickets.message_add(
                actor=None,
                ticket=ticket,
                direction=Message.Direction.INBOUND,
                author_customer=customer,
                body_text=_body_text(inbound),
                channel=channel,
                external_id=inbound.provider_message_id,
                created_at=at,
            )
    except Conflict as exc:
        if exc.code == "duplicate_message":  # the same message processed at once elsewhere
            return None
        raise


def payload_reprocess(*, actor: User | None, payload: InboundPayload) -> InboundPayload:
    """Put a failed payload back in line (after a fix) and process it again."""
    with transaction.atomic():
        payload = InboundPayload.objects.select_for_update(of=("self",)).get(pk=payload.pk)
        if payload.status != InboundPayload.Status.FAILED:
            return payload
        payload.status = InboundPayload.Status.STORED
        payload.save(update_fields=["status"])
        event_record(actor=actor, verb="messaging.requeued", target=payload, before={"error": payload.error})
    return payload_process(payload_id=payload.pk)


# --- media --------------------------------------------------------------------------------------------


def _media_headers(account: MessagingAccount) -> dict[str, str]:
    """Credentials the provider wants for its media: Twilio basic auth, Meta and X bearer tokens."""
    if account.provider == MessagingAccount.Provider.TWILIO:
        return {"Authorization": adapter.basic_auth(account.account_sid, account.signing_secret_value())}
    if account.kind in (MessagingAccount.Kind.WHATSAPP_CLOUD, MessagingAccount.Kind.X_DM):
        token = account.access_token_value()
        return {"Authorization": f"Bearer {token}"} if token else {}
    return {}  # Messenger and Instagram attachment URLs are signed CDN links


def media_fetch(*, account: MessagingAccount, media: Media) -> tuple[transport.Response, str]:
    """Download one attachment through the SSRF-safe transport; (response, content type)."""
    allowlist = webhook_allowlist()
    limit = int(settings.FRONTLINE_ATTACHMENT_MAX_BYTES)
    headers = _media_headers(account)
    url, content_type = media.url, media.content_type
    if media.media_id:
        lookup = adapter.meta_media_url_request(
            base_url=account.base_url(), access_token=account.access_token_value(), media_id=media.media_id
        )
        found = transport.request("GET", lookup.url, headers=lookup.headers, allowlist=allowlist)
        if not found.is_success:
            return found, content_type
        try:
            url, looked_up_type = adapter.meta_media_url(found.body)
        except UnreadablePayload as exc:
            return transport.Response(url=lookup.url, error=str(exc)), content_type
        content_type = content_type or looked_up_type
    response = transport.request("GET", url, headers=headers, allowlist=allowlist, max_bytes=limit)
    return response, content_type or response.content_type.split(";")[0].strip()


def _filename(download: _Download, content_type: str) -> str:
    if download.media.filename:
        return download.media.filename
    extension = mimetypes.guess_extension(content_type or "") or ""
    return f"{download.account.kind}-{download.message_id}-{download.index + 1}{extension}"


def _media_store(download: _Download) -> None:
    """Store one attachment on the message; a refused or failed download becomes a note, never an error."""
    media = download.media
    try:
        response, content_type = media_fetch(account=download.account, media=media)
        ticket = Ticket.objects.get(pk=download.ticket_id)
        message = Message.objects.get(pk=download.message_id)
        shown = urlsplit(media.url).netloc or f"media {media.media_id}"
        if not response.is_success:
            problem = response.error or f"the server answered {response.status_code}"
            _note(ticket, f"An attachment from {shown} was not fetched: {problem}")
            return
        try:
            tickets.attachment_add(
                actor=None,
                ticket=ticket,
                message=message,
                file=ContentFile(response.body),
                filename=_filename(download, content_type),
                content_type=content_type or "application/octet-stream",
            )
        except DomainError as exc:
            _note(ticket, f"An attachment from {shown} was not stored: {exc.message}")
    except DatabaseError:
        raise
    except Exception:  # the message is already stored; a broken attachment must not lose it
        logger.exception("fetching media for message %s failed", download.message_id)


def _note(ticket: Ticket, text: str) -> None:
    try:
        tickets.message_add(
            actor=None, ticket=ticket, direction=Message.Direction.NOTE, body_text=text, wake=False
        )
    except DomainError:
        logger.warning("could not note on ticket %s: %s", ticket.pk, text)


# --- delivery statuses ----------------------------------------------------------------------------------


def status_apply(*, account: MessagingAccount, update: StatusUpdate) -> OutboundSocialMessage | None:
    """Record what the provider says became of a message we sent; None when we do not know the message."""
    outbound = (
        OutboundSocialMessage.objects.select_for_update(of=("self",))
        .filter(account__provider=account.provider, provider_message_id=update.provider_message_id)
        .exclude(provider_message_id="")
        .first()
    )
    if outbound is None:
        return None
    status = update.status.lower()
    final = (OutboundSocialMessage.Status.DELIVERED, OutboundSocialMessage.Status.FAILED)
    if outbound.status in final:
        return outbound  # statuses arrive out of order; the first final one stands
    if status in adapter.DELIVERED_STATUSES:
        outbound.status = OutboundSocialMessage.Status.DELIVERED
        outbound.delivered_at = timezone.now()
        verb = "messaging.delivered"
    elif status in adapter.FAILED_STATUSES:
        outbound.status = OutboundSocialMessage.Status.FAILED
        outbound.error = (update.error or f"the provider reports the message {status}")[:2000]
        verb = "messaging.delivery_failed"
    else:
        return outbound  # queued, sent, accepted: nothing new for us
    outbound.save(update_fields=["status", "delivered_at", "error"])
    event_record(
        actor=None,
        verb=verb,
        target=outbound.ticket,
        after={"outbound": outbound.pk, "status": status, "error": outbound.error},
    )
    return outbound


# --- outbound -------------------------------------------------------------------------------------------


def conversation_for(ticket: Ticket) -> Conversation | None:
    """Where the ticket's replies go: its own conversation, or that of a ticket merged into it."""
    return (
        Conversation.objects.filter(Q(ticket=ticket) | Q(ticket__merged_into=ticket))
        .select_related("account")
        .order_by("-id")
        .first()
    )


def reply_queue(*, message_id: int) -> OutboundSocialMessage | None:
    """Queue an agent's outbound SMS/social message for sending (once per message), after commit."""
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if (
        message is None
        or message.direction != Message.Direction.OUTBOUND
        or message.channel not in MESSAGING_CHANNELS
    ):
        return None
    conversation = conversation_for(message.ticket)
    if conversation is None:
        logger.info("ticket %s has no messaging conversation to answer in", message.ticket_id)
        return None
    with transaction.atomic():
        existing = OutboundSocialMessage.objects.filter(message=message).first()
        if existing is not None:
            return existing
        outbound = OutboundSocialMessage.objects.create(
            account=conversation.account,
            ticket=message.ticket,
            message=message,
            recipient=conversation.address,
            text=message.body_text,
            next_attempt_at=timezone.now(),
        )
        event_record(
            actor=None,
            verb="messaging.queued",
            target=message.ticket,
            after={"outbound": outbound.pk, "account": conversation.account_id, "to": conversation.address},
        )
        transaction.on_commit(lambda: _enqueue_sending(outbound.pk))
    return outbound


def _enqueue_sending(outbound_id: int, delay: int = 0) -> None:
    from frontline.connectors.messaging.tasks import outbound_send_task

    if delay:
        outbound_send_task.schedule((outbound_id,), delay=delay)
    else:
        outbound_send_task(outbound_id)


def send_request(outbound: OutboundSocialMessage) -> adapter.ProviderRequest:
    """The provider API call that sends this outbox row."""
    account = outbound.account
    if account.provider == MessagingAccount.Provider.TWILIO:
        origin = str(settings.FRONTLINE_BASE_URL).rstrip("/")
        return adapter.twilio_send_request(
            base_url=account.base_url(),
            account_sid=account.account_sid,
            auth_token=account.signing_secret_value(),
            from_=account.sender_id,
            to=outbound.recipient,
            text=outbound.text,
            status_callback=f"{origin}/inbound/twilio/{account.pk}/",
        )
    if account.provider == MessagingAccount.Provider.META:
        return adapter.meta_send_request(
            base_url=account.base_url(),
            kind=account.kind,
            sender_id=account.sender_id,
            access_token=account.access_token_value(),
            to=outbound.recipient,
            text=outbound.text,
        )
    return adapter.x_send_request(
        base_url=account.base_url(),
        access_token=account.access_token_value(),
        to=outbound.recipient,
        text=outbound.text,
    )


def outbound_send(*, outbound_id: int) -> OutboundSocialMessage:
    """Send one queued message through the provider's HTTP API.

    The row is marked `sending` (committed) before the request and `sent` only after the provider
    accepted it. A row found still `sending` was interrupted mid-request: it is failed, never sent
    again, so a crash cannot send a customer the same text twice.
    """
    with transaction.atomic():
        outbound = (
            OutboundSocialMessage.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=outbound_id)
        )
        if outbound.status != OutboundSocialMessage.Status.QUEUED:
            return outbound
        if outbound.next_attempt_at is not None and outbound.next_attempt_at > timezone.now():
            return outbound  # a retry that is not due yet
        outbound.status = OutboundSocialMessage.Status.SENDING
        outbound.attempts += 1
        outbound.next_attempt_at = timezone.now()  # when this attempt started
        outbound.save(update_fields=["status", "attempts", "next_attempt_at"])
    request = send_request(outbound)
    response = transport.request(
        "POST", request.url, headers=request.headers, body=request.body, allowlist=webhook_allowlist()
    )
    if not response.is_success:
        detail = response.error or f"{response.status_code} {adapter.error_excerpt(response.body)}"
        return _send_failed(outbound, detail, retry=response.is_retryable)
    try:
        provider_id = adapter.sent_message_id(outbound.account.provider, response.body)
    except UnreadablePayload as exc:
        provider_id = ""
        logger.warning("outbound %s was accepted but %s", outbound.pk, exc)
    with transaction.atomic():
        outbound.status = OutboundSocialMessage.Status.SENT
        outbound.sent_at = timezone.now()
        outbound.provider_message_id = provider_id[:255]
        outbound.error = ""
        outbound.save(update_fields=["status", "sent_at", "provider_message_id", "error"])
        event_record(
            actor=None,
            verb="messaging.sent",
            target=outbound.ticket,
            after={"outbound": outbound.pk, "provider_message_id": provider_id},
        )
    return outbound


def _send_failed(outbound: OutboundSocialMessage, error: str, *, retry: bool) -> OutboundSocialMessage:
    with transaction.atomic():
        final = not retry or outbound.attempts >= SEND_ATTEMPTS
        delay = 30 * 2**outbound.attempts
        outbound.status = (
            OutboundSocialMessage.Status.FAILED if final else OutboundSocialMessage.Status.QUEUED
        )
        outbound.error = error[:2000]
        outbound.next_attempt_at = None if final else timezone.now() + timedelta(seconds=delay)
        outbound.save(update_fields=["status", "error", "next_attempt_at"])
        event_record(
            actor=None,
            verb="messaging.send_failed" if final else "messaging.send_retrying",
            target=outbound.ticket,
            after={"outbound": outbound.pk, "error": outbound.error, "attempts": outbound.attempts},
        )
        if not final:
            transaction.on_commit(lambda: _enqueue_sending(outbound.pk, delay=delay))
    return outbound


def outbound_reconcile() -> int:
    """Fail rows interrupted while sending (never resent) and send queued rows whose time has come."""
    stale = timezone.now() - timedelta(minutes=10)
    interrupted = list(
        OutboundSocialMessage.objects.filter(
            status=OutboundSocialMessage.Status.SENDING, next_attempt_at__lt=stale
        )
    )
    for outbound in interrupted:
        _send_failed(outbound, "interrupted while sending; not resent, to avoid sending twice", retry=False)
    due = list(
        OutboundSocialMessage.objects.filter(
            status=OutboundSocialMessage.Status.QUEUED, next_attempt_at__lte=timezone.now()
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for outbound_id in due:
        outbound_send(outbound_id=outbound_id)
    return len(interrupted) + len(due)


def unsent_replies_queue(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue agents' replies whose outbox row was never made (the process died after the commit)."""
    now = timezone.now()
    missing = (
        Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            channel__in=MESSAGING_CHANNELS,
            created_at__gte=now - timedelta(days=1),
            created_at__lte=now - older_than,
        )
        .filter(~Exists(OutboundSocialMessage.objects.filter(message=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    return sum(reply_queue(message_id=message_id) is not None for message_id in list(missing))
