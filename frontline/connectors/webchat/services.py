"""The web chat's writes: start and resume a conversation, sequence its lines and files, fall back,
transcripts, and the sites that embed the widget.

Every line gets the next number of its conversation inside the transaction that stores it (the
conversation row is locked and its counter raised there), so numbers are 1, 2, 3... with no gap
and no repeat. A customer line carries the widget's own id: sending it again after a dropped
connection returns the stored line instead of a second one. Listeners are told after commit,
through the channel layer (groups `webchat.conversation.<id>` and `webchat.agents`).
A file is a line too: its attachment is stored on the chat ticket, on a message of its own (from
the customer) or on the agent's reply; the customer fetches it by a signed link (see
`selectors.attachment_link`), agents through the tickets API.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from frontline.accounts.models import User
from frontline.connectors.email.models import OutboundEmail
from frontline.connectors.email.services import automatic_mail_queue
from frontline.connectors.voice import services as voice
from frontline.connectors.voice.models import CallbackRequest
from frontline.connectors.webchat import selectors
from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, RateLimited, TooLarge
from frontline.core.throttle import attempts_counted
from frontline.customers.models import Customer
from frontline.customers.services import customer_find_or_create
from frontline.events.services import event_record
from frontline.knowledge.models import Deflection
from frontline.knowledge.services import deflection_record
from frontline.routing import services as routing
from frontline.routing.models import Interaction, Queue
from frontline.tickets.content import safe_filename
from frontline.tickets.models import Attachment, Channel, Message, Ticket
from frontline.tickets.services import attachment_add, message_add, ticket_create

logger = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_NAME = 200
MAX_CLIENT_ID = 64
SUBJECT_CHARS = 80
#: (attempts allowed, window in seconds) per scope, counted in the cache across connections.
LIMITS: dict[str, tuple[int, int]] = {
    "start-ip": (20, 3600),
    "callback-phone": (3, 3600),
    "leave-ip": (10, 3600),
    "transcript": (3, 3600),
    "attachment-ip": (60, 3600),
    "attachment-conversation": (20, 3600),
}
_OPEN = (Conversation.State.WAITING, Conversation.State.ACTIVE)


def conversation_group(conversation_id: int) -> str:
    return f"webchat.conversation.{conversation_id}"


def accept_seconds() -> int:
    """How long a chat waits for an agent before the widget offers a message or a callback."""
    return int(getattr(settings, "FRONTLINE_CHAT_ACCEPT_SECONDS", 60))


def throttle(scope: str, value: str) -> None:
    """Count one attempt against `scope:value`; the one over the scope's limit in its window is refused."""
    limit, window = LIMITS[scope]
    key = f"webchat:{scope}:{hashlib.sha256(value.encode()).hexdigest()}"
    if attempts_counted(cache, key, window=window) > limit:
        raise RateLimited(_("Too many attempts. Please wait a while and try again."), field=scope)


def _subject(text: str) -> str:
    """A ticket subject from the visitor's words: one line, cut with an ellipsis when too long."""
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_key_new() -> str:
    return secrets.token_urlsafe(18)


# --- The channel layer (after commit) ---------------------------------------------------------------


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the change is committed; a resume fetches what a listener missed
        logger.exception("could not publish to %s", group)


def _send_after_commit(group: str, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _send(group, message))


def entry_data(entry: ChatEntry, *, for_agents: bool = False) -> dict[str, Any]:
    """A line as the widget (or, `for_agents`, the agents' socket) sees it: plain text, never HTML.

    A file's line adds `attachment`: its name, size, type and where to fetch it (the customer's
    signed link, or the tickets API for agents).
    """
    data: dict[str, Any] = {
        "seq": entry.seq,
        "author": entry.author,
        "name": entry.author_name,
        "text": entry.body,
        "client_id": entry.client_id,
        "at": entry.created_at.isoformat(),
    }
    attachment = entry.attachment if entry.attachment_id is not None else None
    if attachment is not None:
        if for_agents:
            url = f"/api/v1/attachments/{attachment.pk}/content"
        else:
            url = selectors.attachment_link(
                conversation_id=entry.conversation_id, attachment_id=attachment.pk
            )
        data["attachment"] = {
            "id": attachment.pk,
            "name": attachment.filename,
            "size": attachment.size,
            "content_type": attachment.content_type,
            "url": url,
        }
    return data


