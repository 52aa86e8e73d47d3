"""The email quarantine on the desk: admins see it, retry a mail or make a ticket of it anyway;
agents and supervisors are refused and change nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.events.models import Event
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db

NO_SENDER = (
    b"From: Maria Santos\r\nTo: support@aurora.test\r\nSubject: Ref ko hindi lumalamig\r\n"
    b"Message-ID: <ns@example.ph>\r\n\r\nHindi na lumalamig ang ref ko.\r\n"
)


@pytest.fixture
def quarantined(db):
    mailbox = Mailbox.objects.create(
        name="Support",
        address="support@aurora.test",
        team=TeamFactory(),
        inbound_secret_digest=hashlib.sha256(b"x").hexdigest(),
    )
    inbound, _ = services.inbound_store(mailbox=mailbox, raw=NO_SENDER, source="http")
    services.inbound_process(inbound_id=inbound.pk)
    inbound.refresh_from_db()
    assert inbound.status == "quarantined"
    return inbound


@pytest.fixture
def admin_client(client):
    client.force_login(staff(Role.ADMIN, username="ada"))
    return client


def test_an_admin_sees_the_quarantine(admin_client, quarantined):
    page = admin_client.get("/desk/admin/quarantine/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="quarantined-{quarantined.pk}"' in html
    assert "Ref ko hindi lumalamig" in html
    assert "no sender: the mail has no usable From address" in html
    assert "Make a ticket anyway" in html
    assert "<script" not in html.split("<main", 1)[1]  # plain HTML: no inline scripts in the page


def test_an_admin_makes_a_ticket_anyway_and_lands_on_it(admin_client, quarantined):
    response = admin_client.post(
        f"/desk/admin/quarantine/{quarantined.pk}/ticket/", {"sender": "maria@example.ph"}
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{ticket.pk}/"
    assert ticket.requester.contact_points.get().normalized == "maria@example.ph"
    quarantined.refresh_from_db()
    assert (quarantined.status, quarantined.ticket_id) == ("processed", ticket.pk)


def test_a_ticket_anyway_without_a_sender_says_what_is_missing(admin_client, quarantined):
    response = admin_client.post(f"/desk/admin/quarantine/{quarantined.pk}/ticket/", {"sender": ""})

    assert response.status_code == 302
    assert response["Location"] == "/desk/admin/quarantine/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Mail #{quarantined.pk}: this mail has no usable sender: give the sender's address"
    ]
    assert not Ticket.objects.exists()


def test_an_admin_retries_a_mail_that_is_still_broken(admin_client, quarantined):
    response = admin_client.post(f"/desk/admin/quarantine/{quarantined.pk}/retry/")

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Mail #{quarantined.pk} is still quarantined: no sender: the mail has no usable From address"
    ]
    assert Event.objects.filter(verb="email.requeued", actor_id__isnull=False).count() == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_are_refused_and_change_nothing(client, quarantined, role):
    client.force_login(staff(role))

    assert client.get("/desk/admin/quarantine/").status_code == 403
    assert client.post(f"/desk/admin/quarantine/{quarantined.pk}/retry/").status_code == 403
    refused = client.post(f"/desk/admin/quarantine/{quarantined.pk}/ticket/", {"sender": "m@example.ph"})

    assert refused.status_code == 403
    quarantined.refresh_from_db()
    assert quarantined.status == "quarantined"
    assert not Ticket.objects.exists()
    assert not Event.objects.filter(verb__in=["email.requeued", "email.ticket_made_anyway"]).exists()


def test_a_mail_that_is_not_quarantined_is_not_found(admin_client, quarantined):
    InboundEmail.objects.filter(pk=quarantined.pk).update(status="processed")

    assert admin_client.post(f"/desk/admin/quarantine/{quarantined.pk}/retry/").status_code == 404
    assert admin_client.post(f"/desk/admin/quarantine/{quarantined.pk}/ticket/").status_code == 404
    assert admin_client.post("/desk/admin/quarantine/-1/ticket/").status_code == 404


def test_signed_out_visitors_go_to_the_sign_in_page(client, quarantined):
    response = client.get("/desk/admin/quarantine/")

    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")
