"""The Redis-backed pieces, against the real Redis: the task queue and the channel layer."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest
from asgiref.sync import async_to_sync
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
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("events", channel)
    try:
        ticket = services.ticket_create(
            actor=None, requester=CustomerFactory(), subject="Live", body_text="hi"
        )
        received = [async_to_sync(layer.receive)(channel) for _ in range(2)]
    finally:
        async_to_sync(layer.group_discard)("events", channel)
    assert [(m["verb"], m["target_id"]) for m in received] == [
        ("ticket.created", ticket.pk),
        ("message.added", ticket.pk),
    ]