def signal(conversation_id: int, data: dict[str, Any]) -> None:
    """An unsequenced notice (typing, read, agent joined, fallback, ended) to the widget's tabs."""
    _send(conversation_group(conversation_id), {"type": "chat.signal", "data": data})


# --- Lines -------------------------------------------------------------------------------------------


def _locked(conversation_id: int) -> Conversation:
    return Conversation.objects.select_for_update(of=("self",)).get(pk=conversation_id)


def _next_seq(conversation: Conversation) -> int:
    """Raise the counter in the database (atomic on SQLite and PostgreSQL alike) and read it back."""
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=F("last_seq") + 1)
    conversation.last_seq = (
        Conversation.objects.filter(pk=conversation.pk).values_list("last_seq", flat=True).get()
    )
    return conversation.last_seq


def announcements(conversation: Conversation, entry: ChatEntry) -> list[tuple[str, dict[str, Any]]]:
    """(group, message) pairs that tell the widget's tabs and (for customer lines) the agents of a line."""
    pairs: list[tuple[str, dict[str, Any]]] = [
        (conversation_group(conversation.pk), {"type": "chat.entry", "entry": entry_data(entry)})
    ]
    if entry.author != ChatEntry.Author.AGENT:
        data = {
            "type": "message",
            "conversation": conversation.pk,
            "ticket": conversation.ticket_id,
            **entry_data(entry, for_agents=True),
        }
        message = {"type": "chat.agents", "data": data}
        pairs.extend((group, message) for group in selectors.agents_groups(conversation))
    return pairs


def _entry_add(
    conversation: Conversation,
    *,
    author: str,
    body: str,
    at: datetime,
    author_name: str = "",
    client_id: str = "",
    message: Message | None = None,
    attachment: Attachment | None = None,
    seq: int | None = None,
    publish: bool = True,
) -> ChatEntry:
    """The conversation's next line (`seq`: a number the caller drew with `_next_seq` already).
    `publish=False`: the caller (an async consumer) announces it itself after commit, without making
    the database thread wait for the channel layer."""
    entry = ChatEntry.objects.create(
        conversation=conversation,
        seq=seq if seq is not None else _next_seq(conversation),
        author=author,
        author_name=author_name[:MAX_NAME],
        body=body,
        client_id=client_id,
        message=message,
        attachment=attachment,
        created_at=at,
    )
    if publish:
        for group, announcement in announcements(conversation, entry):
            _send_after_commit(group, announcement)
    return entry


def _check_text(text: str, field: str = "text") -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid(_("Write a message first."), field=field)
    if len(text) > MAX_TEXT:
        raise Invalid(_("A message is limited to %(n)d characters.") % {"n": MAX_TEXT}, field=field)
    return text.strip()


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid(_("Tell us your name."), field="name")
    return " ".join(name.split())[:MAX_NAME]


def _check_email(email: str) -> str:
    email = (email or "").strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address."), field="email") from None
    return email


def _customer(email: str, name: str) -> Customer:
    first, _space, last = name.partition(" ")
    customer, _created = customer_find_or_create(
        actor=None, email=email, first_name=first[:100], last_name=last[:100]
    )
    return customer


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    token: str


@transaction.atomic
def conversation_start(
    *,
    site: Site,
    name: str,
    email: str,
    question: str,
    language: str = "",
    ip: str = "",
    at: datetime | None = None,
) -> Started:
    """The pre-chat form is sent: a ticket on the chat channel, its first line, a contact waiting."""
    now = at or timezone.now()
    if not site.active:
        raise NotFound(_("This chat is not available."))
    name, email, question = _check_name(name), _check_email(email), _check_text(question, "question")
    availability = selectors.chat_availability(at=now)
    if not availability.is_open:
        raise Conflict(_("Chat is closed at the moment."), code="closed")
    throttle("start-ip", ip or "unknown")
    customer = _customer(email, name)
    subject = _subject(question)
    ticket = ticket_create(
        actor=None,
        requester=customer,
        subject=subject,
        body_text=question,
        channel=Channel.CHAT,
        created_at=now,
    )
    token = secrets.token_urlsafe(32)
    conversation = Conversation.objects.create(
        site=site,
        customer=customer,
        ticket=ticket,
        token_digest=_digest(token),
        customer_name=name,
        customer_email=email,
        language=language[:16],
        started_at=now,
    )
    first = Message.objects.filter(ticket=ticket).order_by("id").first()
    _entry_add(
        conversation, author=ChatEntry.Author.CUSTOMER, author_name=name, body=question, at=now, message=first
    )
    queue = selectors.chat_queue(site)
    if queue is not None:
        conversation.interaction = routing.interaction_enqueue(
            queue=queue, customer=customer, ticket=ticket, external_id=f"webchat:{conversation.pk}", at=now
        )
        conversation.save(update_fields=["interaction"])
    event_record(
        actor=None,
        verb="webchat.started",
        target=conversation,
        at=now,
        after={"site": site.pk, "ticket": ticket.pk, "interaction": conversation.interaction_id},
    )
    return Started(conversation=conversation, token=token)


