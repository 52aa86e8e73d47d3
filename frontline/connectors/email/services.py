"""The email channel's writes: store raw mail first, turn it into tickets, and send through the outbox."""

from __future__ import annotations

import contextvars
import hashlib
import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from frontline.accounts.models import User
from frontline.accounts.selectors import user_role
from frontline.connectors.email import tokens
from frontline.connectors.email.loops import AUTO_REPLY_HEADERS, automatic_headers, classify
from frontline.connectors.email.models import EmailParticipant, InboundEmail, Mailbox, OutboundEmail
from frontline.connectors.email.parsing import ParsedEmail, UnparseableEmail, parse_email
from frontline.connectors.email.reading import agent_text
from frontline.core.errors import Conflict, DomainError, Invalid, TooLarge
from frontline.customers.models import ContactPoint, Customer
from frontline.customers.services import customer_create, customer_find_or_create, normalize_contact
from frontline.events.services import event_record, events_deferred, events_immediate
from frontline.plans.models import Plan
from frontline.sla import availability
from frontline.sla.selectors import reply_promise
from frontline.sla.signals import sla_events_batched
from frontline.tickets import services as tickets
from frontline.tickets.content import ContentError, content_type_by_content
from frontline.tickets.models import Attachment, Channel, Message, Ticket

logger = logging.getLogger(__name__)

MAX_RAW_BYTES = 50 * 1024 * 1024
#: Automatic acknowledgements to one customer per hour: a ping-pong with another robot stops here.
ACKNOWLEDGEMENTS_PER_HOUR = 3
SEND_ATTEMPTS = 5
REFERENCES_KEPT = 10
#: Stored mails one worker task processes in one transaction (one commit), oldest first.
BATCH_SIZE = 50


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def _keys() -> list[bytes]:
    """The key that signs now, then earlier ones (SECRET_KEY_FALLBACKS) whose addresses still work."""
    return [_key(), *(str(key).encode() for key in settings.SECRET_KEY_FALLBACKS)]


def _domain() -> str:
    return str(settings.FRONTLINE_EMAIL_DOMAIN)


