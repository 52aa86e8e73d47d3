"""The portal in a real browser (Debian's Chromium through Playwright), on a phone-sized screen.

A customer signs in by magic link (read from Django's in-process locmem outbox) and replies on a
ticket with an attachment; an anonymous visitor sees help suggested while typing, submits the web
form and confirms it from the emailed link; a visitor asks to be called back in a slot. Skips
when /usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium".
Screenshots go to test-artifacts/portal/.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from conftest import require_service
from frontline.connectors.voice.models import CallbackRequest, VoiceLine
from frontline.knowledge import services as help_center
from frontline.knowledge.tests.conftest import write_article
from frontline.portal.tests.conftest import open_ticket
from frontline.routing.models import Queue
from frontline.sla.models import BusinessCalendarConfig, ChannelHours
from frontline.tickets.models import Message, Ticket

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls run between
    # browser steps, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    require_service(
        "chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium"
    )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts():
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "portal"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(live_server, settings):
    """Links in mail point at the live server."""
    settings.FRONTLINE_BASE_URL = live_server.url
    return live_server


def emailed_link(pattern: str) -> str:
    found = re.search(pattern, mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(0)


def test_a_customer_signs_in_by_magic_link_and_replies_with_a_file(served, chromium, artifacts, ana, agent):
    ticket = open_ticket(ana, agent=agent, note="Internal: check the warranty")
    page = chromium.new_context(locale="en-US", viewport=PHONE).new_page()

    page.goto(f"{served.url}/portal/login/")
    page.locator("#id_link-email").fill("ana@example.ph")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_url("**/portal/login/sent/")
    assert "If the address belongs to a customer account" in page.get_by_role("status").inner_text()
    page.screenshot(path=str(artifacts / "1-link-sent.png"), full_page=True)

    page.goto(emailed_link(rf"{re.escape(served.url)}/portal/login/[^\s]+/"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.url}/portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "My requests"
    page.screenshot(path=str(artifacts / "2-my-requests.png"), full_page=True)

    page.get_by_role("link", name=f"#{ticket.pk} Aircon not cooling").click()
    page.wait_for_url(f"**/portal/tickets/{ticket.pk}/")
    thread = page.locator("ol.thread").inner_text()
    assert "Please clean the filter." in thread
    assert "warranty" not in thread
    page.get_by_label("Your reply").fill("Cleaned the filter; still warm. <b>Photo</b> attached.")
    page.get_by_label("Attach files (optional)").set_input_files(
        {"name": "unit.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}
    )
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url("**sent=1*")
    assert page.get_by_role("status").inner_text() == "Your reply has been sent."
    last = page.locator("ol.thread > li").last
    assert "Cleaned the filter; still warm. <b>Photo</b> attached." in last.inner_text()
    assert last.get_by_role("link", name="unit.png").is_visible()
    page.screenshot(path=str(artifacts / "3-replied.png"), full_page=True)

    reply = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert (reply.direction, reply.author_customer_id) == ("inbound", ana.pk)
    assert [a.filename for a in reply.attachments.all()] == ["unit.png"]
    assert (artifacts / "3-replied.png").stat().st_size > 0


def test_an_anonymous_visitor_sees_suggestions_then_submits_and_confirms_the_form(
    served, chromium, artifacts
):
    category = help_center.category_create(actor=None, name="Aircon", slug="aircon")
    section = help_center.section_create(actor=None, category=category, name="Cooling")
    write_article(
        section, title="Aircon not cooling? Clean the filter", body="<p>A dusty filter blows warm air.</p>"
    )
    page = chromium.new_context(locale="en-US", viewport=PHONE).new_page()

    page.goto(f"{served.url}/portal/new/")
    page.get_by_label("Your name").fill("Lito Garcia")
    page.get_by_label("Email address").fill("lito@example.ph")
    page.get_by_label("Subject").press_sequentially("aircon filter", delay=20)
    suggestion = page.locator("#suggestions").get_by_role("link", name="Aircon not cooling? Clean the filter")
    suggestion.wait_for()
    assert page.locator("#suggestions").get_by_role("button", name="This solved my problem").is_visible()
    page.screenshot(path=str(artifacts / "4-suggestions.png"), full_page=True)

    page.get_by_label("Describe your problem").fill("Cleaned the filter already; still warm.")
    page.get_by_label("What is it about?").select_option("problem")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/portal/new/sent/")
    assert Ticket.objects.count() == 0
    page.screenshot(path=str(artifacts / "5-check-email.png"), full_page=True)

    page.goto(emailed_link(rf"{re.escape(served.url)}/portal/new/confirm/[^\s]+/"))
    page.get_by_role("button", name="Confirm and send my request").click()
    page.wait_for_url("**/portal/new/done/")
    ticket = Ticket.objects.get()
    assert f"Your request number is #{ticket.pk}." in page.get_by_role("status").inner_text()
    page.screenshot(path=str(artifacts / "6-request-received.png"), full_page=True)
    assert (ticket.subject, ticket.channel, ticket.requester.first_name) == (
        "aircon filter",
        "web_form",
        "Lito",
    )
    assert mail.outbox[-1].subject == f"We received your request #{ticket.pk}"


def test_a_visitor_asks_to_be_called_back_in_a_slot_inside_phone_hours(live_server, chromium, artifacts):
    """The "call me back" button's page: a slot tomorrow inside phone hours becomes a callback request."""
    manila = ZoneInfo("Asia/Manila")
    voice = Queue.objects.create(name="Phone", channel="voice", offer_timeout_seconds=20, wrap_up_seconds=30)
    callbacks = Queue.objects.create(name="Callbacks", channel="callback", offer_timeout_seconds=20)
    VoiceLine.objects.create(
        name="Hotline", provider="cti", phone_number="+6328123456", queue=voice, callback_queue=callbacks
    )
    every_day = BusinessCalendarConfig.objects.create(
        name="Manila", timezone="Asia/Manila", weekly_hours={str(d): [["08:00", "20:00"]] for d in range(7)}
    )
    ChannelHours.objects.create(channel="voice", calendar=every_day, outside_hours="callback")
    tomorrow = (timezone.now().astimezone(manila) + timedelta(days=1)).date()
    page = chromium.new_context(locale="en-US", viewport=PHONE).new_page()

    page.goto(f"{live_server.url}/portal/callback/")
    assert page.get_by_role("heading", level=1).inner_text() == "Call me back"
    assert "Times are in the Asia/Manila time zone." in page.locator("#hours").inner_text()
    page.get_by_label("Your name (optional)").fill("Lito <script>x</script>")
    page.get_by_label("Phone number").fill("0917 123 4567")
    page.get_by_label("Call me from (optional)").fill(f"{tomorrow.isoformat()}T14:00")
    page.get_by_label("Call me until (optional)").fill(f"{tomorrow.isoformat()}T15:00")
    page.screenshot(path=str(artifacts / "callback-1-form.png"), full_page=True)
    page.get_by_role("button", name="Request a call").click()
    page.wait_for_url("**/portal/callback/done/")
    page.screenshot(path=str(artifacts / "callback-2-done.png"), full_page=True)

    assert "14:00 (Asia/Manila)" in page.locator("main").inner_text()
    callback = CallbackRequest.objects.get()
    assert (callback.phone, callback.source, callback.queue_id) == ("+639171234567", "website", callbacks.pk)
    assert callback.name == "Lito <script>x</script>"  # stored as text, shown escaped
    assert callback.preferred_start == datetime.combine(tomorrow, time(14), tzinfo=manila)
    assert callback.preferred_end == datetime.combine(tomorrow, time(15), tzinfo=manila)
