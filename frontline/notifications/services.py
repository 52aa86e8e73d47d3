"""Writes of notifications: create (with an email copy and a live push), mark read."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import Invalid
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.tickets.models import Ticket


@transaction.atomic
def notify(
    *,
    user: User,
    title: str,
    body: str = "",
    ticket: Ticket | None = None,
    urgent: bool = False,
    kind: str = Notification.Kind.INFO,
    email: bool | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> Notification:
    """Tell one staff member something; urgent ones (and `email=True`) also go to their email address."""
    title = title.strip()
    if not title:
        raise Invalid("a notification needs a title", field="title")
    if kind not in Notification.Kind.values:
        raise Invalid(f"unknown kind {kind!r}", field="kind")
    if not user.is_active:
        raise Invalid("the user is not active", field="user")
    send_email = (urgent if email is None else email) and bool(user.email)
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        title=title[:200],
        body=body,
        ticket=ticket,
        urgent=urgent,
        emailed=send_email,
        created_at=at or timezone.now(),
    )
    event_record(
        actor=actor,
        verb="notification.created",
        target=notification,
        after={
            "user": user.pk,
            "kind": kind,
            "title": notification.title,
            "urgent": urgent,
            "ticket": ticket and ticket.pk,
        },
        at=notification.created_at,
    )
    from frontline.notifications.tasks import notification_deliver_task

    transaction.on_commit(lambda: notification_deliver_task(notification.pk))
    return notification


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification, read: bool = True) -> Notification:
    if notification.user_id != user.pk:
        raise Invalid("not your notification", field="notification")
    before = {"read_at": notification.read_at}
    notification.read_at = timezone.now() if read else None
    notification.save(update_fields=["read_at"])
    event_record(
        actor=user,
        verb="notification.read",
        target=notification,
        before=before,
        after={"read_at": notification.read_at},
    )
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        event_record(actor=user, verb="notification.all_read", target=user, after={"marked": marked})
    return marked
