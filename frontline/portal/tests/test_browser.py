"""The portal in a real browser (Debian's Chromium through Playwright), on a phone-sized screen.

A customer signs in by magic link (read from Django's in-process locmem outbox) and replies on a
ticket with an attachment; an anonymous visitor sees help suggested while typing, submits the web
form and confirms it from the emailed link. Skips when /usr/bin/chromium is missing, unless
FRONTLINE_REQUIRE_SERVICES lists "chromium". Screenshots go to test-artifacts/portal/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from conftest import require_service
from frontline.knowledge import services as help_center
from frontline.knowledge.tests.conftest import write_article
from frontline.portal.tests.conftest import open_ticket
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