def conversation_for_token(*, site: Site, token: str) -> Conversation:
    """The conversation a resume token opens (only on the site that started it)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(_("This conversation cannot be found."))
    conversation = (
        Conversation.objects.filter(site=site, token_digest=_digest(token)).select_related("ticket").first()
    )
    if conversation is None:
        raise NotFound(_("This conversation cannot be found."))
    return conversation


def message_receive(
    *,
    conversation: Conversation,
    client_id: str,
    text: str,
    publish: bool = True,
    at: datetime | None = None,
) -> tuple[ChatEntry, bool]:
    """The customer's line, numbered and stored; the same `client_id` again is not new.

    The line is committed before anyone hears of it (`publish=False`: the caller announces it, see
    `announcements`). It is copied onto the ticket as an inbound message right after, by
    `lines_mirror` (a task; a sweep repeats it), so the chat's own latency does not wait for the
    ticket's bookkeeping (SLA clocks, search, rules) and nothing is lost if that step fails once.
    """
    with transaction.atomic():
        out = lines_receive(
            lines=[LineIn(conversation_id=conversation.pk, client_id=client_id, text=text)], at=at
        )[0]
        if out.error is not None:
            raise out.error
        assert out.entry is not None
        if publish and out.created:
            for group, announcement in announcements(out.entry.conversation, out.entry):
                _send_after_commit(group, announcement)
    return out.entry, out.created


@dataclass(frozen=True)
class LineIn:
    conversation_id: int
    client_id: Any
    text: Any


@dataclass(frozen=True)
class LineOut:
    entry: ChatEntry | None
    created: bool
    error: DomainError | None


def _check_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= MAX_CLIENT_ID:
        raise Invalid(
            _("Every message needs an id of 1 to %(n)d characters.") % {"n": MAX_CLIENT_ID}, field="client_id"
        )
    return client_id


@transaction.atomic
def lines_receive(*, lines: list[LineIn], at: datetime | None = None) -> list[LineOut]:
    """Customers' lines, many at once (a group commit): numbered, stored, results in `lines` order.

    A refused line (bad input, an ended chat) gets its error and does not stop the others. The
    conversations are locked in id order for the whole batch (on SQLite the write lock is taken at
    BEGIN), so their counters are read and raised here without a race; a client id seen before
    returns the stored line (`created` False), also when it repeats inside the batch.
    """
    now = at or timezone.now()
    ids = sorted({line.conversation_id for line in lines})
    conversations = {
        conversation.pk: conversation
        for conversation in Conversation.objects.select_for_update(of=("self",))
        .select_related("ticket__team")  # who hears of the lines (`agents_groups`)
        .filter(pk__in=ids)
        .order_by("pk")
    }
    client_ids = {line.client_id for line in lines if isinstance(line.client_id, str)}
    known: dict[tuple[int, str], ChatEntry] = {
        (entry.conversation_id, entry.client_id): entry
        for entry in ChatEntry.objects.filter(conversation_id__in=ids, client_id__in=client_ids)
    }
    results: list[LineOut] = []
    created: list[ChatEntry] = []
    touched: dict[int, Conversation] = {}
    for line in lines:
        try:
            client_id, text = _check_client_id(line.client_id), _check_text(line.text)
            conversation = conversations.get(line.conversation_id)
            if conversation is None:
                raise NotFound(_("This conversation cannot be found."))
            key = (conversation.pk, client_id)
            if key in known:
                results.append(LineOut(entry=known[key], created=False, error=None))
                continue
            if conversation.state not in _OPEN:
                raise Conflict(_("This conversation has ended."), code="ended")
            conversation.last_seq += 1
            entry = ChatEntry(
                conversation=conversation,
                seq=conversation.last_seq,
                author=ChatEntry.Author.CUSTOMER,
                author_name=conversation.customer_name,
                body=text,
                client_id=client_id,
                created_at=now,
            )
            known[key] = entry
            created.append(entry)
            touched[conversation.pk] = conversation
            results.append(LineOut(entry=entry, created=True, error=None))
        except DomainError as exc:
            results.append(LineOut(entry=None, created=False, error=exc))
    if created:
        ChatEntry.objects.bulk_create(created)
        Conversation.objects.bulk_update(list(touched.values()), ["last_seq"])
        for conversation_id in sorted(touched):
            _mirror_soon(conversation_id)
    return results


def _mirror_soon(conversation_id: int) -> None:
    def enqueue() -> None:
        from frontline.connectors.webchat.tasks import lines_mirror_task

        lines_mirror_task(conversation_id)

    transaction.on_commit(enqueue)


def lines_mirror(*, conversation_id: int) -> int:
    """Copy the conversation's customer lines that are not on its ticket yet onto it, in order.

    Idempotent: a line is linked to its message in the same transaction, and the message's external
    id (`webchat:<conversation>:<seq>`) is unique per channel. Returns how many were copied.
    """
    copied = 0
    with transaction.atomic():
        conversation = _locked(conversation_id)
        ticket = Ticket.objects.get(pk=conversation.ticket_id)
        entries = ChatEntry.objects.filter(
            conversation=conversation, author=ChatEntry.Author.CUSTOMER, message__isnull=True
        ).order_by("seq")
        for entry in entries:
            message = message_add(
                actor=None,
                ticket=ticket,
                direction=Message.Direction.INBOUND,
                body_text=entry.body,
                channel=Channel.CHAT,
                external_id=f"webchat:{conversation.pk}:{entry.seq}",
                created_at=entry.created_at,
            )
            entry.message = message
            entry.save(update_fields=["message"])
            copied += 1
    return copied


def lines_unmirrored(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Conversations with customer lines still not on their ticket after `older_than` (for the sweep)."""
    cutoff = (now or timezone.now()) - older_than
    return list(
        ChatEntry.objects.filter(
            author=ChatEntry.Author.CUSTOMER, message__isnull=True, created_at__lt=cutoff
        )
        .values_list("conversation_id", flat=True)
        .distinct()[:1000]
    )


