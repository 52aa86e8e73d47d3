"""Getting a notification to its person: a live push to their open desk tabs and, when asked, an email."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.dispatch import Signal

from frontline.notifications.models import Notification

logger = logging.getLogger(__name__)

#: Mail Frontline writes by itself, for an app above this one to queue in its outbox (the email
#: connector does: Auto-Submitted, retries). Sent with `to` (a list), `subject` and `body`; a
#: receiver returns what it queued.
automatic_email_wanted = Signal()


def user_group(user_id: int) -> str:
    return f"person.{user_id}"  # not "user.<id>": realtime uses <target_type>.<id> for events


def push(notification: Notification) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group(notification.user_id),
            {
                "type": "notification.created",
                "id": notification.pk,
                "kind": notification.kind,
                "title": notification.title,
                "body": notification.body,
                "ticket": notification.ticket_id,
                "urgent": notification.urgent,
                "created_at": notification.created_at.isoformat(),
            },
        )
    except Exception:  # the notification is stored; the desk shows it on the next load
        logger.exception("could not push notification %s", notification.pk)


def email(notification: Notification) -> None:
    """Queue the email copy in the outbox (sent and retried there); raises if no outbox took it."""
    lines = [notification.body] if notification.body else []
    if notification.ticket_id:
        link = f"{settings.FRONTLINE_BASE_URL}/admin/tickets/ticket/{notification.ticket_id}/change/"
        lines.append(f"Ticket #{notification.ticket_id}: {link}")
    prefix = "[URGENT] " if notification.urgent else ""
    taken = automatic_email_wanted.send(
        sender=Notification,
        to=[notification.user.email],
        subject=f"{prefix}{notification.title}",
        body="\n\n".join(lines) or notification.title,
    )
    if not any(queued for _receiver, queued in taken):
        raise RuntimeError("no outbox took the notification's email (is the email connector installed?)")
