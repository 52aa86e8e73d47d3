"""The widget in a real browser (Debian's Chromium through Playwright), embedded in a page on
another origin, against the production ASGI app under uvicorn in a thread of the test process.

Skips when /usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium".
Screenshots go to test-artifacts/webchat-*.png.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError

from frontline.accounts.testing import Api, session_cookie
from frontline.connectors.webchat import services
from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.routing import services as routing
from frontline.routing.models import Interaction
from frontline.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def asgi_server():
    """Frontline's own ASGI application (origin checks included) on a free port."""
    import uvicorn

    from frontline.asgi import application

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
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


@pytest.fixture
def host_page(asgi_server):
    """A business's page on another origin (localhost, another port) that pastes the widget."""
    port = _free_port()
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<title>Aircon Co</title></head><body><h1>Aircon Co</h1><p>Cool rooms since 1998.</p>"
        f'<script src="{asgi_server}/static/webchat/widget.js" data-site="browser-key" async></script>'
        "</body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser_site(host_page, chat_queue):
    return Site.objects.create(
        name="Aircon Co", public_key="browser-key", allowed_origins=[host_page], queue=chat_queue
    )


@pytest.fixture
def artifacts():
    folder = Path(settings.BASE_DIR) / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_for(predicate, what):
    """Poll the database for what another thread (the server) commits.

    The test database is SQLite in memory with a shared cache, where a read of a table the server
    is writing is refused at once ("database table is locked") instead of waiting: read again.
    """
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _as_agent(api, path, body=None):
    """Call the API where no event loop runs (Playwright's is in this thread), as another client would."""
    from django.db import connection

    result = {}

    def run():
        try:
            result["response"] = api.post(path, body)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return result["response"]