def message_key(raw: bytes) -> tuple[str, str]:
    """(message key, digest): the Message-ID if the mail has one, else 'sha256:<digest of the bytes>'."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[: 256 * 1024])
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # a header block we cannot read still gets stored, keyed by its digest
        value = ""
    found = value.strip().split()[0] if value.strip() else ""
    if found and len(found) <= 250 and "@" in found:
        return (found if found.startswith("<") else f"<{found.strip('<>')}>"), digest
    return f"sha256:{digest}", digest


def inbound_store(*, mailbox: Mailbox, raw: bytes, source: str) -> tuple[InboundEmail, bool]:
    """Commit the exact bytes before anyone acknowledges them. Returns (row, created); a repeat is not new."""
    if len(raw) > MAX_RAW_BYTES:
        raise TooLarge(f"messages are limited to {MAX_RAW_BYTES // (1024 * 1024)} MB", field="raw")
    key, digest = message_key(raw)
    existing = InboundEmail.objects.filter(mailbox=mailbox, message_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                mailbox=mailbox, source=source, raw=raw, size=len(raw), digest=digest, message_key=key
            )
            event_record(
                actor=None,
                verb="email.received",
                target=inbound,
                after={"mailbox": mailbox.pk, "source": source, "message_key": key, "size": len(raw)},
            )
    except IntegrityError:  # the same message arrived twice at once
        return InboundEmail.objects.get(mailbox=mailbox, message_key=key), False
    transaction.on_commit(lambda: _enqueue_processing(inbound.pk))
    return inbound, True


def _enqueue_processing(inbound_id: int) -> None:
    from frontline.connectors.email.tasks import inbound_process_task

    inbound_process_task(inbound_id)


def inbound_store_many(
    *, mailbox: Mailbox, raws: list[bytes], source: str
) -> list[tuple[InboundEmail, bool]]:
    """`inbound_store` for mail a source received together (an IMAP fetch): ONE commit for all of them.

    Returns (row, created) per mail, in order; a repeat (stored before, or earlier in `raws`) is not
    new. Nothing is stored if any mail is too large. One processing task is queued for the new
    mails after the commit. If another process stores one of them at the same moment, each is
    stored on its own instead.
    """
    for raw in raws:
        if len(raw) > MAX_RAW_BYTES:
            raise TooLarge(f"messages are limited to {MAX_RAW_BYTES // (1024 * 1024)} MB", field="raw")
    keyed = [(raw, *message_key(raw)) for raw in raws]
    existing = {
        row.message_key: row
        for row in InboundEmail.objects.filter(mailbox=mailbox, message_key__in={key for _, key, _ in keyed})
    }
    new: dict[str, InboundEmail] = {}
    for raw, key, digest in keyed:
        if key not in existing and key not in new:
            new[key] = InboundEmail(
                mailbox=mailbox, source=source, raw=raw, size=len(raw), digest=digest, message_key=key
            )
    if new:
        try:
            with transaction.atomic(), events_deferred():
                InboundEmail.objects.bulk_create(list(new.values()))
                for inbound in new.values():
                    event_record(
                        actor=None,
                        verb="email.received",
                        target=inbound,
                        after={
                            "mailbox": mailbox.pk,
                            "source": source,
                            "message_key": inbound.message_key,
                            "size": inbound.size,
                        },
                    )
        except IntegrityError:  # some arrived through another door at the same moment
            return [inbound_store(mailbox=mailbox, raw=raw, source=source) for raw in raws]
        ids = [inbound.pk for inbound in new.values()]
        transaction.on_commit(lambda: _enqueue_processing_many(ids))
    results = []
    for _, key, _ in keyed:
        if key in new:
            results.append((new.pop(key), True))
            existing[key] = results[-1][0]
        else:
            results.append((existing[key], False))
    return results


def _enqueue_processing_many(inbound_ids: list[int]) -> None:
    from frontline.connectors.email.tasks import inbound_process_many_task

    inbound_process_many_task(inbound_ids)


def _own_addresses() -> set[str]:
    return {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}


#: How deep a chain of not-yet-processed cited mail is followed before threading.
CITED_DEPTH = 5
_citing_depth = contextvars.ContextVar("frontline_email_citing_depth", default=0)


def _cited(parsed: ParsedEmail) -> list[str]:
    return [*parsed.in_reply_to, *parsed.references][-50:]


def _process_cited_first(inbound: InboundEmail, parsed: ParsedEmail, reads: _Reads) -> None:
    """Process stored mail that this message answers before threading it.

    Mail is normally processed in arrival order, but a crash or a second worker can bring a reply
    first; without this it would open a ticket of its own and split the thread.
    """
    cited = _cited(parsed)
    depth = _citing_depth.get()
    if not cited or depth >= CITED_DEPTH:
        return
    done = {
        inbound.pk,
        *reads.done,
        *(row.pk for row in reads.finished or ()),
    }  # the batch's, maybe unwritten
    if reads.cited_waiting is not None and not {
        pk for key in cited for pk in reads.cited_waiting.get(key, ()) if pk not in done
    }:
        return  # none of it was waiting when the batch began, or the batch did it since: no query
    waiting = (
        InboundEmail.objects.filter(message_key__in=cited, status=InboundEmail.Status.RECEIVED)
        .exclude(pk__in=done)
        .order_by("id")
        .values_list("id", flat=True)
    )
    waiting_ids = list(waiting)
    if not waiting_ids:
        return
    reads.write_finished()  # the mails processed out of turn see the batch's earlier ones as done
    reads.forget()  # what the batch read before may be out of date now: ask the database from here on
    token = _citing_depth.set(depth + 1)
    try:
        for inbound_id in waiting_ids:
            reads.done.add(inbound_id)
            inbound_process(inbound_id=inbound_id)
    finally:
        _citing_depth.reset(token)


def _thread_refs(parsed: ParsedEmail) -> list[str]:
    return [*parsed.in_reply_to, *reversed(parsed.references)][:50]


def _thread_ticket(parsed: ParsedEmail, reads: _Reads) -> Ticket | None:
    """The ticket this mail answers: by In-Reply-To/References, then by the subject token.

    The ticket is read with `select_for_update`, so messages can be added without reading it again.
    """
    ids = _thread_refs(parsed)
    if ids:
        ticket_id = reads.thread_ticket_id(ids)
        if ticket_id is not None:
            return reads.take_ticket(ticket_id) or _locked_ticket(ticket_id)
        outbound_ticket = (
            OutboundEmail.objects.filter(message_id_header__in=ids)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if outbound_ticket is not None:
            return _locked_ticket(outbound_ticket)
    token = tokens.find_subject_token(parsed.subject)
    if token is not None:
        return _locked_ticket(token)
    return None


def _locked_ticket(ticket_id: int) -> Ticket | None:
    ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    return _follow_merges(ticket) if ticket is not None else None


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = set()
    while ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.merged_into_id)
    return ticket


def _participants(ticket: Ticket) -> set[str]:
    """Addresses that belong on this ticket: requester, earlier writers, CCs and its staff."""
    customer_ids = {
        ticket.requester_id,
        *Message.objects.filter(ticket=ticket, author_customer__isnull=False).values_list(
            "author_customer_id", flat=True
        ),
    }
    addresses = set(
        ContactPoint.objects.filter(customer_id__in=customer_ids, kind=ContactPoint.Kind.EMAIL).values_list(
            "normalized", flat=True
        )
    )
    addresses |= set(EmailParticipant.objects.filter(ticket=ticket).values_list("address", flat=True))
    staff = User.objects.filter(Q(pk=ticket.assignee_id) | Q(followed_tickets=ticket)).values_list(
        "email", flat=True
    )
    return {address.lower() for address in addresses | set(staff) if address}


def _is_participant(ticket: Ticket, sender: Customer, address: str) -> bool:
    """Whether the sender belongs on the ticket; its requester (the usual case) costs no query."""
    return sender.pk == ticket.requester_id or address.lower() in _participants(ticket)


def _normalized_sender(parsed: ParsedEmail) -> str:
    if parsed.from_ is None or not parsed.from_.email:
        return ""
    try:
        return normalize_contact(ContactPoint.Kind.EMAIL, parsed.from_.email)
    except DomainError:
        return ""


def _known_senders(addresses: Iterable[str]) -> dict[str, Customer]:
    rows = ContactPoint.objects.filter(
        kind=ContactPoint.Kind.EMAIL, network="", normalized__in=sorted(set(addresses))
    ).select_related("customer")
    return {row.normalized: row.customer for row in rows.order_by("-id")}  # the oldest wins, as .first()


def _sender(parsed: ParsedEmail, reads: _Reads) -> Customer:
    """The customer the mail is from: known to the batch, one query, else found or created."""
    assert parsed.from_ is not None
    normalized = _normalized_sender(parsed)
    if normalized and reads.senders is not None and normalized in reads.senders:
        return reads.senders[normalized]
    known = _known_senders([normalized]).get(normalized) if normalized and reads.senders is None else None
    if known is not None:
        return known
    first_name, last_name = _names(parsed)
    if normalized and reads.senders is not None:
        # Unknown to the whole batch: a new customer (a conflict fails the mail; its second round finds).
        customer = customer_create(
            actor=None, emails=[parsed.from_.email], first_name=first_name, last_name=last_name
        )
        reads.senders[normalized] = customer
        return customer
    customer, _ = customer_find_or_create(
        actor=None, email=parsed.from_.email, first_name=first_name, last_name=last_name
    )
    return customer


def _agent_from_token(parsed: ParsedEmail) -> tuple[Ticket, User] | None:
    candidates = [a.email for a in (*parsed.to, *parsed.cc)] + [*parsed.in_reply_to, *parsed.references]
    found = next(
        (hit for key in _keys() if (hit := tokens.read_agent_token(candidates, key)) is not None), None
    )
    if found is None or parsed.from_ is None:
        return None
    ticket = Ticket.objects.filter(pk=found[0]).first()
    user = User.objects.filter(pk=found[1], is_active=True).first()
    if ticket is None or user is None or user_role(user) is None:
        return None
    if user.email.lower() != parsed.from_.email.lower():
        return None  # a valid token forwarded by someone else is not the agent
    return _follow_merges(ticket), user


def _names(parsed: ParsedEmail) -> tuple[str, str]:
    name = parsed.from_.name if parsed.from_ else ""
    first, _, last = name.strip().partition(" ")
    return first[:100], last[:100]


def inbound_quarantine(*, inbound: InboundEmail, reason: str) -> InboundEmail:
    inbound.status = InboundEmail.Status.QUARANTINED
    inbound.note = reason[:2000]
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["status", "note", "processed_at", "attempts"])
    event_record(actor=None, verb="email.quarantined", target=inbound, after={"reason": inbound.note})
    return inbound


_FINISHED_FIELDS = ("status", "note", "processed_at", "message", "ticket", "attempts")


def _finish(
    inbound: InboundEmail, reads: _Reads, status: str, note: str = "", message: Message | None = None
) -> InboundEmail:
    """Mark the mail done; in a batch without savepoints the row is written with the batch's others."""
    inbound.status = status
    inbound.note = note
    inbound.processed_at = timezone.now()
    if message is not None:
        inbound.message = message
        inbound.ticket_id = message.ticket_id
    if inbound.ticket_id is not None:
        reads.touched.add(inbound.ticket_id)
    if reads.finished is not None:
        reads.finished.append(inbound)
    else:
        inbound.save(update_fields=list(_FINISHED_FIELDS))
    event_record(
        actor=None,
        verb=f"email.{status}",
        target=inbound,
        after={"note": note, "ticket": inbound.ticket_id, "message": inbound.message_id},
    )
    return inbound


