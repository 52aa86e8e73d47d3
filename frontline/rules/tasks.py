"""Background tasks of rules: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from frontline.rules import services


@db_periodic_task(crontab(minute="*/10"))
def automations_run_task() -> int:
    """Every ten minutes, each active automation over the tickets that are not closed."""
    return services.automations_run()
