"""Four processes route 2,000 contacts to 50 agents of capacity 2 on PostgreSQL.

The event log is the witness: no contact connected twice, and replaying connections and endings
per agent (in event order, which the per-agent row lock makes the real order) never goes above 2.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, defaultdict

from django.db import connection
from django.utils import timezone

from conftest import require_service
from frontline.events.models import Event
from frontline.routing.models import AgentPresence, Interaction, Queue
from frontline.routing.tests.conftest import make_agent
from tests import routing_worker


def test_four_processes_never_assign_twice_or_above_capacity(transactional_db):
    require_service("postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…/test")
    queue = Queue.objects.create(name="Email", channel="email", strategy="least_occupied")
    agents = [make_agent(capacity={"email": 2}) for _ in range(50)]
    now = timezone.now()
    AgentPresence.objects.bulk_create(
        AgentPresence(user=agent, state="available", since=now, idle_since=now, last_seen_at=now)
        for agent in agents
    )
    Interaction.objects.bulk_create(
        Interaction(queue=queue, channel="email", enqueued_at=now, waiting_since=now) for _ in range(2000)
    )
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    deadline = time.monotonic() + 600
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        ended = pool.starmap(routing_worker.run, [(url, queue.pk, seed, deadline) for seed in range(4)])
    assert sum(ended) == 2000
    assert not Interaction.objects.exclude(state="ended").exists()

    connected = Event.objects.filter(verb="interaction.connected").values_list("target_id", flat=True)
    assert len(connected) == 2000
    assert Counter(connected).most_common(1)[0][1] == 1  # never connected twice

    load: dict[int, int] = defaultdict(int)
    for verb, after in (
        Event.objects.filter(verb__in=("interaction.connected", "interaction.ended"))
        .order_by("id")
        .values_list("verb", "after")
    ):
        agent = after["agent"]
        load[agent] += 1 if verb == "interaction.connected" else -1
        assert 0 <= load[agent] <= 2, (agent, load[agent])
    assert len(load) == 50  # the work was spread over every agent
