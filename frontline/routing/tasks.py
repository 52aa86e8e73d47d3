"""Background tasks of routing: thin, they call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from frontline.routing import services
from frontline.routing.models import Interaction, Queue


@db_task()
def route_queue_task(queue_id: int) -> int:
    queue = Queue.objects.filter(pk=queue_id, active=True).first()
    return len(services.route_queue(queue=queue)) if queue is not None else 0


@db_task()
def offer_expire_task(interaction_id: int) -> str | None:
    interaction = services.offer_expire(interaction_id=interaction_id)
    return interaction.state if interaction is not None else None


@db_task()
def wrap_up_end_task(interaction_id: int) -> str | None:
    interaction = Interaction.objects.filter(pk=interaction_id).select_related("agent").first()
    if interaction is None:
        return None
    return services.wrap_up_end(interaction=interaction).state


@db_periodic_task(crontab(minute="*"))
def routing_tick_task() -> int:
    """Every minute: agents whose clients went quiet become away; waiting queues are routed again."""
    services.presence_sweep()
    return services.route_all()
