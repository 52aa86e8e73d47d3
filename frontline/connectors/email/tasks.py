"""Background tasks of the email channel: thin, they call services."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.connectors.email import services
from frontline.connectors.email.models import Mailbox

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=10)
def inbound_process_task(inbound_id: int) -> None:
    """This stored mail with the oldest others waiting, in one transaction; often an earlier batch did it.

    Returns nothing, so the queue stores no result for each of these (one write fewer per mail).
    """
    services.inbound_process_waiting(inbound_id=inbound_id)


@db_task(retries=3, retry_delay=10)
def inbound_process_many_task(inbound_ids: list[int]) -> None:
    """Mail stored together (an IMAP fetch), those still waiting, a batch per transaction."""
    services.inbound_process_listed(inbound_ids=inbound_ids)


@db_task()
def outbound_send_task(outbound_id: int) -> str:
    return services.outbound_send(outbound_id=outbound_id).status


@db_periodic_task(crontab(minute="*"))
def email_reconcile_task() -> int:
    """Safety net: process stored mail a crashed worker left behind; retry or fail pending sends."""
    # Oldest first: a reply must not be processed before the mail it answers.
    services.inbound_process_backlog(limit=1000)
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
