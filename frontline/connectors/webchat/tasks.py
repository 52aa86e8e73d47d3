"""Background tasks of the web chat: thin, they call services."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.connectors.webchat import services

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=5)
def lines_mirror_task(conversation_id: int) -> int:
    return services.lines_mirror(conversation_id=conversation_id)


@db_periodic_task(crontab(minute="*"))
def lines_mirror_sweep_task() -> int:
    """Safety net: copy onto tickets the chat lines a lost or failed task left behind."""
    copied = 0
    for conversation_id in services.lines_unmirrored(older_than=timedelta(seconds=30)):
        try:
            copied += services.lines_mirror(conversation_id=conversation_id)
        except Exception:  # one conversation (say, its ticket was closed) must not stop the others
            logger.exception("copying chat lines of conversation %s onto its ticket failed", conversation_id)
    return copied
