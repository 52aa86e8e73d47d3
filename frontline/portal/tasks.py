"""Background housekeeping of the portal: thin, calls services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from frontline.portal.services import portal_links_purge


@db_periodic_task(crontab(minute="23"))
def portal_links_purge_task() -> int:
    """Hourly: expired sign-in links and unconfirmed web-form submissions go, with their held files."""
    return portal_links_purge()
