"""A remedy above the agent's limit, approved by a supervisor, in a real browser (Debian's Chromium).

The app runs on pytest-django's live server; htmx loads the ticket's remedies panel. Skips when
/usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium". Screenshots go to
test-artifacts/remedies-*.png.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from frontline.accounts.models import Role
from frontline.notifications.models import Notification
from frontline.remedies.models import (
    ApprovalLimit,
    Complaint,
    ComplaintReason,
    RemedyEntry,
    RemedyKind,
    RemedyOption,
    RemedyRequest,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def artifacts():
    folder = Path(settings.BASE_DIR) / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sign_in(page, base, username):
    page.goto(f"{base}/desk/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/desk/")


def test_an_agent_asks_for_a_remedy_above_the_limit_and_a_supervisor_approves_it(
    agent, supervisor, team, make_ticket, live_server, chromium, artifacts
):
    # An earlier live-server test may have flushed the reasons the migration seeds
    ComplaintReason.objects.get_or_create(code="product_defect", defaults={"name": "Product defect"})
    ApprovalLimit.objects.create(role=Role.AGENT, currency="PHP", max_amount=Decimal("25"))
    ApprovalLimit.objects.create(role=Role.SUPERVISOR, currency="PHP", max_amount=Decimal("200"))
    RemedyOption.objects.create(
        code="credit", name="Account credit", kind=RemedyKind.ACCOUNT_CREDIT, currency="PHP", max_value=1000
    )
    ticket = make_ticket("Range hood arrived dented", team=team, product="Range hood")
    base = live_server.url

    # Given an agent on the ticket page, with the remedies panel loaded by htmx
    agent_page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 1400}).new_page()
    _sign_in(agent_page, base, "ana")
    agent_page.goto(f"{base}/desk/tickets/{ticket.pk}/")
    agent_page.get_by_text("Complaint and remedies", exact=True).first.click()  # folded until used
    panel = agent_page.locator("#remedies-panel")
    panel.wait_for()

    # When she marks it a complaint
    panel.get_by_label("Reason", exact=True).select_option("product_defect")
    panel.get_by_label("Severity").select_option("high")
    panel.get_by_role("button", name="Mark as complaint").click()
    agent_page.locator("#remedy-notice", has_text="Marked as a complaint.").wait_for()
    complaint = Complaint.objects.get(ticket=ticket)
    assert (complaint.reason.code, complaint.severity) == ("product_defect", "high")

    # And issues 100 PHP of credit, above her limit of 25
    panel = agent_page.locator("#remedies-panel")
    panel.get_by_label("Remedy", exact=True).select_option("credit")
    panel.get_by_label("Value").fill("100")
    panel.get_by_label("Note").fill("Third dented delivery")
    panel.get_by_role("button", name="Issue remedy").click()

    # Then it is sent for approval to the supervisor, and nothing is in the ledger yet
    notice = agent_page.locator("#remedy-notice", has_text="sent for approval")
    notice.wait_for()
    assert "Account credit, 100.00 PHP sent for approval to Sam Cruz" in notice.inner_text()
    agent_page.screenshot(path=str(artifacts / "remedies-1-request.png"), full_page=True)
    request = RemedyRequest.objects.get()
    assert (request.status, request.requested_by, request.amount) == ("pending", agent, Decimal("100.00"))
    assert not RemedyEntry.objects.exists()

    # When the supervisor opens the approvals from the console and approves with a reason
    boss_page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(boss_page, base, "sam")
    boss_page.get_by_role("button", name="More").click()
    boss_page.get_by_role("link", name="Remedy approvals").click()
    boss_page.wait_for_url(f"{base}/desk/supervisor/approvals/")
    row = boss_page.locator(f"#request-{request.pk}")
    assert "Ana Reyes" in row.inner_text()
    assert "100.00 PHP" in row.inner_text()
    row.get_by_label("Reason (required to reject)").fill("Loyal customer, third dent")
    boss_page.screenshot(path=str(artifacts / "remedies-2-approvals.png"), full_page=True)
    row.get_by_role("button", name="Approve").click()
    boss_page.locator(".message.success", has_text="approved").wait_for()
    assert "Nothing is waiting for approval." in boss_page.locator("main").inner_text()

    # Then the ledger entry appears on the ticket page, and the agent was told
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", supervisor)
    entry = RemedyEntry.objects.get()
    assert (entry.amount, entry.approved_by, entry.complaint) == (Decimal("100.00"), supervisor, complaint)
    assert Notification.objects.filter(user=agent, title__startswith="Remedy approved").exists()
    agent_page.goto(f"{base}/desk/tickets/{ticket.pk}/")
    agent_page.get_by_text("Complaint and remedies", exact=True).first.click()
    ledger_row = agent_page.locator(".remedy-entry")
    ledger_row.wait_for()
    assert "100.00 PHP" in ledger_row.inner_text()
    assert "approved by Sam Cruz" in ledger_row.inner_text()
    agent_page.screenshot(path=str(artifacts / "remedies-3-ledger.png"), full_page=True)
