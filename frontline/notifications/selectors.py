"""Reads of notifications: only ever the caller's own."""

from __future__ import annotations

from django.db.models import QuerySet

from frontline.accounts.models import User
from frontline.core.errors import NotFound
from frontline.notifications.models import Notification


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_get(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise NotFound("no such notification")
    return notification


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
