"""Background tasks of the voice channel: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.connectors.voice import services


@db_task()
def callback_dispatch_task(request_id: int) -> str | None:
    """At a callback's time (an ETA task): it joins its queue, or waits for the phone line to open."""
    request = services.callback_dispatch(request_id=request_id)
    return request.status if request is not None else None


@db_periodic_task(crontab(minute="*"))
def callbacks_due_task() -> int:
    """Every minute: callbacks whose time has come although their ETA task was lost."""
    return services.callbacks_dispatch_due()
