"""The caller's own notifications over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from frontline.accounts.principal import principal_of, require_staff
from frontline.core.errors import Invalid
from frontline.notifications import selectors, services
from frontline.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    ticket: int | None
    urgent: bool
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def of(notification: Notification) -> dict[str, Any]:
        return {
            "id": notification.pk,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "ticket": notification.ticket_id,
            "urgent": notification.urgent,
            "created_at": notification.created_at,
            "read_at": notification.read_at,
        }


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next_before_id: int | None


class ReadIn(Schema):
    read: bool = True


@router.get("/notifications", response=NotificationPage, summary="My notifications, newest first")
def notification_list(
    request: HttpRequest, unread: bool = False, before_id: int | None = None, limit: int = 50
) -> dict[str, Any]:
    principal = principal_of(request)
    require_staff(principal, "only staff receive notifications")
    if not 1 <= limit <= 200:
        raise Invalid("limit must be between 1 and 200", field="limit")
    qs = selectors.notification_list(user=principal.user, unread_only=unread).order_by("-id")
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    items = list(qs[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {
        "items": [NotificationOut.of(n) for n in items],
        "unread": selectors.unread_count(user=principal.user),
        "next_before_id": items[-1].pk if more else None,
    }


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one read or unread"
)
def notification_read(request: HttpRequest, notification_id: int, body: ReadIn) -> dict[str, Any]:
    principal = principal_of(request)
    require_staff(principal, "only staff receive notifications")
    notification = selectors.notification_get(user=principal.user, notification_id=notification_id)
    return NotificationOut.of(
        services.notification_mark_read(user=principal.user, notification=notification, read=body.read)
    )


@router.post("/notifications/read-all", response=dict[str, int], summary="Mark all my notifications read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    principal = principal_of(request)
    require_staff(principal, "only staff receive notifications")
    return {"marked": services.notification_mark_all_read(user=principal.user)}
