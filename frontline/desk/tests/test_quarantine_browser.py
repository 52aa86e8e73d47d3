"""An admin turns a quarantined mail into a ticket, in a real browser (Debian's Chromium).

Skips when /usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium".
Screenshots go to test-artifacts/quarantine-*.png.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SENDER = (
    b"From: Maria Santos\r\nTo: support@aurora.test\r\nSubject: Ref ko hindi lumalamig\r\n"
    b"Message-ID: <browser-ns@example.ph>\r\n\r\nHindi na lumalamig ang ref ko mula kahapon.\r\n"
)


def test_an_admin_makes_a_ticket_of_a_quarantined_mail(live_server, chromium):
    # Given a mail without a usable sender, quarantined, and an admin signed in to the desk
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@aurora.test",
        team=TeamFactory(),
        inbound_secret_digest=hashlib.sha256(b"x").hexdigest(),
    )
    inbound, _ = services.inbound_store(mailbox=mailbox, raw=NO_SENDER, source="http")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.QUARANTINED
    staff(Role.ADMIN, username="ada", first_name="Ada")
    artifacts = Path(settings.BASE_DIR) / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/desk/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/desk/")

    # When she opens the quarantine from the desk's menu, gives the sender and makes a ticket anyway
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Quarantined mail").click()
    page.wait_for_url(f"{base}/desk/admin/quarantine/")
    row = page.locator(f"#quarantined-{inbound.pk}")
    assert "no sender: the mail has no usable From address" in row.inner_text()
    row.get_by_label("Sender's address (if the mail has none)").fill("maria@example.ph")
    page.screenshot(path=str(artifacts / "quarantine-1-list.png"), full_page=True)
    row.get_by_role("button", name="Make a ticket anyway").click()

    # Then she lands on the new ticket, which holds the customer's text and the mail as it arrived
    ticket = Ticket.objects.get()
    page.wait_for_url(f"{base}/desk/tickets/{ticket.pk}/")
    main = page.locator("main").inner_text()
    assert "Hindi na lumalamig ang ref ko mula kahapon." in main
    assert f"quarantined-mail-{inbound.pk}.eml" in main
    page.screenshot(path=str(artifacts / "quarantine-2-ticket.png"), full_page=True)
    page.goto(f"{base}/desk/admin/quarantine/")
    assert "No mail is quarantined." in page.locator("main").inner_text()