def _finished_write(rows: list[InboundEmail]) -> None:
    """Write what `_finish` set on these rows: one UPDATE statement, executed for each row.

    `bulk_update` would build a CASE per field and row, which costs more CPU than saving the rows
    one by one; `executemany` of one parameterised statement costs little on either database.
    """
    if not rows:
        return
    meta = InboundEmail._meta
    fields = [field for field in meta.concrete_fields if field.name in _FINISHED_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608  # names from the model, values as parameters
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    rows.clear()


def inbound_process(*, inbound_id: int) -> InboundEmail:
    """Turn stored mail into a message on the right ticket; safe to run again (it does nothing twice)."""
    return inbound_process_batch(inbound_ids=[inbound_id])[0]


@dataclass
class _Reads:
    """What a batch reads once for all its mails; a None field means: ask the database mail by mail."""

    own: set[str]
    #: normalized sender address -> customer, for the batch's senders known (or created) so far
    senders: dict[str, Customer] | None = None
    #: Message-ID -> (message id, ticket id) of email messages the batch's mails cite or carry
    messages: dict[str, tuple[int, int]] | None = None
    #: message key -> ids of stored mail that was still waiting when the batch began, among those cited
    cited_waiting: dict[str, set[int]] | None = None
    #: the plan version of every new ticket, when known for the whole batch (None: no plan exists)
    plan_version: Any = None
    plan_known: bool = False
    #: mail processed out of turn (cited by a reply) during the batch
    done: set[int] = field(default_factory=set)
    #: rows `_finish` marked done, written together by `write_finished` (None: each at once)
    finished: list[InboundEmail] | None = None
    #: tickets the batch's replies thread to, read and locked (in id order) when the batch began
    tickets: dict[int, Ticket] | None = None
    #: tickets a mail of the batch worked on: read again (locked already), the copy above may be stale
    touched: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, own: set[str], mails: list[ParsedEmail]) -> _Reads:
        senders = {address for address in map(_normalized_sender, mails) if address}
        carried = {mail.message_id for mail in mails if mail.message_id}
        refs = {ref for mail in mails for ref in _thread_refs(mail)}
        cited = {ref for mail in mails for ref in _cited(mail)}
        lookup = sorted((carried | refs) - {""})
        messages: dict[str, tuple[int, int]] = {}
        if lookup:
            rows = (
                # The exclude lets SQLite use the partial unique index on (channel, external_id).
                Message.objects.filter(channel=Channel.EMAIL, external_id__in=lookup)
                .exclude(external_id="")
                .values_list("external_id", "id", "ticket_id")
            )
            messages = {external_id: (pk, ticket_id) for external_id, pk, ticket_id in rows}
        waiting: dict[str, set[int]] = {}
        if cited:
            for key, pk in InboundEmail.objects.filter(
                message_key__in=sorted(cited), status=InboundEmail.Status.RECEIVED
            ).values_list("message_key", "id"):
                waiting.setdefault(key, set()).add(pk)
        replied = {
            max(found)[1]
            for found in ([messages[ref] for ref in _thread_refs(mail) if ref in messages] for mail in mails)
            if found
        }
        tickets = (
            {
                ticket.pk: ticket
                for ticket in Ticket.objects.select_for_update(of=("self",))
                .filter(pk__in=sorted(replied))
                .order_by("pk")
            }
            if replied
            else {}
        )
        return cls(
            tickets=tickets,
            own=own,
            senders=_known_senders(senders) if senders else {},
            messages=messages,
            cited_waiting=waiting,
            plan_known=not Plan.objects.exists(),
            finished=[],
        )

    def write_finished(self) -> None:
        """Write the rows marked done so far (before anything reads them back)."""
        if self.finished:
            _finished_write(self.finished)

    def take_ticket(self, ticket_id: int) -> Ticket | None:
        """The ticket as read when the batch began, if no mail of the batch worked on it since (once)."""
        if self.tickets is None or ticket_id in self.touched:
            return None
        ticket = self.tickets.pop(ticket_id, None)
        return _follow_merges(ticket) if ticket is not None else None

    def forget(self) -> None:
        """Other work changed the database in between: read mail by mail from now on."""
        self.senders = self.messages = self.tickets = None
        self.plan_known = False

    def already_received(self, message_id: str) -> bool:
        if self.messages is None:
            return (
                Message.objects.filter(channel=Channel.EMAIL, external_id=message_id)
                .exclude(external_id="")
                .exists()
            )
        return message_id in self.messages

    def thread_ticket_id(self, ids: list[str]) -> int | None:
        """The ticket of the most recent email message among `ids`."""
        if self.messages is None:
            return (
                Message.objects.filter(channel=Channel.EMAIL, external_id__in=ids)
                .exclude(external_id="")
                .order_by("-id")
                .values_list("ticket_id", flat=True)
                .first()
            )
        found = [self.messages[i] for i in ids if i in self.messages]
        return max(found)[1] if found else None

    def added(self, message: Message) -> None:
        if self.messages is not None and message.external_id and message.channel == Channel.EMAIL:
            self.messages[message.external_id] = (message.pk, message.ticket_id)

    def ticket_options(self) -> dict[str, Any]:
        return {"plan_version": self.plan_version} if self.plan_known else {}


#: How deep inside batches this thread is (a reply processing the mail it cites starts one inside).
_batch_depth = contextvars.ContextVar("frontline_email_batch_depth", default=0)


class _Redo(Exception):
    """A mail failed in a batch run without savepoints: the batch is rolled back and run with them."""


