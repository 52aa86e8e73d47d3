"""Writes the desk needs beyond one ticket service call: bulk changes (all or nothing), the second factor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.models import User
from frontline.core.errors import Conflict, Invalid, NotFound
from frontline.desk.mentions import mentioned_usernames
from frontline.desk.models import SavedView
from frontline.desk.selectors import INBOXES, SORTS, ticket_visible_to
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.notifications.services import notify
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import attachment_add, message_add, normalize_tags, ticket_update

BULK_ACTIONS = ("assign", "status", "tag")


@transaction.atomic
def ticket_bulk_update(
    *,
    actor: User,
    tickets: list[Ticket],
    action: str,
    assignee: User | None = None,
    status: str = "",
    tag: str = "",
) -> list[Ticket]:
    """Assign, set the status of, or tag every ticket through `ticket_update`; one failure changes none."""
    if not tickets:
        raise Invalid("select at least one ticket", field="ticket_ids")
    if action not in BULK_ACTIONS:
        raise Invalid(f"action must be one of {', '.join(BULK_ACTIONS)}", field="action")
    if action == "status" and status not in Ticket.Status.values:
        raise Invalid(f"status must be one of {', '.join(Ticket.Status.values)}", field="status")
    names = normalize_tags([tag]) if action == "tag" else []
    if action == "tag" and not names:
        raise Invalid("give a tag", field="tag")
    changed = []
    for ticket in tickets:
        if action == "assign":
            changed.append(ticket_update(actor=actor, ticket=ticket, assignee=assignee))
        elif action == "status":
            changed.append(ticket_update(actor=actor, ticket=ticket, status=status))
        else:
            current = list(ticket.tags.values_list("name", flat=True))
            changed.append(ticket_update(actor=actor, ticket=ticket, tags=[*current, *names]))
    return changed


# --- Second factor (TOTP, django-otp): optional for staff, enrolled from the desk profile page

TOTP_DEVICE_NAME = "Frontline desk"


def _totp_devices(user: User) -> QuerySet[TOTPDevice]:
    devices: QuerySet[TOTPDevice] = TOTPDevice.objects.filter(user=user).select_for_update(of=("self",))
    return devices


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """A new secret waiting for its first code; an earlier unconfirmed one is replaced."""
    if _totp_devices(user).filter(confirmed=True).exists():
        raise Conflict("a second factor is already set up; turn it off first", code="otp_enrolled")
    _totp_devices(user).filter(confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    event_record(actor=user, verb="user.otp_enrol_started", target=user, after={"device": device.pk})
    return device


@transaction.atomic
def totp_enrol_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """The first code from the authenticator app turns the second factor on; None if it does not match.

    A wrong code is not an exception: django-otp's throttling counts it, and that count must be kept.
    """
    device = _totp_devices(user).filter(confirmed=False).order_by("-id").first()
    if device is None:
        raise Invalid("start the set-up first", field="token")
    if not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    event_record(actor=user, verb="user.otp_enabled", target=user, after={"device": device.pk})
    return device


@transaction.atomic
def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device if `token` is its current code (throttled by django-otp), else None."""
    device = _totp_devices(user).filter(confirmed=True).order_by("id").first()
    if device is None or not device.verify_token(token.strip()):
        return None
    return device


@transaction.atomic
def totp_disable(*, user: User, token: str) -> bool:
    """Turn the second factor off, proven with a current code; False if the code does not match."""
    device = totp_verify(user=user, token=token)
    if device is None:
        return False
    _totp_devices(user).delete()
    event_record(actor=user, verb="user.otp_disabled", target=user, before={"device": device.pk})
    return True


# --- Internal notes with @mentions


@dataclass(frozen=True)
class NoteAdded:
    message: Message
    notified: list[User]  # staff who were told (they can see the ticket)
    not_notified: list[str]  # names that are not staff, not active, or cannot see the ticket


