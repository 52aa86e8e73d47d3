"""Getting a notification to its person: a live push to their open desk tabs and, when asked, an email."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail

from frontline.notifications.models import Notification

logger = logging.getLogger(__name__)


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
    """Raises on SMTP failure so the task is retried."""
    lines = [notification.body] if notification.body else []
    if notification.ticket_id:
        link = f"{settings.FRONTLINE_BASE_URL}/admin/tickets/ticket/{notification.ticket_id}/change/"
        lines.append(f"Ticket #{notification.ticket_id}: {link}")
    prefix = "[URGENT] " if notification.urgent else ""
    send_mail(
        subject=f"{prefix}{notification.title}",
        message="\n\n".join(lines) or notification.title,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.user.email],
    )