@dataclass(frozen=True)
class Upload:
    """A file the widget sent: its bytes, size, and the name and type the browser gave."""

    file: IO[bytes]
    name: str
    content_type: str
    size: int


def attachment_max_bytes() -> int:
    return int(settings.FRONTLINE_ATTACHMENT_MAX_BYTES)


def attachment_too_large() -> TooLarge:
    return TooLarge(
        _("A file can be at most %(size)s.") % {"size": filesizeformat(attachment_max_bytes())}, field="file"
    )


def attachment_receive(
    *,
    site: Site,
    token: str,
    upload: Upload | None,
    client_id: Any,
    ip: str = "",
    at: datetime | None = None,
) -> tuple[ChatEntry, bool]:
    """The customer's file, sent with the conversation's resume token: stored on the chat ticket
    (an inbound message carrying the attachment) and numbered as the conversation's next line.

    The same `client_id` again returns the stored line (`created` False). The lines before the file
    are copied onto the ticket first, so the ticket keeps the chat's order. All or nothing.
    """
    now = at or timezone.now()
    throttle("attachment-ip", ip or "unknown")
    if not isinstance(token, str) or not token:
        raise Forbidden(_("Start the chat first."), code="not_started")
    conversation = conversation_for_token(site=site, token=token)
    client_id = _check_client_id(client_id)
    if upload is None:
        raise Invalid(_("Choose a file to send."), field="file")
    if upload.size > attachment_max_bytes():
        raise attachment_too_large()
    if upload.size == 0:
        raise Invalid(_("The file is empty."), field="file")
    throttle("attachment-conversation", str(conversation.pk))
    with transaction.atomic():
        conversation = _locked(conversation.pk)
        existing = (
            ChatEntry.objects.filter(conversation=conversation, client_id=client_id)
            .select_related("attachment")
            .first()
        )
        if existing is not None:
            return existing, False
        if conversation.state not in _OPEN:
            raise Conflict(_("This conversation has ended."), code="ended")
        lines_mirror(conversation_id=conversation.pk)
        seq = _next_seq(conversation)
        ticket = Ticket.objects.get(pk=conversation.ticket_id)
        name = safe_filename(upload.name or "")
        message = message_add(
            actor=None,
            ticket=ticket,
            direction=Message.Direction.INBOUND,
            body_text=name,
            channel=Channel.CHAT,
            external_id=f"webchat:{conversation.pk}:{seq}",
            created_at=now,
        )
        try:
            attachment = attachment_add(
                actor=None,
                ticket=ticket,
                file=upload.file,
                filename=name,
                content_type=upload.content_type,
                message=message,
            )
        except TooLarge:
            raise attachment_too_large() from None
        except Invalid as exc:
            if exc.code != "unsupported_type":
                raise
            raise Invalid(_("Files of this type cannot be sent."), field="file", code=exc.code) from None
        try:
            entry = _entry_add(
                conversation,
                author=ChatEntry.Author.CUSTOMER,
                author_name=conversation.customer_name,
                body=attachment.filename,
                client_id=client_id,
                message=message,
                attachment=attachment,
                seq=seq,
                at=now,
            )
            event_record(
                actor=None,
                verb="webchat.attachment_received",
                target=conversation,
                at=now,
                after={"seq": seq, "attachment": attachment.pk, "message": message.pk},
            )
        except Exception:  # the rows roll back; the stored bytes must not stay behind either
            attachment.file.delete(save=False)
            raise
    return entry, True


