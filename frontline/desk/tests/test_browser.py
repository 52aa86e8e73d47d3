"""An agent works a ticket in a real browser (Debian's Chromium through Playwright).

The app runs under uvicorn (ASGI: pages and websockets) in a thread of the test process, so the
test database and the in-memory channel layer are shared with the test. Skips when
/usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium".
Screenshots go to test-artifacts/desk/.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from frontline.routing.models import AgentPresence, PresenceState
from frontline.scripts.models import ForbiddenPhrase
from frontline.scripts.selectors import forbidden_phrases_cache_clear
from frontline.tickets.models import Message
from frontline.tickets.services import message_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_server():
    """The ASGI app (HTTP with static files, session-authenticated websockets) on a free port."""
    import uvicorn
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    from frontline.websockets import websocket_urlpatterns

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(get_asgi_application()),
            "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        }
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _in_a_plain_thread(work):
    """Run `work` where no event loop runs (Playwright's loop is in the test's thread), as a worker would."""
    from django.db import connection

    errors = []

    def run():
        try:
            work()
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not errors, errors


@pytest.fixture
def artifacts():
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "desk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_agent_replies_with_a_compliance_check_and_sees_the_customer_live(
    agent, team, make_ticket, customer, asgi_server, chromium, artifacts
):
    ForbiddenPhrase.objects.update_or_create(
        language="en",
        phrase="Hey, talk!",
        defaults={"alternative": "Good day, how may I help?", "active": True},
    )
    forbidden_phrases_cache_clear()
    ticket = make_ticket("Aircon not cooling", team=team)
    page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()

    page.goto(f"{asgi_server}/desk/")
    page.wait_for_url("**/desk/login/?next=/desk/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{asgi_server}/desk/")

    page.get_by_role("button", name="Available").click()
    page.wait_for_load_state()
    assert page.locator("#presence-now .state").inner_text() == "Available"
    assert AgentPresence.objects.get(user=agent).state == PresenceState.AVAILABLE

    page.get_by_role("navigation", name="Inboxes").get_by_role("link", name="My teams").click()
    page.wait_for_url("**inbox=team")
    page.screenshot(path=str(artifacts / "1-inbox.png"), full_page=True)
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent") == f"#{ticket.pk} Aircon not cooling"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"#{ticket.pk} Aircon not cooling"

    page.keyboard.press("r")
    reply = page.get_by_label("Reply by Email")
    assert page.evaluate("document.activeElement.id") == "reply-body"
    reply.fill("Hey, talk! What is wrong with it?")
    page.get_by_role("button", name="Check against scripts").click()
    finding = page.locator("#compliance .finding-forbidden_phrase")
    finding.wait_for()
    assert "Avoid “Hey, talk!”." in finding.inner_text()
    page.screenshot(path=str(artifacts / "2-compliance.png"), full_page=True)

    reply.fill("Good day Ms Santos, please clean the aircon filter and tell us how it goes. Thank you!")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    sent = page.locator(".direction-outbound .body")
    assert (
        sent.inner_text()
        == "Good day Ms Santos, please clean the aircon filter and tell us how it goes. Thank you!"
    )
    assert Message.objects.filter(ticket=ticket, direction="outbound").count() == 1

    time.sleep(0.5)  # let the page's websocket join the ticket's group
    _in_a_plain_thread(
        lambda: message_add(
            actor=None, ticket=ticket, direction="inbound", body_text="Cleaned it, cold air again!"
        )
    )
    page.locator(".direction-inbound .body", has_text="Cleaned it, cold air again!").wait_for(timeout=5000)
    page.screenshot(path=str(artifacts / "3-ticket-live.png"), full_page=True)
