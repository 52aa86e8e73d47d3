"""Background delivery of notifications: thin, calls the delivery module."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from frontline.notifications import delivery
from frontline.notifications.models import Notification


@db_task(retries=5, retry_delay=60)
def notification_deliver_task(notification_id: int) -> bool:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return False
    delivery.push(notification)
    if notification.emailed:
        delivery.email(notification)
    return True