def inbound_process_batch(*, inbound_ids: list[int]) -> list[InboundEmail]:
    """Process stored mails in id order in ONE transaction, each as `inbound_process` would.

    First without savepoints, with what the mails need read once for the whole batch and their
    events inserted together. If any mail fails that way, the batch is rolled back and run again
    with each mail's delivery in a savepoint, so a mail that cannot be delivered is quarantined
    alone. A database error rolls the whole batch back (every mail stays waiting) and is raised,
    for the task to be retried. The SLA clocks of all the batch's tickets follow in one transaction
    after the commit. Returns the rows in the order of `inbound_ids` after sorting.
    """
    ids = sorted(inbound_ids)
    depth = _batch_depth.get()
    token = _batch_depth.set(depth + 1)
    try:
        with sla_events_batched():
            if depth == 0:
                try:
                    return _process_fast(ids)
                except _Redo as exc:
                    logger.info("a mail of a batch failed (%s); processing the batch with savepoints", exc)
            return _process_careful(ids)
    finally:
        _batch_depth.reset(token)


def _process_careful(ids: list[int]) -> list[InboundEmail]:
    with events_immediate(), tickets.with_savepoints(), transaction.atomic():
        reads = _Reads(own=_own_addresses())
        return [_process_locked(inbound_id, reads) for inbound_id in ids]


def _process_fast(ids: list[int]) -> list[InboundEmail]:
    """The batch in one transaction without savepoints; raises `_Redo` (rolled back) if a mail fails."""
    with transaction.atomic(), events_deferred(), tickets.without_savepoints():
        rows = {
            row.pk: row
            for row in InboundEmail.objects.select_for_update(of=("self",))
            .select_related("mailbox")
            .filter(pk__in=ids)
        }
        parsed: dict[int, ParsedEmail | UnparseableEmail] = {}
        for pk, row in rows.items():
            if row.status == InboundEmail.Status.RECEIVED:
                try:
                    parsed[pk] = _parse(row)
                except UnparseableEmail as exc:
                    parsed[pk] = exc
        mails = [mail for mail in parsed.values() if isinstance(mail, ParsedEmail)]
        reads = _Reads.load(_own_addresses(), mails)
        results = []
        for pk in ids:
            inbound = rows.get(pk)
            if inbound is None:
                raise _Redo(f"inbound email {pk} does not exist")
            if pk in reads.done:  # processed out of turn, cited by an earlier mail of the batch
                results.append(InboundEmail.objects.get(pk=pk))
                continue
            if inbound.status != InboundEmail.Status.RECEIVED:
                results.append(inbound)
                continue
            inbound.attempts += 1
            mail = parsed[pk]
            if isinstance(mail, UnparseableEmail):
                results.append(inbound_quarantine(inbound=inbound, reason=f"cannot parse: {mail}"))
                continue
            try:
                results.append(_deliver(inbound, mail, reads))
            except DatabaseError:
                raise  # a locked or lost database: the task is retried, the mail stays waiting
            except Exception as exc:
                raise _Redo(f"inbound email {pk}: {type(exc).__name__}") from exc
        reads.write_finished()
        return results


def _parse(inbound: InboundEmail) -> ParsedEmail:
    return parse_email(bytes(inbound.raw), max_attachment_bytes=settings.FRONTLINE_ATTACHMENT_MAX_BYTES)


