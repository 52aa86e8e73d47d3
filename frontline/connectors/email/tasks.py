"""Background tasks of the email channel: thin, they call services."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=10)
def inbound_process_task(inbound_id: int) -> str:
    return services.inbound_process(inbound_id=inbound_id).status


@db_task()
def outbound_send_task(outbound_id: int) -> str:
    return services.outbound_send(outbound_id=outbound_id).status


@db_periodic_task(crontab(minute="*"))
def email_reconcile_task() -> int:
    """Safety net: process stored mail a crashed worker left behind; retry or fail pending sends."""
    # Oldest first: a reply must not be processed before the mail it answers.
    waiting = (
        InboundEmail.objects.filter(status=InboundEmail.Status.RECEIVED)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    for inbound_id in list(waiting):
        services.inbound_process(inbound_id=inbound_id)
    services.unsent_replies_queue()
    return services.outbound_reconcile()


@db_periodic_task(crontab(minute="*"))
def imap_poll_task() -> int:
    """Fetch new mail from every active mailbox with an IMAP server; one failing box does not stop others."""
    stored = 0
    for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host=""):
        try:
            stored += services.imap_poll(mailbox=mailbox)
        except Exception:
            logger.exception("IMAP polling failed for %s", mailbox)
    return stored