def _agent_name(message: Message) -> str:
    user = message.author_user
    if user is None:
        return ""
    return user.first_name or user.get_username()


@transaction.atomic
def agent_line_from_message(*, message_id: int) -> ChatEntry | None:
    """An agent's reply on a chat ticket (desk, API, anywhere) becomes the conversation's next line."""
    message = Message.objects.select_related("author_user").filter(pk=message_id).first()
    if message is None or message.direction != Message.Direction.OUTBOUND:
        return None
    conversation = (
        Conversation.objects.filter(ticket_id=message.ticket_id, state__in=_OPEN)
        .order_by("-started_at")
        .first()
    )
    if conversation is None:
        return None
    conversation = _locked(conversation.pk)
    existing = ChatEntry.objects.filter(message=message).first()
    if existing is not None:
        return existing
    text = message.body_text.strip()
    if not text:
        return None
    return _entry_add(
        conversation,
        author=ChatEntry.Author.AGENT,
        author_name=_agent_name(message),
        body=text,
        message=message,  # the line of this reply: a second call finds it above
        at=message.created_at,
    )


@transaction.atomic
def agent_line_from_attachment(*, attachment_id: int) -> ChatEntry | None:
    """A file on an agent's reply on a chat ticket becomes the conversation's next line (a link).

    Only files of replies written while the chat is open; a note's files never reach the widget.
    """
    attachment = (
        Attachment.objects.select_related("message", "message__author_user").filter(pk=attachment_id).first()
    )
    if attachment is None or attachment.message is None:
        return None
    message = attachment.message
    if message.direction != Message.Direction.OUTBOUND or message.channel != Channel.CHAT:
        return None
    conversation = (
        Conversation.objects.filter(ticket_id=message.ticket_id, state__in=_OPEN)
        .order_by("-started_at")
        .first()
    )
    if conversation is None or message.created_at < conversation.started_at:
        return None
    conversation = _locked(conversation.pk)
    existing = ChatEntry.objects.filter(attachment=attachment).first()
    if existing is not None:
        return existing
    return _entry_add(
        conversation,
        author=ChatEntry.Author.AGENT,
        author_name=_agent_name(message),
        body=attachment.filename,
        attachment=attachment,
        at=attachment.created_at,
    )


@transaction.atomic
def agent_joined(*, interaction_id: int) -> Conversation | None:
    """The chat's contact was accepted: the widget shows the agent's name."""
    interaction = Interaction.objects.select_related("agent").filter(pk=interaction_id).first()
    conversation = Conversation.objects.filter(interaction_id=interaction_id).first()
    if interaction is None or conversation is None or interaction.agent is None:
        return None
    conversation = _locked(conversation.pk)
    if conversation.state not in _OPEN:
        return conversation
    name = interaction.agent.first_name or interaction.agent.get_username()
    conversation.state, conversation.agent_name = Conversation.State.ACTIVE, name[:MAX_NAME]
    conversation.save(update_fields=["state", "agent_name"])
    event_record(
        actor=None, verb="webchat.agent_joined", target=conversation, after={"agent": interaction.agent_id}
    )
    conversation_id = conversation.pk
    transaction.on_commit(lambda: signal(conversation_id, {"type": "agent_joined", "name": name}))
    return conversation