def _waiting_ids(limit: int) -> list[int]:
    return list(
        InboundEmail.objects.filter(status=InboundEmail.Status.RECEIVED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def _process_apart_on_error(inbound_ids: list[int]) -> None:
    """A batch; if it hits a database error, each mail in a transaction of its own, so one poisonous
    mail holds up only itself. The (last) database error is raised again afterwards."""
    try:
        inbound_process_batch(inbound_ids=inbound_ids)
        return
    except DatabaseError:
        if len(inbound_ids) == 1:
            raise
        logger.warning("a batch of %s inbound mails failed; processing them one by one", len(inbound_ids))
    failed: DatabaseError | None = None
    for inbound_id in sorted(inbound_ids):
        try:
            inbound_process(inbound_id=inbound_id)
        except DatabaseError as exc:
            failed = exc
    if failed is not None:
        raise failed


def inbound_process_waiting(*, inbound_id: int, limit: int = BATCH_SIZE) -> str | None:
    """Process this stored mail together with the oldest ones still waiting, up to `limit` per commit.

    Oldest first keeps a reply behind the mail it answers. Returns the mail's status afterwards
    (None if it does not exist); a mail an earlier batch processed costs one query.
    """
    status = InboundEmail.objects.filter(pk=inbound_id).values_list("status", flat=True).first()
    if status != InboundEmail.Status.RECEIVED:
        return status
    waiting = _waiting_ids(limit)
    if inbound_id not in waiting:
        waiting = [*waiting[: limit - 1], inbound_id]
    _process_apart_on_error(waiting)
    return InboundEmail.objects.filter(pk=inbound_id).values_list("status", flat=True).first()


def inbound_process_listed(*, inbound_ids: list[int]) -> int:
    """Process waiting mail, the oldest first, a batch per transaction, until none of these is waiting.

    Oldest first, like `inbound_process_waiting`: a second worker thread takes the same oldest mails
    and waits for the first one's commit rather than process replies before the mail they answer.
    Returns how many of these were still waiting at the start.
    """
    wanted = InboundEmail.objects.filter(pk__in=inbound_ids, status=InboundEmail.Status.RECEIVED)
    count = wanted.count()
    for _ in range(count):  # each round processes at least the oldest waiting mail, often a batch
        if not wanted.exists():
            break
        waiting = _waiting_ids(BATCH_SIZE)
        if not waiting:
            break
        _process_apart_on_error(waiting)
    return count


def inbound_process_backlog(*, limit: int = 1000) -> int:
    """Process up to `limit` waiting mails, oldest first, a batch per transaction; returns how many."""
    done = 0
    while done < limit:
        waiting = _waiting_ids(min(BATCH_SIZE, limit - done))
        if not waiting:
            break
        _process_apart_on_error(waiting)
        done += len(waiting)
    return done


def _process_locked(inbound_id: int, reads: _Reads) -> InboundEmail:
    """`inbound_process` for one mail, inside the caller's transaction."""
    inbound = (
        InboundEmail.objects.select_for_update(of=("self",)).select_related("mailbox").get(pk=inbound_id)
    )
    if inbound.status != InboundEmail.Status.RECEIVED:
        return inbound
    inbound.attempts += 1
    try:
        parsed = _parse(inbound)
    except UnparseableEmail as exc:
        return inbound_quarantine(inbound=inbound, reason=f"cannot parse: {exc}")
    try:
        with transaction.atomic():
            return _deliver(inbound, parsed, reads)
    except DomainError as exc:
        return inbound_quarantine(inbound=inbound, reason=f"{exc.code}: {exc.message}")
    except DatabaseError:
        raise  # a locked or lost database: the task is retried, the mail stays waiting
    except Exception as exc:  # a bug must not stop the mailbox: keep the mail aside, visible
        logger.exception("processing inbound email %s failed", inbound.pk)
        return inbound_quarantine(inbound=inbound, reason=f"{type(exc).__name__}: {exc}")


def _deliver(inbound: InboundEmail, parsed: ParsedEmail, reads: _Reads) -> InboundEmail:
    mailbox = inbound.mailbox
    own = reads.own
    kind = classify(parsed, own_addresses=own, own_message_id_domain=_domain())
    if kind.is_from_us:
        return _finish(inbound, reads, InboundEmail.Status.IGNORED, "sent by one of our own addresses")
    if parsed.is_bounce:
        return _bounce(inbound, parsed, reads)
    if parsed.message_id and reads.already_received(parsed.message_id):
        return _finish(
            inbound, reads, InboundEmail.Status.IGNORED, "already received (another delivery of this message)"
        )
    if parsed.from_ is None or not parsed.from_.email:
        return inbound_quarantine(inbound=inbound, reason="no sender: the mail has no usable From address")
    at = timezone.now()
    agent = _agent_from_token(parsed)
    if agent is not None:
        agent_ticket, user = agent
        message = tickets.message_add(
            actor=user,
            ticket=agent_ticket,
            direction=Message.Direction.OUTBOUND,
            body_text=agent_text(parsed, visible_only=True),
            channel=Channel.EMAIL,
            external_id=parsed.message_id or "",
            created_at=at,
        )
        reads.added(message)
        _attachments(user, agent_ticket, message, parsed)
        return _finish(inbound, reads, InboundEmail.Status.PROCESSED, "an agent's answer by email", message)
    customer = _sender(parsed, reads)
    _process_cited_first(inbound, parsed, reads)
    ticket: Ticket | None = _thread_ticket(parsed, reads)
    linked_to: Ticket | None = None
    if ticket is not None and not _is_participant(ticket, customer, parsed.from_.email):
        ticket, linked_to = None, ticket  # a stranger on a real thread starts their own ticket
    if ticket is not None and ticket.status == Ticket.Status.CLOSED:
        grace = timedelta(days=mailbox.reopen_grace_days)
        if kind.suppress_auto_reply:
            return _finish(
                inbound,
                reads,
                InboundEmail.Status.IGNORED,
                f"automatic mail to a closed ticket ({kind.reason})",
            )
        if ticket.closed_at is not None and at - ticket.closed_at <= grace:
            ticket = tickets.ticket_reopen(
                actor=None, ticket=ticket, reason="the customer replied by email", at=at
            )
        else:
            ticket, linked_to = None, ticket
    is_new = ticket is None
    if ticket is None:
        ticket = tickets.ticket_create(
            actor=None,
            requester=customer,
            subject=parsed.subject or "(no subject)",
            channel=Channel.EMAIL,
            team=mailbox.team,
            linked_to=linked_to,
            created_at=at,
            **reads.ticket_options(),
        )
    message = tickets.message_add(
        actor=None,
        ticket=ticket,
        direction=Message.Direction.INBOUND,
        author_customer=customer,
        body_text=agent_text(parsed),
        body_html=parsed.html,
        channel=Channel.EMAIL,
        external_id=parsed.message_id or "",
        created_at=at,
        wake=not kind.suppress_auto_reply,
        ticket_locked=True,  # read with select_for_update by _thread_ticket, or created just now
    )
    reads.added(message)
    _attachments(None, ticket, message, parsed)
    _add_ccs(ticket, parsed, own)
    if is_new and mailbox.acknowledge_new_tickets and not kind.suppress_auto_reply:
        _acknowledge(mailbox, ticket, at)
    note = f"automatic mail: {kind.reason}" if kind.suppress_auto_reply else ""
    return _finish(inbound, reads, InboundEmail.Status.PROCESSED, note, message)


def _acknowledge(mailbox: Mailbox, ticket: Ticket, at: datetime) -> OutboundEmail | None:
    """Tell the customer their mail arrived, unless they were told three times this hour already."""
    recent = OutboundEmail.objects.filter(
        is_automatic=True, ticket__requester_id=ticket.requester_id, created_at__gte=at - timedelta(hours=1)
    ).count()
    if recent >= ACKNOWLEDGEMENTS_PER_HOUR:
        event_record(
            actor=None,
            verb="email.acknowledgement_suppressed",
            target=ticket,
            after={"reason": f"{recent} acknowledgements to this customer in the last hour"},
        )
        return None
    text = mailbox.acknowledgement_text.replace("{ticket_id}", str(ticket.pk)).replace(
        "{subject}", ticket.subject
    )
    promise = acknowledgement_promise(ticket, at)
    if promise:
        text = f"{text}\n\n{promise}"
    message = tickets.message_add(
        actor=None,
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        body_text=text,
        channel=Channel.EMAIL,
        created_at=at,
        wake=False,
    )
    return outbound_queue(
        ticket=ticket,
        message=message,
        mailbox=mailbox,
        is_automatic=True,
        auto_submitted=OutboundEmail.AutoSubmitted.AUTO_REPLIED,
    )


def acknowledgement_promise(ticket: Ticket, at: datetime) -> str:
    """When a reply can be expected and, for mail that arrived outside the channel's hours, the hours.

    In the customer's language and time zone when their profile has them, else in English and the
    zone of the calendar that decided the time. Empty when no SLA or hours say anything.
    """
    customer = ticket.requester
    language = availability.language_of(customer.language)
    promise = reply_promise(ticket, at=at)
    zone = (
        availability.zone_or_none(customer.timezone)
        or availability.zone_or_none(promise.timezone)
        or availability.zone_or_none("UTC")
    )
    sentences = []
    hours = promise.channel.calendar
    if not promise.channel.is_open and hours is not None:
        sentences.append(
            availability.outside_hours_sentence(hours, channel=ticket.channel, language=language)
        )
    if promise.reply_by is not None and zone is not None:
        sentences.append(availability.reply_by_sentence(promise.reply_by, zone=zone, language=language))
    return " ".join(sentences)


def _attachments(actor: User | None, ticket: Ticket, message: Message, parsed: ParsedEmail) -> None:
    for part in parsed.attachments:
        if part.is_oversize or not part.data:
            continue
        try:
            # Mailers label files loosely (image/jpg, application/others): the bytes decide.
            content_type = content_type_by_content(part.content_type, part.data[:8192])
        except ContentError:
            content_type = part.content_type  # an executable: attachment_add refuses it, with its reason
        try:
            tickets.attachment_add(
                actor=actor,
                ticket=ticket,
                message=message,
                file=ContentFile(part.data),
                filename=part.filename,
                content_type=content_type,
            )
        except DomainError as exc:  # a refused file does not lose the mail: it is noted on the ticket
            tickets.message_add(
                actor=None,
                ticket=ticket,
                direction=Message.Direction.NOTE,
                channel=Channel.EMAIL,
                body_text=f"Attachment {part.filename!r} was not stored: {exc.message}",
                wake=False,
            )


def _add_ccs(ticket: Ticket, parsed: ParsedEmail, own: set[str]) -> None:
    for address in {a.email.lower() for a in parsed.cc if a.email} - own:
        _, created = EmailParticipant.objects.get_or_create(ticket=ticket, address=address)
        staff_user = User.objects.filter(email__iexact=address, is_active=True).first()
        if staff_user is not None and user_role(staff_user) is not None:
            tickets.ticket_follow(actor=None, ticket=ticket, user=staff_user)
        elif created:
            event_record(actor=None, verb="ticket.cc_added", target=ticket, after={"address": address})


def _bounce(inbound: InboundEmail, parsed: ParsedEmail, reads: _Reads) -> InboundEmail:
    original = parsed.bounce_original_message_id
    outbound = OutboundEmail.objects.filter(message_id_header=original).first() if original else None
    if outbound is None:
        return _finish(
            inbound, reads, InboundEmail.Status.IGNORED, "a delivery report about mail we do not know"
        )
    if outbound.bounced_at is None:
        outbound.bounced_at = timezone.now()
        outbound.status = OutboundEmail.Status.FAILED
        outbound.last_error = f"bounced: {parsed.bounce_status or 'delivery failed'}"
        outbound.save(update_fields=["bounced_at", "status", "last_error"])
        event_record(
            actor=None,
            verb="email.bounced",
            target=_event_target(outbound),
            after={"outbound": outbound.pk, "to": outbound.to, "status": parsed.bounce_status},
        )
    inbound.ticket_id = outbound.ticket_id
    return _finish(inbound, reads, InboundEmail.Status.IGNORED, f"delivery report for {original}")


# --- outbound -------------------------------------------------------------------------------------------


def _recipients(ticket: Ticket) -> tuple[list[str], list[str]]:
    primary = (
        ContactPoint.objects.filter(customer_id=ticket.requester_id, kind=ContactPoint.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("normalized", flat=True)
        .first()
    )
    cc = sorted(EmailParticipant.objects.filter(ticket=ticket).values_list("address", flat=True))
    return ([primary] if primary else []), [address for address in cc if address != primary]


def outbound_queue(
    *,
    ticket: Ticket,
    message: Message,
    mailbox: Mailbox,
    is_automatic: bool = False,
    auto_submitted: str = "",
) -> OutboundEmail:
    """Queue a message for sending by email (once per message); sent by the worker after commit."""
    existing = OutboundEmail.objects.filter(message=message).first()
    if existing is not None:
        return existing
    to, cc = _recipients(ticket)
    if not to:
        raise DomainError(
            f"the requester of ticket {ticket.pk} has no email address", field="to", code="no_recipient"
        )
    thread = list(
        Message.objects.filter(ticket=ticket, channel=Channel.EMAIL)
        .exclude(external_id="")
        .order_by("-id")
        .values_list("external_id", flat=True)[:REFERENCES_KEPT]
    )
    sent = list(
        OutboundEmail.objects.filter(ticket=ticket)
        .order_by("-id")
        .values_list("message_id_header", flat=True)[:REFERENCES_KEPT]
    )
    references = list(dict.fromkeys(reversed(thread + sent)))[-REFERENCES_KEPT:]
    last_inbound = (
        Message.objects.filter(ticket=ticket, channel=Channel.EMAIL, direction=Message.Direction.INBOUND)
        .exclude(external_id="")
        .order_by("-id")
        .values_list("external_id", flat=True)
        .first()
    )
    outbound = OutboundEmail.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        message=message,
        message_id_header=tokens.message_id(ticket.pk, _domain()),
        to=to,
        cc=cc,
        subject=tokens.subject_with_token(ticket.subject, ticket.pk),
        in_reply_to=last_inbound or "",
        references=" ".join(references),
        body_text=message.body_text,
        body_html=message.body_html,
        is_automatic=is_automatic or bool(auto_submitted),
        auto_submitted=auto_submitted,
        next_attempt_at=timezone.now(),
    )
    event_record(
        actor=None, verb="email.queued", target=ticket, after={"outbound": outbound.pk, "to": to, "cc": cc}
    )
    transaction.on_commit(lambda: _enqueue_sending(outbound.pk))
    return outbound


MAX_SUBJECT = 300


@transaction.atomic
def automatic_mail_queue(
    *,
    to: list[str],
    subject: str,
    body: str,
    auto_submitted: str = OutboundEmail.AutoSubmitted.AUTO_GENERATED,
    ticket: Ticket | None = None,
    mailbox: Mailbox | None = None,
    body_is_secret: bool = False,
) -> OutboundEmail:
    """Queue mail Frontline writes by itself (an acknowledgement, a notification, a survey invitation,
    a sign-in link) in the outbox: sent after the commit with `Auto-Submitted: <auto_submitted>` and
    `X-Auto-Response-Suppress: All`, retried with backoff like any other.

    From the mailbox's address, else the ticket's mailbox, else DEFAULT_FROM_EMAIL. A reply to it
    threads to `ticket` by its Message-ID. `body_is_secret`: the body carries a link that signs in or
    confirms; it is hidden in the admin and erased once the mail is sent or given up.
    """
    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        raise DomainError("an automatic email needs a recipient", field="to", code="no_recipient")
    automatic_headers(auto_submitted)  # refuses anything but auto-replied / auto-generated
    if mailbox is None and ticket is not None:
        mailbox = mailbox_for_ticket(ticket)
    outbound = OutboundEmail.objects.create(
        mailbox=mailbox,
        ticket=ticket,
        message_id_header=(
            tokens.message_id(ticket.pk, _domain())
            if ticket is not None
            else tokens.automatic_message_id(_domain())
        ),
        to=recipients,
        cc=[],
        subject=_single_line(subject)[:MAX_SUBJECT],
        body_text=body,
        is_automatic=True,
        auto_submitted=auto_submitted,
        body_is_secret=body_is_secret,
        next_attempt_at=timezone.now(),
    )
    event_record(
        actor=None,
        verb="email.queued",
        target=ticket if ticket is not None else outbound,
        after={"outbound": outbound.pk, "to": recipients, "automatic": auto_submitted},
    )
    transaction.on_commit(lambda: _enqueue_sending(outbound.pk))
    return outbound


def _enqueue_sending(outbound_id: int) -> None:
    from frontline.connectors.email.tasks import outbound_send_task

    outbound_send_task(outbound_id)


def _single_line(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def outbound_send(*, outbound_id: int) -> OutboundEmail:
    """Send one queued email through Django's mail backend.

    The row is marked `sending` (committed) before the SMTP conversation and `sent` only after the
    server accepted it. A row found still `sending` was interrupted mid-conversation: it is failed,
    never sent again, so a crash can never send twice.
    """
    with transaction.atomic():
        outbound = (
            OutboundEmail.objects.select_for_update(of=("self",))
            .select_related("mailbox")
            .get(pk=outbound_id)
        )
        if outbound.status != OutboundEmail.Status.QUEUED:
            return outbound
        outbound.status = OutboundEmail.Status.SENDING
        outbound.attempts += 1
        outbound.next_attempt_at = timezone.now()  # when this attempt started
        outbound.save(update_fields=["status", "attempts", "next_attempt_at"])
    mailbox = outbound.mailbox
    headers = {"Message-ID": outbound.message_id_header}
    if outbound.in_reply_to:
        headers["In-Reply-To"] = outbound.in_reply_to
    if outbound.references:
        headers["References"] = outbound.references
    if outbound.auto_submitted:
        headers.update(automatic_headers(outbound.auto_submitted))
    elif outbound.is_automatic:
        headers.update(AUTO_REPLY_HEADERS)
    sender = (
        formataddr((_single_line(mailbox.display_name), mailbox.address))
        if mailbox is not None
        else settings.DEFAULT_FROM_EMAIL
    )
    email = EmailMultiAlternatives(
        subject=_single_line(outbound.subject),
        body=outbound.body_text,
        from_email=sender,
        to=outbound.to,
        cc=outbound.cc,
        headers=headers,
    )
    if outbound.body_html:
        email.attach_alternative(outbound.body_html, "text/html")
    if outbound.message_id is not None:  # the files the agent put on the reply go with it
        for attachment in Attachment.objects.filter(message_id=outbound.message_id).order_by("id"):
            with attachment.file.open("rb") as handle:
                email.attach(attachment.filename, handle.read(), attachment.content_type)
    try:
        email.send(fail_silently=False)
    except Exception as exc:
        return _send_failed(outbound, f"{type(exc).__name__}: {exc}")
    with transaction.atomic():
        outbound.status = OutboundEmail.Status.SENT
        outbound.sent_at = timezone.now()
        outbound.smtp_response = "accepted"
        outbound.last_error = ""
        _erase_secret_body(outbound)
        outbound.save(update_fields=["status", "sent_at", "smtp_response", "last_error", "body_text"])
        event_record(
            actor=None,
            verb="email.sent",
            target=_event_target(outbound),
            after={"outbound": outbound.pk, "message_id": outbound.message_id_header},
        )
    return outbound


ERASED_BODY_NOTE = "(erased: this mail carried a sign-in or confirmation link)"


def _erase_secret_body(outbound: OutboundEmail) -> None:
    if outbound.body_is_secret:
        outbound.body_text = ERASED_BODY_NOTE


def _event_target(outbound: OutboundEmail) -> Ticket | OutboundEmail:
    return outbound.ticket if outbound.ticket is not None else outbound


def _send_failed(outbound: OutboundEmail, error: str) -> OutboundEmail:
    with transaction.atomic():
        final = outbound.attempts >= SEND_ATTEMPTS
        outbound.status = OutboundEmail.Status.FAILED if final else OutboundEmail.Status.QUEUED
        outbound.last_error = error[:2000]
        outbound.next_attempt_at = (
            None if final else timezone.now() + timedelta(seconds=30 * 2**outbound.attempts)
        )
        if final:
            _erase_secret_body(outbound)
        outbound.save(update_fields=["status", "last_error", "next_attempt_at", "body_text"])
        event_record(
            actor=None,
            verb="email.send_failed" if final else "email.send_retrying",
            target=_event_target(outbound),
            after={"outbound": outbound.pk, "error": outbound.last_error},
        )
    return outbound


def outbound_reconcile() -> int:
    """Fail rows interrupted while sending (never resent) and retry queued rows whose time has come."""
    stale = timezone.now() - timedelta(minutes=10)
    interrupted = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, next_attempt_at__lt=stale)
    )
    for outbound in interrupted:
        outbound.attempts = SEND_ATTEMPTS
        _send_failed(outbound, "interrupted while sending; not resent, to avoid sending twice")
    due = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for outbound_id in due:
        outbound_send(outbound_id=outbound_id)
    return len(interrupted) + len(due)


def mailbox_for_ticket(ticket: Ticket) -> Mailbox | None:
    """The mailbox a ticket's mail goes out from: where it came in, else its team's, else the first one."""
    inbound = InboundEmail.objects.filter(ticket=ticket).select_related("mailbox").order_by("id").first()
    if inbound is not None:
        return inbound.mailbox
    active = Mailbox.objects.filter(is_active=True).order_by("id")
    team_box = active.filter(team_id=ticket.team_id).first() if ticket.team_id is not None else None
    return team_box or active.first()


_warned_no_mailbox = False


def reply_by_email(*, message_id: int) -> OutboundEmail | None:
    """Queue an agent's outbound message on an email ticket for sending (called after it is committed)."""
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None or message.direction != Message.Direction.OUTBOUND or message.channel != Channel.EMAIL:
        return None
    mailbox = mailbox_for_ticket(message.ticket)
    if mailbox is None:  # no active mailbox at all: say so once, not for every reply
        global _warned_no_mailbox
        level = logging.DEBUG if _warned_no_mailbox else logging.WARNING
        _warned_no_mailbox = True
        logger.log(level, "no active mailbox: replies by email are not sent (ticket %s)", message.ticket_id)
        return None
    with transaction.atomic():
        return outbound_queue(ticket=message.ticket, message=message, mailbox=mailbox)


def imap_poll(*, mailbox: Mailbox) -> int:
    """Fetch new mail from the mailbox's IMAP folder; each message is stored before it is flagged or moved."""
    from frontline.connectors.email.imap import fetch_new

    return fetch_new(
        mailbox=mailbox,
        store=lambda raws: [
            row for row, _ in inbound_store_many(mailbox=mailbox, raws=raws, source=InboundEmail.Source.IMAP)
        ],
    )


@transaction.atomic
def mailbox_secret_rotate(
    *, actor: User | None, mailbox: Mailbox, secret: str | None = None
) -> tuple[Mailbox, str]:
    """Set the mailbox's HTTP secret (a new random one when `secret` is None); returns it, once.

    Only its SHA-256 is stored; the old secret stops working at once. The event says that it
    changed, never what it is.
    """
    secret = tokens.new_inbound_secret() if secret is None else secret
    problem = tokens.inbound_secret_problem(secret)
    if problem is not None:
        raise Invalid(problem, field="secret")
    mailbox = Mailbox.objects.select_for_update(of=("self",)).get(pk=mailbox.pk)
    had_secret = bool(mailbox.inbound_secret_digest)
    mailbox.inbound_secret_digest = tokens.inbound_secret_digest(secret)
    mailbox.save(update_fields=["inbound_secret_digest"])
    event_record(
        actor=actor,
        verb="email.mailbox_secret_rotated" if had_secret else "email.mailbox_secret_set",
        target=mailbox,
        after={"mailbox": mailbox.pk},
    )
    return mailbox, secret


def mailbox_set_imap_position(*, mailbox: Mailbox, uidvalidity: int, last_uid: int) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=uidvalidity, imap_last_uid=last_uid)
    mailbox.imap_uidvalidity, mailbox.imap_last_uid = uidvalidity, last_uid


