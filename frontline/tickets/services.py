"""Every write to tickets, messages and attachments; each records its events."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.accounts.models import Team, User
from frontline.accounts.selectors import user_role
from frontline.core import ticket_status
from frontline.core.errors import Conflict, Invalid, TooLarge
from frontline.customers.models import Customer
from frontline.events.services import event_record
from frontline.plans.models import PlanVersion
from frontline.plans.selectors import plan_version_for_customer
from frontline.tickets import search
from frontline.tickets.content import (
    ContentError,
    check_content_type,
    html_to_text,
    safe_filename,
    sanitize_html,
)
from frontline.tickets.models import Attachment, Channel, Message, Tag, Ticket

SUBJECT_MAX = 250
BODY_MAX = 1_000_000
_TAG = re.compile(r"^[\w][\w.\-]{0,49}$", re.UNICODE)
_UNSET: Any = object()
_savepoints: ContextVar[bool] = ContextVar("frontline_tickets_savepoints", default=True)


@contextmanager
def without_savepoints() -> Iterator[None]:
    """`ticket_create` and `message_add` inside run in the caller's transaction without savepoints.

    For bulk callers (a batch of inbound mail) that roll the whole transaction back on any error
    escaping these functions, and redo the work with savepoints if they want to keep the rest.
    The search-index rows of the new tickets and messages are inserted together at the end of the
    block (`search.entries_deferred()`), dropped if it raises.
    """
    token = _savepoints.set(False)
    try:
        with search.entries_deferred():
            yield
    finally:
        _savepoints.reset(token)


@contextmanager
def with_savepoints() -> Iterator[None]:
    """Undo `without_savepoints()` inside it: each call gets its own savepoint again."""
    token = _savepoints.set(True)
    try:
        with search.entries_immediate():
            yield
    finally:
        _savepoints.reset(token)


def _atomic() -> transaction.Atomic:
    return transaction.atomic(savepoint=_savepoints.get())


def normalize_tags(names: Iterable[str]) -> list[str]:
    tags = []
    for raw in names:
        name = raw.strip().lower().replace(" ", "-")
        if not _TAG.match(name):
            raise Invalid(f"tag {raw!r} must be 1-50 letters, digits, '-', '_' or '.'", field="tags")
        if name not in tags:
            tags.append(name)
    return tags


def _tag_objects(names: list[str]) -> list[Tag]:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name] = Tag.objects.get_or_create(name=name)[0]
    return [existing[name] for name in names]


def _check_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise Invalid(_("the subject is empty"), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise Invalid(f"the subject is longer than {SUBJECT_MAX} characters", field="subject")
    return subject


def _check_choice(value: str, choices: list[str], field: str) -> str:
    if value not in choices:
        raise Invalid(f"{field} must be one of {', '.join(choices)}", field=field)
    return value


def _check_assignee(assignee: User | None, team: Team | None) -> None:
    if assignee is None:
        return
    if user_role(assignee) is None:
        raise Invalid("tickets can only be assigned to staff", field="assignee")
    in_team = team is None or not team.is_private or team.agents.filter(user=assignee).exists()
    if not in_team and user_role(assignee) == "agent":
        raise Invalid(f"{assignee.get_username()} is not in the private team {team}", field="assignee")


def _body(text: str, html: str) -> tuple[str, str]:
    if len(text) > BODY_MAX or len(html) > BODY_MAX:
        raise TooLarge(f"a message body is limited to {BODY_MAX} characters", field="body")
    clean_html = sanitize_html(html) if html else ""
    body_text = text if text else html_to_text(clean_html)
    return body_text, clean_html


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    return {
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "product": ticket.product,
        "channel": ticket.channel,
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "requester": ticket.requester_id,
    }


def ticket_create(
    *,
    actor: User | None,
    requester: Customer,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    channel: str = Channel.API,
    priority: str = Ticket.Priority.NORMAL,
    category: str = "",
    product: str = "",
    team: Team | None = None,
    assignee: User | None = None,
    tags: Iterable[str] = (),
    external_id: str = "",
    created_at: datetime | None = None,
    linked_to: Ticket | None = None,
    plan_version: PlanVersion | None = _UNSET,
) -> Ticket:
    """Open a ticket for `requester`, with the customer's first message when a body is given.

    `created_at` lets importers keep the original time; the plan version in force then is attached
    (`plan_version` when the caller knows it already, e.g. None for a whole batch when no plan exists).
    """
    with _atomic():
        return _ticket_create(
            actor=actor,
            requester=requester,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            channel=channel,
            priority=priority,
            category=category,
            product=product,
            team=team,
            assignee=assignee,
            tags=tags,
            external_id=external_id,
            created_at=created_at,
            linked_to=linked_to,
            plan_version=plan_version,
        )


def _ticket_create(
    *,
    actor: User | None,
    requester: Customer,
    subject: str,
    body_text: str,
    body_html: str,
    channel: str,
    priority: str,
    category: str,
    product: str,
    team: Team | None,
    assignee: User | None,
    tags: Iterable[str],
    external_id: str,
    created_at: datetime | None,
    linked_to: Ticket | None,
    plan_version: PlanVersion | None,
) -> Ticket:
    subject = _check_subject(subject)
    _check_choice(channel, Channel.values, "channel")
    _check_choice(priority, Ticket.Priority.values, "priority")
    tag_names = normalize_tags(tags)
    _check_assignee(assignee, team)
    at = created_at or timezone.now()
    ticket = Ticket.objects.create(
        subject=subject,
        status=Ticket.Status.NEW,
        priority=priority,
        category=category[:80],
        product=product[:120],
        channel=channel,
        requester=requester,
        organization_id=requester.organization_id,
        team=team,
        assignee=assignee,
        plan_version=plan_version_for_customer(customer=requester, at=at)
        if plan_version is _UNSET
        else plan_version,
        linked_to=linked_to,
        created_at=at,
        updated_at=at,
        status_changed_at=at,
    )
    if tag_names:
        Ticket.tags.through.objects.bulk_create(
            [Ticket.tags.through(ticket_id=ticket.pk, tag_id=tag.pk) for tag in _tag_objects(tag_names)]
        )
    search.index_ticket_subject(ticket, is_new=True)
    event_record(
        actor=actor,
        verb="ticket.created",
        target=ticket,
        after={**_snapshot(ticket), "tags": tag_names, "linked_to": linked_to},
        at=at,
    )
    if body_text or body_html:
        _message_insert(
            ticket=ticket,
            actor=actor,
            direction=Message.Direction.INBOUND,
            channel=channel,
            author_customer=requester,
            body_text=body_text,
            body_html=body_html,
            external_id=external_id,
            at=at,
        )
    return ticket


def _message_insert(
    *,
    ticket: Ticket,
    actor: User | None,
    direction: str,
    channel: str,
    body_text: str,
    body_html: str,
    author_customer: Customer | None = None,
    external_id: str = "",
    at: datetime,
) -> Message:
    text, clean_html = _body(body_text, body_html)
    if not text.strip() and not clean_html.strip():
        raise Invalid(_("the message is empty"), field="body")
    try:
        with _atomic():
            message = Message.objects.create(
                ticket=ticket,
                direction=direction,
                channel=channel,
                author_user=actor
                if direction != Message.Direction.INBOUND or author_customer is None
                else None,
                author_customer=author_customer,
                body_text=text,
                body_html=clean_html,
                external_id=external_id[:255],
                created_at=at,
            )
    except IntegrityError as exc:
        raise Conflict(
            f"a {channel} message with id {external_id!r} was already received",
            field="external_id",
            code="duplicate_message",
        ) from exc
    search.index_message(message)
    event_record(
        actor=actor,
        verb="message.added",
        target=ticket,
        at=at,
        after={"message": message.pk, "direction": direction, "channel": channel},
    )
    return message


def message_add(
    *,
    actor: User | None,
    ticket: Ticket,
    direction: str,
    body_text: str = "",
    body_html: str = "",
    channel: str | None = None,
    author_customer: Customer | None = None,
    external_id: str = "",
    created_at: datetime | None = None,
    wake: bool = True,
    ticket_locked: bool = False,
) -> Message:
    """Add a message; a customer's reply wakes a waiting ticket, an agent's first reply opens a new one.

    `wake=False` stores a message that must not change the status (an out-of-office reply, or our
    own automatic acknowledgement). `ticket_locked=True`: the caller read `ticket` with
    `select_for_update` (or created it) in the current transaction, so it is not read again.
    """
    with _atomic():
        return _message_add(
            actor=actor,
            ticket=ticket,
            direction=direction,
            body_text=body_text,
            body_html=body_html,
            channel=channel,
            author_customer=author_customer,
            external_id=external_id,
            created_at=created_at,
            wake=wake,
            ticket_locked=ticket_locked,
        )


def _message_add(
    *,
    actor: User | None,
    ticket: Ticket,
    direction: str,
    body_text: str,
    body_html: str,
    channel: str | None,
    author_customer: Customer | None,
    external_id: str,
    created_at: datetime | None,
    wake: bool,
    ticket_locked: bool,
) -> Message:
    _check_choice(direction, Message.Direction.values, "direction")
    message_channel = _check_choice(channel or ticket.channel, Channel.values, "channel")
    if not ticket_locked:
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.merged_into_id:
        raise Conflict(f"ticket {ticket.pk} was merged into {ticket.merged_into_id}", code="ticket_merged")
    if ticket.status == Ticket.Status.CLOSED:
        raise Conflict(f"ticket {ticket.pk} is closed; open a follow-up ticket instead", code="ticket_closed")
    at = created_at or timezone.now()
    if direction == Message.Direction.INBOUND and author_customer is None:
        author_customer = ticket.requester
    message = _message_insert(
        ticket=ticket,
        actor=actor,
        direction=direction,
        channel=message_channel,
        body_text=body_text,
        body_html=body_html,
        author_customer=author_customer if direction == Message.Direction.INBOUND else None,
        external_id=external_id,
        at=at,
    )
    new_status = ticket.status
    if direction == Message.Direction.INBOUND and wake:
        new_status = ticket_status.status_after_inbound(ticket.status)
    elif direction == Message.Direction.OUTBOUND and wake and ticket.status == Ticket.Status.NEW:
        new_status = Ticket.Status.OPEN
    fields = ["updated_at"]
    if new_status != ticket.status:
        event_record(
            actor=actor,
            verb="ticket.status_changed",
            target=ticket,
            at=at,
            before={"status": ticket.status},
            after={"status": new_status},
        )
        _apply_status(ticket, new_status, at)
        fields += ["status", "solved_at", "closed_at", "status_changed_at"]
    elif ticket.updated_at == at:
        return message  # e.g. the first message of a ticket opened at the same moment: nothing to write
    ticket.updated_at = at
    ticket.save(update_fields=fields)
    return message


def _apply_status(ticket: Ticket, status: str, at: datetime) -> None:
    ticket.status = status
    ticket.status_changed_at = at
    if status == Ticket.Status.SOLVED:
        ticket.solved_at = at
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = at
    else:
        ticket.solved_at = None


@transaction.atomic
def ticket_update(
    *,
    actor: User | None,
    ticket: Ticket,
    subject: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    product: str | None = None,
    team: Team | object | None = ...,
    assignee: User | object | None = ...,
    tags: Iterable[str] | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Change a ticket's fields; a status change must be an allowed transition (409 otherwise).

    `at` lets importers keep the original time of the change.
    """
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("team").get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED and (status is None or status != Ticket.Status.CLOSED):
        raise Conflict(f"ticket {ticket.pk} is closed and cannot change", code="ticket_closed")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    now = at or timezone.now()

    def put(field: str, value: Any, stored: Any = None) -> None:
        old = getattr(ticket, field)
        if old != value:
            before[field], after[field] = stored if stored is not None else old, value
            setattr(ticket, field, value)

    if subject is not None:
        put("subject", _check_subject(subject))
    if priority is not None:
        put("priority", _check_choice(priority, Ticket.Priority.values, "priority"))
    if category is not None:
        put("category", category[:80])
    if product is not None:
        put("product", product[:120])
    new_team = ticket.team if team is ... else team
    new_assignee = ticket.assignee if assignee is ... else assignee
    if assignee is not ... or team is not ...:
        _check_assignee(
            new_assignee if isinstance(new_assignee, User) else None,
            new_team if isinstance(new_team, Team) else None,
        )
    if team is not ...:
        put("team", new_team, stored=ticket.team_id)
    if assignee is not ...:
        put("assignee", new_assignee, stored=ticket.assignee_id)
    if status is not None and status != ticket.status:
        _check_choice(status, Ticket.Status.values, "status")
        if not ticket_status.can_transition(ticket.status, status):
            raise Conflict(
                f"a {ticket.status} ticket cannot become {status}", field="status", code="invalid_transition"
            )
        before["status"], after["status"] = ticket.status, status
        _apply_status(ticket, status, now)
    if tags is not None:
        names = normalize_tags(tags)
        current = sorted(ticket.tags.values_list("name", flat=True))
        if sorted(names) != current:
            ticket.tags.set(_tag_objects(names))
            before["tags"], after["tags"] = current, sorted(names)
    if not after:
        return ticket
    for key in ("team", "assignee"):
        if key in after:
            after[key] = getattr(ticket, f"{key}_id")
    ticket.updated_at = now
    ticket.save()
    if "subject" in after:
        search.index_ticket_subject(ticket)
    event_record(actor=actor, verb="ticket.updated", target=ticket, before=before, after=after, at=now)
    return ticket