@transaction.atomic
def _attach(actor: User, ticket: Ticket, message: Message, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        attachment_add(
            actor=actor,
            ticket=ticket,
            file=upload,
            filename=upload.name or "attachment",
            content_type=upload.content_type or "application/octet-stream",
            message=message,
        )


@transaction.atomic
def reply_add(*, actor: User, ticket: Ticket, body: str, files: Sequence[UploadedFile] = ()) -> Message:
    """Answer the customer on the ticket's channel, with files; a file refused stores nothing at all."""
    if not body.strip():
        raise Invalid("write something first", field="body")
    message = message_add(actor=actor, ticket=ticket, direction=Message.Direction.OUTBOUND, body_text=body)
    _attach(actor, ticket, message, files)
    return message


@transaction.atomic
def note_add(*, actor: User, ticket: Ticket, body: str, files: Sequence[UploadedFile] = ()) -> NoteAdded:
    """Add an internal note (with files); every staff member it @mentions who may see the ticket is notified.

    The author is never notified of their own mention; anyone who may not see the ticket is left out
    (and named in the result), so a mention cannot leak a ticket. A file refused stores nothing.
    """
    if not body.strip():
        raise Invalid("write something first", field="body")
    message = message_add(actor=actor, ticket=ticket, direction=Message.Direction.NOTE, body_text=body)
    _attach(actor, ticket, message, files)
    names = mentioned_usernames(body)
    users = {u.username.casefold(): u for u in User.objects.filter(username__in=names, is_active=True)}
    if len(users) < len(names):  # usernames are compared case-insensitively
        for name in names:
            if name.casefold() not in users:
                match = User.objects.filter(username__iexact=name, is_active=True).first()
                if match is not None:
                    users[name.casefold()] = match
    notified: list[User] = []
    not_notified: list[str] = []
    author = actor.get_full_name() or actor.get_username()
    for name in names:
        user = users.get(name.casefold())
        if user is not None and user.pk == actor.pk:
            continue
        if user is None or not ticket_visible_to(user=user, ticket_id=ticket.pk):
            not_notified.append(name)
            continue
        with translation.override(user.language or "en"):
            title = _("%(author)s mentioned you on ticket #%(id)s") % {"author": author, "id": ticket.pk}
        notify(
            user=user,
            title=title,
            body=body[:1000],
            ticket=ticket,
            kind=Notification.Kind.MENTION,
            actor=actor,
        )
        notified.append(user)
    return NoteAdded(message=message, notified=notified, not_notified=not_notified)


@dataclass(frozen=True)
class Sent:
    message: Message
    note: NoteAdded | None  # for a note: who its @mentions reached
    ticket: Ticket  # as it is now, with its new status


@transaction.atomic
def message_send(
    *,
    actor: User,
    ticket: Ticket,
    body: str,
    kind: str = "reply",
    status: str = "",
    files: Sequence[UploadedFile] = (),
) -> Sent:
    """Send a reply (or add a note) and, in the same transaction, set the ticket's status.

    "Send and set to Solved" is one action: if the status cannot be set (a transition the ticket
    does not allow, an unknown status) nothing is sent, and if sending fails the status stays.
    """
    if kind not in ("reply", "note"):
        raise Invalid("kind must be reply or note", field="kind")
    if status and status not in Ticket.Status.values:
        raise Invalid(f"status must be one of {', '.join(Ticket.Status.values)}", field="status")
    note: NoteAdded | None = None
    if kind == "note":
        note = note_add(actor=actor, ticket=ticket, body=body, files=files)
        message = note.message
    else:
        message = reply_add(actor=actor, ticket=ticket, body=body, files=files)
    if status and status != ticket.status:
        ticket = ticket_update(actor=actor, ticket=ticket, status=status)
    return Sent(message=message, note=note, ticket=ticket)


# --- Supervisor: reassign an agent's open tickets

OPEN_STATUSES = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.ON_HOLD)


@transaction.atomic
def tickets_reassign(*, actor: User, from_user: User, to_user: User) -> int:
    """Assign every open ticket of `from_user` to `to_user` (`ticket_update`); one failure moves none."""
    if from_user.pk == to_user.pk:
        raise Invalid("choose another agent", field="assignee")
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(assignee=from_user, status__in=OPEN_STATUSES)
        .order_by("id")
    )
    for ticket in tickets:
        ticket_update(actor=actor, ticket=ticket, assignee=to_user)
    return len(tickets)


# --- Saved inbox views

SAVED_VIEWS_PER_USER = 30


@transaction.atomic
def saved_view_create(*, user: User, name: str, inbox: str, sort: str, query: str) -> SavedView:
    """Save an inbox with its search words and sort under a name (unique per user)."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("give the view a name", field="name")
    if len(name) > 60:
        raise Invalid("the name is longer than 60 characters", field="name")
    if inbox not in INBOXES:
        raise Invalid(f"unknown inbox {inbox!r}", field="inbox")
    if sort not in SORTS:
        raise Invalid(f"unknown sort {sort!r}", field="sort")
    query = query.strip()
    if len(query) > 200:
        raise Invalid("the search words are longer than 200 characters", field="q")
    mine = SavedView.objects.select_for_update(of=("self",)).filter(user=user)
    if mine.filter(name__iexact=name).exists():
        raise Conflict(f"you already have a view called {name!r}", code="saved_view_exists")
    if mine.count() >= SAVED_VIEWS_PER_USER:
        raise Conflict(f"at most {SAVED_VIEWS_PER_USER} saved views", code="saved_view_limit")
    view = SavedView.objects.create(
        user=user, name=name, inbox=inbox, sort=sort, query=query, created_at=timezone.now()
    )
    event_record(
        actor=user,
        verb="saved_view.created",
        target=view,
        after={"name": name, "inbox": inbox, "sort": sort, "query": query},
    )
    return view


@transaction.atomic
def saved_view_delete(*, user: User, view: SavedView) -> None:
    if view.user_id != user.pk:
        raise NotFound("no such saved view")
    event_record(actor=user, verb="saved_view.deleted", target=view, before={"name": view.name})
    view.delete()
