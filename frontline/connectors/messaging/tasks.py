"""Background tasks of the SMS and social channel: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.connectors.messaging import services
from frontline.connectors.messaging.models import InboundPayload


@db_task(retries=3, retry_delay=10)
def payload_process_task(payload_id: int) -> str:
    return services.payload_process(payload_id=payload_id).status


@db_task()
def outbound_send_task(outbound_id: int) -> str:
    return services.outbound_send(outbound_id=outbound_id).status


@db_periodic_task(crontab(minute="*"))
def messaging_reconcile_task() -> int:
    """Safety net: process payloads a crashed worker left stored; queue lost replies; retry due sends."""
    waiting = (
        InboundPayload.objects.filter(status=InboundPayload.Status.STORED)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    for payload_id in list(waiting):
        services.payload_process(payload_id=payload_id)
    services.unsent_replies_queue()
    return services.outbound_reconcile()
