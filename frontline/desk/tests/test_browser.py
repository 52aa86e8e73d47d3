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
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from frontline.connectors.email.models import Mailbox
from frontline.connectors.email.services import inbound_process, inbound_store
from frontline.routing.models import AgentPresence, PresenceState, Queue
from frontline.routing.services import presence_set
from frontline.scripts.models import ForbiddenPhrase, Macro
from frontline.scripts.selectors import forbidden_phrases_cache_clear
from frontline.tickets.models import Message

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
    Macro.objects.create(
        name="Filter",
        language="en",
        body="{day_greeting}, {salutation} {surname}. Please clean the aircon filter and tell us how it goes.",  # noqa: E501
    )
    ticket = make_ticket("Aircon not cooling", team=team)
    page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()

    page.goto(f"{asgi_server}/desk/")
    page.wait_for_url("**/desk/login/?next=/desk/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{asgi_server}/desk/")

    page.locator("#presence-toggle").click()  # the status menu in the top bar
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

    page.get_by_label("Macro").select_option(label="Filter (English)")
    page.get_by_role("button", name="Insert macro").click()
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/?macro=*")
    assert page.get_by_label("Reply by Email").input_value().startswith("Good ")
    assert "Ms. Santos. Please clean the aircon filter" in page.get_by_label("Reply by Email").input_value()

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
    # The customer answers by email: raw MIME through the email pipeline, as the SMTP receiver does.
    mailbox = Mailbox.objects.create(name="Support", address="support@aurora.test", team=team)
    mail = EmailMessage()
    mail["From"] = f"Maria Santos <{customer.contact_points.get(kind='email').value}>"
    mail["To"] = "support@aurora.test"
    mail["Subject"] = f"Re: [#{ticket.pk}] Aircon not cooling"
    mail["Message-ID"] = "<reply-1@example.test>"
    mail.set_content("Cleaned it, cold air again!")
    _in_a_plain_thread(
        lambda: inbound_process(
            inbound_id=inbound_store(mailbox=mailbox, raw=mail.as_bytes(), source="smtp")[0].pk
        )
    )
    page.locator(".direction-inbound .body", has_text="Cleaned it, cold air again!").wait_for(timeout=5000)
    page.screenshot(path=str(artifacts / "3-ticket-live.png"), full_page=True)


def _sign_in(page, base, username):
    page.goto(f"{base}/desk/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests-only")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/desk/")


def test_the_wallboard_shows_an_agents_state_change_live_in_tagalog(
    agent, supervisor, asgi_server, chromium, artifacts
):
    Queue.objects.create(name="Telepono", channel="voice")
    profile = agent.agent
    profile.capacity = {"voice": 1}
    profile.save()
    supervisor.language = "fil"
    supervisor.save()
    page = chromium.new_context(locale="fil-PH", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(page, asgi_server, "sam")

    page.goto(f"{asgi_server}/desk/supervisor/")
    assert page.get_by_role("heading", level=1).inner_text() == "Console ng superbisor"
    assert page.locator("html").get_attribute("lang") == "fil"
    not_ready = page.locator('tr[data-queue] td[data-state="not_ready"]')
    assert not_ready.inner_text() == "0"

    time.sleep(0.5)  # let the page's websocket join the wallboard group
    _in_a_plain_thread(lambda: presence_set(actor=agent, user=agent, state="not_ready", reason="break"))
    # The acceptance: the change shows within 2 s, with no reload.
    page.locator('tr[data-queue] td[data-state="not_ready"]', has_text="1").wait_for(timeout=2000)
    page.screenshot(path=str(artifacts / "4-wallboard-fil.png"), full_page=True)