@transaction.atomic
def read_mark(*, conversation: Conversation, reader: str, seq: int) -> Conversation:
    """`reader` ("customer" or "agent") has seen every line up to `seq` (never moves back)."""
    if reader not in ("customer", "agent"):
        raise Invalid("reader is customer or agent", field="reader")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise Invalid(_("Not a message number."), field="seq")
    conversation = _locked(conversation.pk)
    field = f"{reader}_read_seq"
    seq = min(seq, conversation.last_seq)
    if seq > getattr(conversation, field):
        setattr(conversation, field, seq)
        conversation.save(update_fields=[field])
    return conversation


def _end_interaction(conversation: Conversation, outcome: str, now: datetime) -> None:
    if conversation.interaction_id is None:
        return
    interaction = Interaction.objects.get(pk=conversation.interaction_id)
    if interaction.state in (
        Interaction.State.WAITING,
        Interaction.State.OFFERED,
        Interaction.State.CONNECTED,
    ):
        routing.interaction_end(actor=None, interaction=interaction, outcome=outcome, at=now)


@transaction.atomic
def conversation_end(
    *, conversation: Conversation, outcome: str = "ended", at: datetime | None = None
) -> Conversation:
    """The customer closed the chat: ended when an agent had it, abandoned while it waited."""
    now = at or timezone.now()
    conversation = _locked(conversation.pk)
    if conversation.state not in _OPEN:
        return conversation
    before = conversation.state
    conversation.state = (
        Conversation.State.ENDED if before == Conversation.State.ACTIVE else Conversation.State.ABANDONED
    )
    conversation.ended_at = now
    conversation.save(update_fields=["state", "ended_at"])
    _end_interaction(conversation, outcome, now)
    event_record(
        actor=None,
        verb="webchat.ended",
        target=conversation,
        at=now,
        before={"state": before},
        after={"state": conversation.state, "outcome": outcome},
    )
    conversation_id, state = conversation.pk, conversation.state
    transaction.on_commit(lambda: signal(conversation_id, {"type": "ended", "state": state}))
    return conversation


@transaction.atomic
def fallback_due(*, conversation: Conversation, now: datetime | None = None) -> bool:
    """Whether the widget should offer a message or a callback: still waiting after the setting's time.

    The first time it is due, the offer is recorded (an event), so reports can count it.
    """
    now = now or timezone.now()
    conversation = _locked(conversation.pk)
    if conversation.state != Conversation.State.WAITING:
        return False
    if conversation.fallback_offered_at is not None:
        return True
    if now < conversation.started_at + timedelta(seconds=accept_seconds()):
        return False
    conversation.fallback_offered_at = now
    conversation.save(update_fields=["fallback_offered_at"])
    event_record(actor=None, verb="webchat.fallback_offered", target=conversation, at=now)
    return True


@transaction.atomic
def message_leave(
    *,
    site: Site,
    name: str,
    email: str,
    text: str,
    conversation: Conversation | None = None,
    ip: str = "",
    at: datetime | None = None,
) -> Ticket:
    """Leave a message instead of chatting: a ticket (the waiting chat's own, when there is one)."""
    now = at or timezone.now()
    text = _check_text(text)
    if conversation is not None:
        conversation = _locked(conversation.pk)
        if conversation.state in _OPEN:
            _mirror_soon(conversation.pk)
            _entry_add(
                conversation,
                author=ChatEntry.Author.CUSTOMER,
                author_name=conversation.customer_name,
                body=text,
                at=now,
            )
            conversation_end(conversation=conversation, outcome="left_message", at=now)
            return Ticket.objects.get(pk=conversation.ticket_id)
        # The chat ended meanwhile: the message becomes a ticket of its own, never dropped.
        name, email = name or conversation.customer_name, email or conversation.customer_email
    if not site.active:
        raise NotFound(_("This chat is not available."))
    name, email = _check_name(name), _check_email(email)
    throttle("leave-ip", ip or "unknown")
    customer = _customer(email, name)
    subject = _subject(text)
    ticket = ticket_create(
        actor=None,
        requester=customer,
        subject=subject,
        body_text=text,
        channel=Channel.CHAT,
        tags=["chat-message-left"],
        created_at=now,
    )
    event_record(actor=None, verb="webchat.message_left", target=ticket, at=now, after={"site": site.pk})
    return ticket