def inbound_reprocess(*, actor: User | None, inbound: InboundEmail) -> InboundEmail:
    """Put a quarantined message back in line (after a fix) and process it again."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update(of=("self",)).get(pk=inbound.pk)
        if inbound.status != InboundEmail.Status.QUARANTINED:
            return inbound
        inbound.status = InboundEmail.Status.RECEIVED
        inbound.save(update_fields=["status"])
        event_record(actor=actor, verb="email.requeued", target=inbound, before={"note": inbound.note})
    return inbound_process(inbound_id=inbound.pk)


@transaction.atomic
def inbound_ticket_anyway(*, actor: User, inbound: InboundEmail, sender: str = "") -> InboundEmail:
    """Make a new ticket from a quarantined mail, as far as it can be read.

    The sender is the mail's From, else `sender` (required then); the body is what can be read of
    the mail (or a note that it could not be read), its files as attachments, and the raw message
    itself as an .eml file, so the agent has everything. The mail is marked processed; an event
    names who decided.
    """
    inbound = (
        InboundEmail.objects.select_for_update(of=("self",)).select_related("mailbox").get(pk=inbound.pk)
    )
    if inbound.status != InboundEmail.Status.QUARANTINED:
        raise Conflict(gettext("only quarantined mail can be made a ticket this way"), code="not_quarantined")
    parsed: ParsedEmail | None
    try:
        parsed = _parse(inbound)
    except UnparseableEmail:
        parsed = None
    address = sender.strip() or (parsed.from_.email if parsed is not None and parsed.from_ else "")
    if not address:
        raise Invalid(gettext("this mail has no usable sender: give the sender's address"), field="sender")
    first_name, last_name = _names(parsed) if parsed is not None else ("", "")
    customer, _ = customer_find_or_create(
        actor=actor, email=address, first_name=first_name, last_name=last_name
    )
    if parsed is not None:
        body = agent_text(parsed)
    else:
        body = f"(This mail could not be read: {inbound.note}. The message as it arrived is attached.)"
    message_id = parsed.message_id if parsed is not None and parsed.message_id else ""
    if message_id and Message.objects.filter(channel=Channel.EMAIL, external_id=message_id).exists():
        message_id = ""
    ticket = tickets.ticket_create(
        actor=actor,
        requester=customer,
        subject=(parsed.subject if parsed is not None else "") or f"(quarantined mail #{inbound.pk})",
        body_text=body,
        body_html=parsed.html if parsed is not None else "",
        channel=Channel.EMAIL,
        team=inbound.mailbox.team,
        external_id=message_id,
    )
    message = ticket.messages.order_by("id").first()
    assert message is not None  # ticket_create adds the first message when a body is given
    if parsed is not None:
        _attachments(actor, ticket, message, parsed)
    raw = bytes(inbound.raw)
    raw_type = content_type_by_content("message/rfc822", raw[:8192])  # what is no email is kept as what it is
    extension = ".eml" if raw_type == "message/rfc822" else mimetypes.guess_extension(raw_type) or ".bin"
    tickets.attachment_add(
        actor=actor,
        ticket=ticket,
        message=message,
        file=ContentFile(raw),
        filename=f"quarantined-mail-{inbound.pk}{extension}",
        content_type=raw_type,
    )
    reason = inbound.note
    inbound.status = InboundEmail.Status.PROCESSED
    inbound.note = f"made a ticket anyway by {actor.get_username()} (quarantined: {reason})"[:2000]
    inbound.processed_at = timezone.now()
    inbound.ticket, inbound.message = ticket, message
    inbound.save(update_fields=["status", "note", "processed_at", "ticket", "message"])
    event_record(
        actor=actor,
        verb="email.ticket_made_anyway",
        target=inbound,
        before={"status": InboundEmail.Status.QUARANTINED, "note": reason},
        after={"ticket": ticket.pk, "message": message.pk},
    )
    return inbound


def unsent_replies_queue(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Queue agents' email replies whose outbox row was never made (the process died after the commit)."""
    now = timezone.now()
    missing = (
        Message.objects.filter(
            direction=Message.Direction.OUTBOUND,
            channel=Channel.EMAIL,
            created_at__gte=now - timedelta(days=1),
            created_at__lte=now - older_than,
        )
        .filter(~Exists(OutboundEmail.objects.filter(message=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    queued = 0
    for message_id in list(missing):
        queued += reply_by_email(message_id=message_id) is not None
    return queued
