"""Background tasks of SLA clocks: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.sla import services


@db_task()
def sla_check_task(clock_id: int) -> str | None:
    """Runs at a clock's at-risk and due moments; a stale run (clock paused, met or moved) does nothing."""
    clock = services.sla_check(clock_id=clock_id)
    return clock.state if clock is not None else None


@db_periodic_task(crontab(minute="*/5"))
def sla_reconcile_task() -> int:
    """Safety net: notices whose ETA task was lost (a queue flushed, a worker down) are raised here."""
    return services.sla_reconcile()