@transaction.atomic
def ticket_reopen(*, actor: User | None, ticket: Ticket, reason: str, at: datetime | None = None) -> Ticket:
    """Reopen a solved or closed ticket (e.g. a customer's reply within the mailbox's grace period).

    Closed is final for people working the ticket; this is the one door back, and it says why.
    """
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.status not in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        return ticket
    if ticket.merged_into_id:
        raise Conflict(f"ticket {ticket.pk} was merged into {ticket.merged_into_id}", code="ticket_merged")
    now = at or timezone.now()
    before = ticket.status
    ticket.status = Ticket.Status.OPEN
    ticket.solved_at = None
    ticket.closed_at = None
    ticket.updated_at = ticket.status_changed_at = now
    ticket.save(update_fields=["status", "solved_at", "closed_at", "updated_at", "status_changed_at"])
    event_record(
        actor=actor,
        verb="ticket.reopened",
        target=ticket,
        at=now,
        before={"status": before},
        after={"status": "open", "reason": reason},
    )
    return ticket


@transaction.atomic
def ticket_follow(*, actor: User | None, ticket: Ticket, user: User, follow: bool = True) -> Ticket:
    if user_role(user) is None:
        raise Invalid("only staff can follow tickets", field="user")
    is_following = ticket.followers.filter(pk=user.pk).exists()
    if follow and not is_following:
        ticket.followers.add(user)
        event_record(actor=actor, verb="ticket.followed", target=ticket, after={"user": user.pk})
    elif not follow and is_following:
        ticket.followers.remove(user)
        event_record(actor=actor, verb="ticket.unfollowed", target=ticket, before={"user": user.pk})
    return ticket


