"""Background tasks of webhooks: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.webhooks import services


@db_task()
def webhook_deliver_task(delivery_id: int) -> str | None:
    """One attempt of a delivery; a stale run (delivered, dead, not yet due) does nothing."""
    delivery = services.webhook_deliver(delivery_id=delivery_id)
    return delivery.status if delivery is not None else None


@db_periodic_task(crontab(minute="*"))
def webhook_reconcile_task() -> int:
    """Safety net: deliveries whose ETA task was lost (a queue flushed, a worker down) are attempted here."""
    return services.webhook_reconcile()