def _as_agent_upload(api, path, name, content, message_id):
    """Attach a file to a ticket message through the API, from a thread with no event loop."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    result = {}

    def run():
        try:
            result["response"] = api.client.post(
                f"/api/v1{path}",
                {"file": SimpleUploadedFile(name, content, "text/plain"), "message_id": message_id},
            )
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return result["response"]


def _log_texts(page):
    return page.locator("#frontline-chat li.line:not(.system) .text").all_inner_texts()


def test_a_customer_chats_with_an_agent_through_a_dropped_connection_and_a_reload(
    browser_site, host_page, agent, chromium, artifacts
):
    routing.presence_set(actor=agent, user=agent, state="available")
    api = Api(agent)
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(host_page)

    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Your name").first.fill("Maria Santos")
    page.get_by_label("Your email").first.fill("maria@example.test")
    page.get_by_label("Your question").fill("My aircon blows warm air")
    page.get_by_role("button", name="Start the chat").click()
    page.get_by_text("Waiting for an agent…").wait_for()

    interaction = _wait_for(
        lambda: Interaction.objects.filter(state="offered").first(), "the chat to be offered to Ana"
    )
    assert _as_agent(api, f"/interactions/{interaction.pk}/accept").status_code == 200
    page.get_by_text("Ana joined the chat.").first.wait_for()
    ticket_id = Conversation.objects.get().ticket_id
    assert (
        _as_agent(api, f"/tickets/{ticket_id}/messages", {"body_text": "Hi Maria, Ana here."}).status_code
        == 201
    )
    page.get_by_text("Hi Maria, Ana here.").wait_for()

    attack = "<img src=x onerror=\"document.title='owned'\"> <b>bold?</b>"
    page.locator("#flc-text").fill(attack)
    page.keyboard.press("Enter")
    _wait_for(lambda: ChatEntry.objects.filter(body=attack).exists(), "the customer's line to be stored")
    page.screenshot(path=str(artifacts / "webchat-conversation.png"))

    # The connection drops; while it is down the agent answers twice and the customer writes once.
    page.evaluate("window.FrontlineChat.dropConnection({hold: true})")
    page.get_by_text("Connection lost. Reconnecting…").wait_for()
    for text in ("Is the filter clean?", "Please also check the remote's mode."):
        assert _as_agent(api, f"/tickets/{ticket_id}/messages", {"body_text": text}).status_code == 201
    page.locator("#flc-text").fill("Cleaned it last week.")
    page.keyboard.press("Enter")
    page.screenshot(path=str(artifacts / "webchat-offline-while-typing.png"))
    page.evaluate("window.FrontlineChat.restoreConnection()")
    page.get_by_text("Please also check the remote's mode.").wait_for()
    _wait_for(lambda: ChatEntry.objects.filter(body="Cleaned it last week.").exists(), "the resent line")

    stored = list(ChatEntry.objects.order_by("seq").values_list("body", flat=True))
    expected = [
        "My aircon blows warm air",
        "Hi Maria, Ana here.",
        attack,
        "Is the filter clean?",
        "Please also check the remote's mode.",
        "Cleaned it last week.",
    ]
    assert stored == expected
    page.wait_for_function(
        "n => document.querySelector('#frontline-chat').shadowRoot"
        ".querySelectorAll('li.line:not(.system):not(.pending)').length === n",
        arg=len(expected),
    )
    assert _log_texts(page) == expected  # each line once, in the conversation's order
    assert page.locator("#frontline-chat img").count() == 0  # the HTML stayed text
    assert page.title() == "Aircon Co"
    page.screenshot(path=str(artifacts / "webchat-resumed.png"))

    # A reload: the widget resumes the conversation from its first line, each line once, in order.
    page.reload()
    page.get_by_text("Cleaned it last week.").wait_for()
    page.wait_for_function(
        "n => document.querySelector('#frontline-chat').shadowRoot"
        ".querySelectorAll('li.line:not(.system)').length === n",
        arg=len(expected),
    )
    assert _log_texts(page) == expected

    def _all_on_the_ticket():
        # The mirroring task may have met the shared-cache lock (see `_wait_for`) and been put off to
        # a retry that this in-process queue never runs; do what its retry or the sweep would do.
        services.lines_mirror(conversation_id=Conversation.objects.get(ticket_id=ticket_id).pk)
        return Ticket.objects.get(pk=ticket_id).messages.count() == len(expected)

    _wait_for(_all_on_the_ticket, "every customer line on the ticket")
    assert Ticket.objects.get(pk=ticket_id).messages.count() == len(expected)  # and none twice

    phone = chromium.new_context(locale="en-US", viewport={"width": 375, "height": 667}, is_mobile=True)
    small = phone.new_page()
    small.goto(host_page)
    small.get_by_role("button", name="Chat with us").click()
    small.get_by_label("Your name").first.wait_for()
    box = small.locator("#frontline-chat .panel").bounding_box()
    assert box is not None
    assert box["width"] == 375
    small.screenshot(path=str(artifacts / "webchat-phone.png"))
    phone.close()
    context.close()


def test_outside_chat_hours_the_customer_leaves_a_message(
    browser_site, host_page, chat_closed, chromium, artifacts
):
    context = chromium.new_context(locale="fil-PH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(host_page)
    launcher = page.locator("#frontline-chat .launcher")
    launcher.wait_for()
    assert launcher.inner_text() != "Chat with us"  # the strings came in Tagalog (Accept-Language)
    context.close()

    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(host_page)
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_text("Chat is closed at the moment.").wait_for()
    page.locator("#flc-leave-name").fill("Maria Santos")
    page.locator("#flc-leave-email").fill("maria@example.test")
    page.locator("#flc-leave-text").fill("Please call about my aircon.")
    page.screenshot(path=str(artifacts / "webchat-outside-hours.png"))
    page.get_by_role("button", name="Send the message").click()
    page.get_by_text("Thank you. We received your message and will reply by email.").wait_for()
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject) == ("chat", "Please call about my aircon.")
    assert ticket.requester.contact_points.filter(normalized="maria@example.test").exists()
    assert Conversation.objects.count() == 0
    page.screenshot(path=str(artifacts / "webchat-message-left.png"))
    context.close()


def test_a_customer_and_an_agent_send_each_other_files(
    browser_site, host_page, asgi_server, agent, chromium, artifacts
):
    api = Api(agent)
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(host_page)
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Your name").first.fill("Maria Santos")
    page.get_by_label("Your email").first.fill("maria@example.test")
    page.get_by_label("Your question").fill("My aircon blows warm air")
    page.get_by_role("button", name="Start the chat").click()
    page.get_by_text("Waiting for an agent…").wait_for()

    # The customer attaches a file through the labelled file input (next after the message box when
    # tabbing); its name is markup, shown as text.
    page.locator("#flc-text").focus()
    page.keyboard.press("Tab")
    focused = "document.querySelector('#frontline-chat').shadowRoot.activeElement.id"
    assert page.evaluate(focused) == "flc-file"
    name = "<img src=x onerror=document.title=1>.txt"
    page.get_by_label("Attach a file").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": b"Model AC-1200, bought in March.\n"}]
    )
    entry = _wait_for(
        lambda: ChatEntry.objects.filter(attachment__isnull=False).select_related("attachment").first(),
        "the customer's file to be stored",
    )
    page.locator("#frontline-chat li.line.customer:not(.pending) .file", has_text=name).wait_for()
    assert (entry.seq, entry.attachment.filename, entry.attachment.size) == (2, name, 32)
    assert page.locator("#frontline-chat img").count() == 0
    page.screenshot(path=str(artifacts / "webchat-customer-file.png"))

    # The agent sees it on the ticket in the desk.
    ticket_id = _wait_for(lambda: Conversation.objects.get().ticket_id, "the conversation")
    cookie_name, _, cookie_value = session_cookie(agent).decode().partition("=")
    desk = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    desk.add_cookies([{"name": cookie_name, "value": cookie_value, "url": asgi_server}])
    desk_page = desk.new_page()
    desk_page.goto(f"{asgi_server}/desk/tickets/{ticket_id}/")
    desk_page.locator("ul.attachments li", has_text=name).wait_for()
    assert desk_page.locator("ul.attachments img").count() == 0
    desk_page.screenshot(path=str(artifacts / "webchat-customer-file-in-desk.png"))
    desk.close()

    # The agent answers with a file; the customer gets it as a link and downloads it.
    reply = _as_agent(api, f"/tickets/{ticket_id}/messages", {"body_text": "Here is the manual."})
    assert reply.status_code == 201
    manual = b"Clean the filter every month.\n"
    attached = _as_agent_upload(
        api, f"/tickets/{ticket_id}/attachments", "manual.txt", manual, reply.json()["id"]
    )
    assert attached.status_code == 201, attached.content
    link = page.locator("#frontline-chat li.line.agent a.file", has_text="manual.txt")
    link.wait_for()
    with page.expect_popup() as popup, page.expect_download() as download_info:
        link.click()
    del popup
    download = download_info.value
    assert download.suggested_filename == "manual.txt"
    assert Path(download.path()).read_bytes() == manual
    assert page.title() == "Aircon Co"
    page.screenshot(path=str(artifacts / "webchat-agent-file.png"))
    context.close()