@transaction.atomic
def ticket_merge(*, actor: User | None, source: Ticket, target: Ticket) -> Ticket:
    """Move the source's messages, attachments, followers and tags into the target and close the source."""
    if source.pk == target.pk:
        raise Invalid("a ticket cannot be merged into itself", field="target")
    locked = {
        t.pk: t for t in Ticket.objects.select_for_update(of=("self",)).filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    for ticket in (source, target):
        if ticket.merged_into_id:
            raise Conflict(
                f"ticket {ticket.pk} was already merged into {ticket.merged_into_id}", code="ticket_merged"
            )
    if target.status == Ticket.Status.CLOSED:
        raise Conflict(f"ticket {target.pk} is closed and cannot receive a merge", code="ticket_closed")
    now = timezone.now()
    message_ids = list(source.messages.values_list("id", flat=True))
    Message.objects.filter(pk__in=message_ids).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    search.move_messages(message_ids, target)
    target.followers.add(*source.followers.all())
    target.tags.add(*source.tags.all())
    target.updated_at = now
    target.save(update_fields=["updated_at"])
    before_status = source.status
    source.merged_into = target
    source.status = Ticket.Status.CLOSED
    source.closed_at = now
    source.updated_at = now
    source.status_changed_at = source.closed_at
    source.save(update_fields=["merged_into", "status", "closed_at", "updated_at", "status_changed_at"])
    event_record(
        actor=actor,
        verb="ticket.merged",
        target=source,
        at=now,
        before={"status": before_status},
        after={"status": "closed", "merged_into": target.pk},
    )
    event_record(
        actor=actor,
        verb="ticket.merge_received",
        target=target,
        at=now,
        after={"from": source.pk, "messages": message_ids},
    )
    return target


@transaction.atomic
def ticket_split(*, actor: User | None, ticket: Ticket, message_ids: list[int], subject: str) -> Ticket:
    """Move some messages of `ticket` into a new ticket for the same requester."""
    subject = _check_subject(subject)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        raise Conflict(f"ticket {ticket.pk} is closed", code="ticket_closed")
    wanted = set(message_ids)
    owned = set(ticket.messages.filter(pk__in=wanted).values_list("id", flat=True))
    if not wanted or owned != wanted:
        raise Invalid("message_ids must be messages of this ticket", field="message_ids")
    if ticket.messages.exclude(pk__in=wanted).count() == 0:
        raise Invalid("a split must leave at least one message on the ticket", field="message_ids")
    now = timezone.now()
    new = Ticket.objects.create(
        subject=subject,
        status=Ticket.Status.OPEN,
        priority=ticket.priority,
        category=ticket.category,
        product=ticket.product,
        channel=ticket.channel,
        requester=ticket.requester,
        organization_id=ticket.organization_id,
        team=ticket.team,
        assignee=ticket.assignee,
        plan_version=ticket.plan_version,
        split_from=ticket,
        created_at=now,
        updated_at=now,
    )
    new.tags.set(ticket.tags.all())
    Message.objects.filter(pk__in=wanted).update(ticket=new)
    Attachment.objects.filter(message_id__in=wanted).update(ticket=new)
    search.index_ticket_subject(new, is_new=True)
    search.move_messages(sorted(wanted), new)
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at"])
    event_record(
        actor=actor,
        verb="ticket.created",
        target=new,
        at=now,
        after={**_snapshot(new), "split_from": ticket.pk},
    )
    event_record(
        actor=actor,
        verb="ticket.split",
        target=ticket,
        at=now,
        after={"into": new.pk, "messages": sorted(wanted)},
    )
    return new


@transaction.atomic
def _content_refused(exc: ContentError) -> str:
    """Why a file was refused, in the language of the request."""
    if exc.reason == "executable":
        return _("executable files are not accepted")
    if exc.reason == "type":
        return _("files of type %(type)s are not accepted") % {"type": exc.declared}
    return _("the file says it is %(declared)s but its content is %(sniffed)s") % {
        "declared": exc.declared,
        "sniffed": exc.sniffed,
    }


def attachment_add(
    *,
    actor: User | None,
    ticket: Ticket,
    file: IO[bytes],
    filename: str,
    content_type: str,
    message: Message | None = None,
) -> Attachment:
    """Store a file on the ticket after checking its size and that its bytes match its declared type."""
    limit = settings.FRONTLINE_ATTACHMENT_MAX_BYTES
    digest = hashlib.sha256()
    size = 0
    head = b""
    file.seek(0)
    while chunk := file.read(1024 * 1024):
        if not head:
            head = chunk[:8192]
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                _("attachments are limited to %(mb)d MB") % {"mb": limit // (1024 * 1024)}, field="file"
            )
        digest.update(chunk)
    if size == 0:
        raise Invalid(_("the file is empty"), field="file")
    try:
        stored_type = check_content_type(content_type, head)
    except ContentError as exc:
        raise Invalid(_content_refused(exc), field="file", code="unsupported_type") from exc
    if message is not None and message.ticket_id != ticket.pk:
        raise Invalid("the message belongs to another ticket", field="message")
    file.seek(0)
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=safe_filename(filename),
        content_type=stored_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.sha256, File(file), save=False)
    attachment.save()
    event_record(
        actor=actor,
        verb="attachment.added",
        target=ticket,
        after={
            "attachment": attachment.pk,
            "filename": attachment.filename,
            "size": size,
            "content_type": stored_type,
        },
    )
    return attachment
