"""The Redis-backed pieces, against the real Redis: the task queue and the channel layer."""

from __future__ import annotations

import asyncio
import socket
import threading
from urllib.parse import urlparse

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from conftest import require_service
from frontline.customers.factories import CustomerFactory
from frontline.tickets import services
from frontline.tickets.models import SearchEntry
from frontline.tickets.tasks import search_rebuild_task


def _redis_up() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis():
    require_service("redis", _redis_up(), "set REDIS_URL=redis://127.0.0.1:6379/0 with Redis running")


@pytest.mark.real_queue
def test_tasks_go_through_the_redis_queue_and_run_in_a_worker(redis, transactional_db):
    from huey.contrib.djhuey import HUEY

    assert type(HUEY).__name__ == "RedisHuey"
    HUEY.flush()
    services.ticket_create(actor=None, requester=CustomerFactory(), subject="Oven", body_text="door stuck")
    SearchEntry.objects.all().delete()
    result = search_rebuild_task()
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    HUEY.execute(task)  # what a worker thread does
    assert result.get() == 2
    assert SearchEntry.objects.count() == 2


def test_committed_events_reach_listeners_in_other_processes(redis, transactional_db):
    """A listener on its own event loop and Redis connection, as in another web process, hears them."""
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisPubSubChannelLayer"
    listening = threading.Event()
    received: list[dict] = []

    async def listen() -> None:
        channel = await layer.new_channel()
        await layer.group_add("events", channel)
        listening.set()
        try:
            for _ in range(2):
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=10))
        finally:
            await layer.group_discard("events", channel)

    listener = threading.Thread(target=asyncio.run, args=(listen(),))
    listener.start()
    assert listening.wait(timeout=10)
    ticket = services.ticket_create(actor=None, requester=CustomerFactory(), subject="Live", body_text="hi")
    listener.join(timeout=20)
    assert [(m["verb"], m["target_id"]) for m in received] == [
        ("ticket.created", ticket.pk),
        ("message.added", ticket.pk),
    ]