def callback_request(
    *, site: Site, name: str, phone: str, conversation: Conversation | None = None, at: datetime | None = None
) -> CallbackRequest:
    """ "Call me back" from the widget: the voice connector's website callback, routed like a call."""
    now = at or timezone.now()
    if not site.active:
        raise NotFound(_("This chat is not available."))
    line = selectors.callback_line()
    if line is None:
        raise Conflict(_("We cannot take callback requests at the moment."), code="no_callback")
    e164 = voice.phone_e164(phone if isinstance(phone, str) else "")
    if e164 is None:
        raise Invalid(_("This is not a phone number we can call."), field="phone")
    throttle("callback-phone", e164)
    with transaction.atomic():
        request = voice.callback_request_create(line=line, phone=e164, name=(name or "")[:MAX_NAME], at=now)
        if conversation is not None:
            conversation_end(conversation=conversation, outcome="callback", at=now)
    return request


def transcript_send(*, conversation: Conversation, at: datetime | None = None) -> OutboundEmail:
    """Email the conversation's lines to the address given in the pre-chat form, through the outbox."""
    if not conversation.customer_email:
        raise Invalid(_("We have no email address for this chat."), field="email")
    throttle("transcript", str(conversation.pk))
    entries = selectors.entries_after(conversation=conversation, seq=0, limit=10_000)
    language = conversation.language if conversation.language in selectors.LANGUAGES else "en"
    with i18n.override(language):
        lines = []
        for entry in entries:
            who = entry.author_name or (_("Agent") if entry.author == ChatEntry.Author.AGENT else _("You"))
            stamp = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")
            text = entry.body
            if entry.attachment_id is not None:
                text = _("Sent a file: %(name)s") % {"name": entry.body}
            lines.append(f"[{stamp}] {who}: {text}")
        subject = _("Your chat with %(site)s") % {"site": conversation.site.name}
        body = "\n".join([_("Here is the transcript of your chat."), "", *lines, ""])
    with transaction.atomic():
        outbound = automatic_mail_queue(to=[conversation.customer_email], subject=subject, body=body)
        event_record(
            actor=None,
            verb="webchat.transcript_sent",
            target=conversation,
            at=at,
            after={"lines": len(entries)},
        )
    return outbound


def deflection_from_chat(*, article_id: int, query: str, language: str) -> Deflection:
    """ "This solved my problem" under a suggested article: a contact avoided, no chat started."""
    article = selectors.article_public(article_id)
    if article is None:
        raise Invalid(_("This article cannot be found."), field="article_id")
    return deflection_record(
        article=article,
        query=(query or "")[:500],
        channel=Channel.CHAT,
        language=language if language else "",
    )


# --- Sites -------------------------------------------------------------------------------------------


def _check_site(site: Site) -> None:
    try:
        site.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid("; ".join(messages), field=field) from None


@transaction.atomic
def site_create(
    *,
    actor: User | None,
    name: str,
    allowed_origins: list[str],
    queue: Queue | None = None,
    public_key: str = "",
) -> Site:
    """A site that may embed the widget; a fresh random public key unless one is given."""
    site = Site(
        name=name,
        public_key=public_key or public_key_new(),
        allowed_origins=list(allowed_origins),
        queue=queue,
    )
    _check_site(site)
    site.save()
    event_record(
        actor=actor,
        verb="webchat.site_created",
        target=site,
        after={"name": site.name, "allowed_origins": site.allowed_origins, "queue": site.queue_id},
    )
    return site


@transaction.atomic
def site_update(*, actor: User | None, site: Site, allowed_origins: list[str], queue: Queue | None) -> Site:
    """Change which pages may open the site's chat and where its chats wait."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    before = {"allowed_origins": site.allowed_origins, "queue": site.queue_id}
    site.allowed_origins, site.queue = list(allowed_origins), queue
    _check_site(site)
    site.save(update_fields=["allowed_origins", "queue"])
    event_record(
        actor=actor,
        verb="webchat.site_changed",
        target=site,
        before=before,
        after={"allowed_origins": site.allowed_origins, "queue": site.queue_id},
    )
    return site
