"""The demo's chat widget: a web chat site whose widget opens on the demo server's own page,
/chat/demo/, and whose chats wait in the demo's chat queue."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from frontline.accounts.models import User
from frontline.connectors.webchat import services as webchat
from frontline.connectors.webchat.models import Site
from frontline.connectors.webchat.origins import normalize
from frontline.connectors.webchat.selectors import DEMO_SITE_KEY
from frontline.routing.models import Queue
from frontline.routing.services import queue_save
from frontline.tickets.models import Channel

SITE_NAME = "Aurora Appliances (demo page)"
_LOOPBACK = ("127.0.0.1", "localhost")


def demo_origins() -> list[str]:
    """Where a browser opens the demo server: FRONTLINE_BASE_URL and the address the demo command
    prints (FRONTLINE_HOST, FRONTLINE_PORT), each also under its loopback twin (127.0.0.1/localhost)."""
    printed = (
        f"http://{os.environ.get('FRONTLINE_HOST', '127.0.0.1')}:{os.environ.get('FRONTLINE_PORT', '8000')}"
    )
    found: list[str] = []
    for url in (settings.FRONTLINE_BASE_URL, printed):
        parts = urlsplit(url)
        origin = normalize(f"{parts.scheme}://{parts.netloc}")
        if origin is None:
            continue
        scheme, rest = origin.split("://", 1)
        host, colon, port = rest.partition(":")
        names = [host, *(name for name in _LOOPBACK if name != host)] if host in _LOOPBACK else [host]
        for name in names:
            candidate = f"{scheme}://{name}{colon}{port}"
            if candidate not in found:
                found.append(candidate)
    return found


def _chat_queue(admin: User | None) -> Queue:
    """The first active chat queue, or a new one. A queue without a team serves every agent whose
    capacity includes chat, which every demo agent's does."""
    queue = Queue.objects.filter(channel=Channel.CHAT, active=True).order_by("id").first()
    if queue is not None:
        return queue
    name = "Chat" if not Queue.objects.filter(name__iexact="Chat").exists() else "Web chat"
    return queue_save(
        actor=admin,
        queue=None,
        values={
            "name": name,
            "channel": Channel.CHAT,
            "strategy": "ring_all",
            "wrap_up_seconds": 30,
            "fallback": Queue.Fallback.NONE,
            "ticket_mode": Queue.TicketMode.PUSH,
        },
    )


@transaction.atomic
def chat_site_setup(*, admin: User | None) -> tuple[Site, bool]:
    """The demo's web chat site: created once; a later run adds the origins it lacks and a queue when
    it has none, and otherwise writes nothing. Returns the site and whether anything changed."""
    site = Site.objects.select_related("queue").filter(public_key=DEMO_SITE_KEY).first()
    if site is None:
        created = webchat.site_create(
            actor=admin,
            name=SITE_NAME,
            allowed_origins=demo_origins(),
            queue=_chat_queue(admin),
            public_key=DEMO_SITE_KEY,
        )
        return created, True
    origins = list(site.allowed_origins)
    missing = [origin for origin in demo_origins() if origin not in origins]
    has_queue = site.queue is not None and site.queue.active
    if not missing and has_queue:
        return site, False
    queue = site.queue if has_queue else _chat_queue(admin)
    return webchat.site_update(actor=admin, site=site, allowed_origins=origins + missing, queue=queue), True
