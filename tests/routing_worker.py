"""A separate process that routes and finishes contacts, for the PostgreSQL concurrency test."""

from __future__ import annotations

import os
import random
import time


def run(database_url: str, queue_id: int, seed: int, deadline: float) -> int:
    """Route the queue and end some connected contacts until nothing is left; returns contacts ended."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    import django

    django.setup()
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # route-again hooks run here, in this process
    from django.db import OperationalError, connection

    from frontline.routing import services
    from frontline.routing.models import Interaction, Queue

    rng = random.Random(seed)
    queue = Queue.objects.get(pk=queue_id)
    ended = 0
    while time.monotonic() < deadline:
        try:
            services.route_queue(queue=queue, limit=25)
            connected = list(
                Interaction.objects.filter(queue=queue, state="connected").values_list("pk", flat=True)[:40]
            )
            if not connected and not Interaction.objects.filter(queue=queue, state="waiting").exists():
                break
            for pk in rng.sample(connected, k=min(len(connected), 10)):
                interaction = Interaction.objects.get(pk=pk)
                try:
                    services.interaction_end(actor=None, interaction=interaction, outcome="done")
                    ended += 1
                except services.Conflict:
                    pass  # another process ended it first
        except OperationalError:  # a deadlock victim retries, like any client would
            continue
    connection.close()
    return ended
