"""Web chat test helpers: a site, the chat queue, an agent who takes chats, widget sockets."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.connectors.webchat.models import Site
from frontline.routing.models import Queue
from frontline.sla.models import BusinessCalendarConfig, ChannelHours

ORIGIN = "http://localhost:8001"


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def chat_queue(db):
    return Queue.objects.create(name="Chat", channel="chat", strategy="ring_all", wrap_up_seconds=30)


@pytest.fixture
def site(db, chat_queue):
    return Site.objects.create(
        name="Aircon Co website", public_key="site-key-1", allowed_origins=[ORIGIN], queue=chat_queue
    )


@pytest.fixture
def agent(db):
    user = staff(Role.AGENT, username="ana", first_name="Ana", last_name="Reyes")
    profile = user.agent
    profile.capacity = {"chat": 3}
    profile.languages = ["en"]
    profile.save()
    return user


@pytest.fixture
def chat_closed(db):
    """Chat hours on no day at all: the channel is closed whenever the test runs."""
    calendar = BusinessCalendarConfig.objects.create(name="Never", timezone="Asia/Manila", weekly_hours={})
    return ChannelHours.objects.create(channel="chat", calendar=calendar, outside_hours="leave_message")


def widget(key="site-key-1", origin=ORIGIN, query="", accept_language="en"):
    """A widget connection through the production ASGI app, from a page at `origin`."""
    from frontline.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"accept-language", accept_language.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    path = f"/ws/chat/{key}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


def staff_socket(cookie):
    from frontline.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1"), (b"cookie", cookie)]
    return WebsocketCommunicator(application, "/ws/chat/agents/", headers=headers)


async def receive_until(socket, kind, timeout=5):
    """Frames up to and including the first of type `kind` (the others are returned too)."""
    seen = []
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        seen.append(frame)
        if frame.get("type") == kind:
            return frame, seen
