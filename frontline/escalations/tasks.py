"""Background tasks of escalations: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.escalations import services


@db_task()
def escalation_advance_task(run_id: int) -> str | None:
    """Runs at a step's due instant; an early or stale wake-up does nothing."""
    run = services.escalation_advance(run_id=run_id)
    return run.state if run is not None else None


@db_periodic_task(crontab(minute="*"))
def escalation_reconcile_task() -> int:
    """Safety net for lost ETA tasks: overdue steps run within a minute."""
    return services.escalation_reconcile()
