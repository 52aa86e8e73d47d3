"""The web form: anonymous visitors confirm their email first; signed-in customers open a ticket at
once; help articles are suggested while typing, and "This solved my problem" creates no ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from frontline.connectors.email.models import OutboundEmail
from frontline.customers.models import ContactPoint, Customer
from frontline.knowledge import services as help_center
from frontline.knowledge.models import Deflection
from frontline.knowledge.tests.conftest import write_article
from frontline.portal.models import PendingSubmission
from frontline.portal.services import LIMITS
from frontline.portal.tests.conftest import link_in_outbox, sent
from frontline.sla import services as sla
from frontline.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

CONFIRM = r"/portal/new/confirm/[^/\s]+/"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
MANILA = ZoneInfo("Asia/Manila")
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=MANILA)


def form(**changes):
    data = {
        "name": "Lito Garcia",
        "email": "lito@example.ph",
        "subject": "Aircon not cooling",
        "description": "It blows warm air since Monday.",
        "product": "Aurora split-type 1.5HP",
        "category": "problem",
        "website": "",
        "action": "send",
    }
    data.update(changes)
    return data


@pytest.fixture
def office():
    calendar = sla.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours={str(day): [["09:00", "18:00"]] for day in range(5)},
        holiday_country="PH",
    )
    sla.sla_policy_create(actor=None, name="Standard", first_response_minutes=120, calendar=calendar)
    return calendar


@pytest.fixture
def article():
    category = help_center.category_create(actor=None, name="Aircon", slug="aircon")
    section = help_center.section_create(actor=None, category=category, name="Cooling")
    write_article(section, title="Washing machine does not drain", body="<p>Check the hose.</p>")
    return write_article(
        section, title="Aircon not cooling? Clean the filter", body="<p>A dusty filter blows warm air.</p>"
    )


def test_an_anonymous_submission_waits_for_email_confirmation_then_becomes_a_ticket(client, office):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        posted = client.post(
            "/portal/new/",
            {**form(), "attachments": [SimpleUploadedFile("receipt.pdf", PDF, "application/pdf")]},
        )
        assert posted["Location"] == "/portal/new/sent/"
        assert Ticket.objects.count() == 0
        pending = PendingSubmission.objects.get()
        assert (pending.email, pending.subject, pending.category) == (
            "lito@example.ph",
            "Aircon not cooling",
            "problem",
        )
        assert sent()[0].to == ["lito@example.ph"]
        path = link_in_outbox(CONFIRM)

        shown = client.get(path)
        assert shown.status_code == 200
        assert "Aircon not cooling" in shown.content.decode()
        assert Ticket.objects.count() == 0  # a GET (a mail scanner) creates nothing

        done = client.post(path)
        assert done["Location"] == "/portal/new/done/"
        ticket = Ticket.objects.get()
        assert (ticket.subject, ticket.channel, ticket.category, ticket.product) == (
            "Aircon not cooling",
            "web_form",
            "problem",
            "Aurora split-type 1.5HP",
        )
        customer = ticket.requester
        assert (customer.first_name, customer.last_name) == ("Lito", "Garcia")
        assert customer.contact_points.get().normalized == "lito@example.ph"
        assert ticket.messages.get().body_text == "It blows warm air since Monday."
        assert Attachment.objects.get(ticket=ticket).filename == "receipt.pdf"

        page = client.get("/portal/new/done/").content.decode()
        acknowledgement = sent()[-1]  # the worker's pass over the outbox, at the same moment
    assert f"Your request number is #{ticket.pk}." in page
    assert "We expect to reply by Tuesday 24 November 2026, 12:00 (Asia/Manila)." in page
    assert acknowledgement.subject == f"We received your request #{ticket.pk}"
    # Written by Frontline itself: marked so other robots do not answer it, and sent from the outbox.
    assert acknowledgement.extra_headers["Auto-Submitted"] == "auto-replied"
    assert acknowledgement.extra_headers["X-Auto-Response-Suppress"] == "All"
    assert OutboundEmail.objects.get(ticket=ticket).status == "sent"
    assert "We will reply by Tuesday 24 November, 12:00 (Asia/Manila)." in acknowledgement.body
    assert f"/portal/tickets/{ticket.pk}/" in acknowledgement.body


def test_a_confirmation_link_works_once_and_expires(client):
    client.post("/portal/new/", form())
    path = link_in_outbox(CONFIRM)
    assert client.post(path).status_code == 302
    again = client.post(path)
    assert again.status_code == 410
    assert "confirmed already" in again.content.decode()
    assert Ticket.objects.count() == 1

    client.post("/portal/new/", form(subject="Second one"))
    late_path = link_in_outbox(CONFIRM)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert client.post(late_path).status_code == 410
    assert Ticket.objects.count() == 1


def test_the_honeypot_is_answered_as_usual_and_stores_nothing(client):
    response = client.post("/portal/new/", form(website="http://spam.example"))
    assert response["Location"] == "/portal/new/sent/"
    assert PendingSubmission.objects.count() == 0
    assert sent() == []


def test_anonymous_submissions_are_rate_limited_per_address(client):
    allowed, _window = LIMITS["form-address"]
    for n in range(allowed):
        assert client.post("/portal/new/", form(subject=f"Try {n}")).status_code == 302
    assert client.post("/portal/new/", form()).status_code == 429
    assert PendingSubmission.objects.count() == allowed


def test_missing_fields_are_named_and_what_was_typed_is_kept(client):
    response = client.post("/portal/new/", form(subject="", email="not-an-email"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Subject: This field is required." in page
    assert "Email address: Enter a valid email address." in page
    assert "It blows warm air since Monday." in page
    assert PendingSubmission.objects.count() == 0


def test_a_signed_in_customer_opens_a_ticket_at_once_and_is_acknowledged(ana_client, ana):
    response = ana_client.post("/portal/new/", form(name="", email=""))
    assert response["Location"] == "/portal/new/done/"
    ticket = Ticket.objects.get()
    assert ticket.requester == ana
    assert PendingSubmission.objects.count() == 0
    assert sent()[-1].to == ["ana@example.ph"]
    assert "We will reply as soon as we can." in sent()[-1].body  # no SLA policy configured
    page = ana_client.get("/portal/new/done/").content.decode()
    assert f'href="/portal/tickets/{ticket.pk}/"' in page


def test_suggestions_come_as_a_fragment_while_typing(client, article):
    fragment = client.get("/portal/suggest", {"q": "aircon filter"}).content.decode()
    assert "<html" not in fragment
    assert "Aircon not cooling? Clean the filter" in fragment
    assert "Washing machine" not in fragment
    assert "This solved my problem" in fragment
    assert client.get("/portal/suggest", {"q": "a"}).content.decode().strip() == ""


def test_search_help_first_works_without_javascript_and_keeps_the_form(client, article):
    response = client.post("/portal/new/", form(action="search", subject="aircon filter"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Aircon not cooling? Clean the filter" in page
    assert 'value="lito@example.ph"' in page
    assert PendingSubmission.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_this_solved_my_problem_records_a_deflection_and_creates_no_ticket(client, article):
    response = client.post("/portal/deflect", {**form(subject="aircon filter"), "article": article.pk})
    assert response["Location"] == "/portal/new/solved/"
    deflection = Deflection.objects.get()
    assert (deflection.article_id, deflection.channel, deflection.query) == (
        article.pk,
        "web_form",
        "aircon filter",
    )
    assert Ticket.objects.count() == 0
    assert PendingSubmission.objects.count() == 0
    assert sent() == []
    assert client.post("/portal/deflect", {"article": "-1"}).status_code == 404


def test_html_and_script_in_form_fields_render_inert(client):
    evil = "<script>alert('x')</script>"
    response = client.post("/portal/new/", form(subject=evil, name=evil, description=""))
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page

    client.post("/portal/new/", form(subject=evil))
    confirm = client.get(link_in_outbox(CONFIRM)).content.decode()
    assert "<script>alert" not in confirm
    assert "&lt;script&gt;" in confirm


def test_an_address_of_an_existing_customer_files_the_ticket_under_that_customer(client, ana):
    client.post("/portal/new/", form(email="Ana@Example.ph", name="Someone Else"))
    client.post(link_in_outbox(CONFIRM))
    assert Ticket.objects.get().requester == ana
    assert Customer.objects.count() == 1
    assert ContactPoint.objects.filter(customer=ana).count() == 1


def test_unconfirmed_submissions_and_their_files_are_purged_after_they_expire(client):
    from django.core.files.storage import default_storage

    from frontline.portal.services import portal_links_purge

    receipt = SimpleUploadedFile("r.pdf", PDF, "application/pdf")
    client.post("/portal/new/", {**form(), "attachments": [receipt]})
    held = PendingSubmission.objects.get().attachments[0]["path"]
    assert default_storage.exists(held)
    assert portal_links_purge() == 0

    assert portal_links_purge(now=timezone.now() + timedelta(hours=24, minutes=1)) == 1
    assert PendingSubmission.objects.count() == 0
    assert not default_storage.exists(held)
