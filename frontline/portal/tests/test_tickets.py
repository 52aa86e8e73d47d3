"""My requests and the ticket page: only the customer's own (or shared organization's) tickets, the
public thread without internal notes, replies with attachments; another customer's ticket is a 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from frontline.customers.factories import CustomerFactory, OrganizationFactory, portal_user
from frontline.events.models import Event
from frontline.portal.tests.conftest import open_ticket
from frontline.tickets import services as tickets
from frontline.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_my_requests_lists_own_tickets_newest_first_with_status(ana_client, ana, ben):
    older = open_ticket(ana, subject="Washing machine leaks")
    newer = open_ticket(ana, subject="Aircon not cooling")
    tickets.ticket_update(actor=None, ticket=older, status=Ticket.Status.SOLVED)
    open_ticket(ben, subject="Ben's fridge")

    page = ana_client.get("/portal/").content.decode()

    assert page.index("Aircon not cooling") < page.index("Washing machine leaks")
    assert "Ben&#x27;s fridge" not in page
    assert "Ben's fridge" not in page
    assert f'href="/portal/tickets/{newer.pk}/"' in page
    assert "Solved" in page
    assert "Received" in page


def test_organization_tickets_show_only_where_it_shares_them(client):
    org = OrganizationFactory(shares_tickets=False)
    ana = CustomerFactory(organization=org)
    colleague = CustomerFactory(first_name="Carlo", organization=org)
    portal_user(ana)
    theirs = open_ticket(colleague, subject="Office printer jams")
    client.force_login(ana.user)
    assert "Office printer jams" not in client.get("/portal/").content.decode()
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404

    org.shares_tickets = True
    org.save()
    page = client.get("/portal/").content.decode()
    assert "Office printer jams" in page
    assert "by Carlo" in page
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 200


def test_the_ticket_page_shows_the_public_thread_but_never_internal_notes(ana_client, ana, agent):
    ticket = open_ticket(ana, agent=agent, note="Customer sounds upset; offer a coupon")
    page = ana_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "It blows warm air." in page
    assert "Please clean the filter." in page
    assert "offer a coupon" not in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_another_customers_ticket_is_404_through_every_portal_url(ana_client, ben, agent):
    theirs = open_ticket(ben, agent=agent)
    message = theirs.messages.order_by("id").first()
    attachment = tickets.attachment_add(
        actor=None,
        ticket=theirs,
        file=SimpleUploadedFile("a.png", PNG),
        filename="a.png",
        content_type="image/png",
        message=message,
    )
    before = (Message.objects.count(), Attachment.objects.count(), Event.objects.count())

    assert ana_client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404
    assert ana_client.post(f"/portal/tickets/{theirs.pk}/", {"body": "hijack"}).status_code == 404
    assert ana_client.get(f"/portal/attachments/{attachment.pk}/").status_code == 404
    assert ana_client.get("/portal/tickets/999999/").status_code == 404
    assert (Message.objects.count(), Attachment.objects.count(), Event.objects.count()) == before


def test_signed_out_visitors_are_sent_to_sign_in(client, ana):
    ticket = open_ticket(ana)
    response = client.get(f"/portal/tickets/{ticket.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/login/?next=/portal/tickets/{ticket.pk}/"


def test_a_reply_with_attachments_is_added_inbound_and_wakes_the_ticket(ana_client, ana, agent):
    ticket = open_ticket(ana, agent=agent)
    tickets.ticket_update(actor=agent, ticket=ticket, status=Ticket.Status.PENDING)
    response = ana_client.post(
        f"/portal/tickets/{ticket.pk}/",
        {
            "body": "Cleaned it, still warm.",
            "attachments": [SimpleUploadedFile("unit.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.pk}/?sent=1#reply"
    reply = Message.objects.filter(ticket=ticket).order_by("-id").first()
    assert (reply.direction, reply.author_customer_id, reply.body_text) == (
        "inbound",
        ana.pk,
        "Cleaned it, still warm.",
    )
    attachment = reply.attachments.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "unit.png",
        "image/png",
        len(PNG),
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN

    page = ana_client.get(f"/portal/tickets/{ticket.pk}/?sent=1").content.decode()
    assert "Your reply has been sent." in page
    assert "unit.png" in page
    download = ana_client.get(f"/portal/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="unit.png"'
    assert b"".join(download.streaming_content) == PNG


def test_an_empty_reply_is_refused_naming_the_field(ana_client, ana):
    ticket = open_ticket(ana)
    response = ana_client.post(f"/portal/tickets/{ticket.pk}/", {"body": ""})
    assert response.status_code == 400
    assert "Your reply: This field is required." in response.content.decode()
    assert ticket.messages.count() == 1


def test_a_file_whose_bytes_do_not_match_its_type_is_refused_and_nothing_is_added(ana_client, ana):
    ticket = open_ticket(ana)
    response = ana_client.post(
        f"/portal/tickets/{ticket.pk}/",
        {"body": "see file", "attachments": [SimpleUploadedFile("x.png", b"MZ\x90\x00binary", "image/png")]},
    )
    assert response.status_code == 400
    assert "Attachments: x.png:" in response.content.decode()
    assert ticket.messages.count() == 1
    assert Attachment.objects.count() == 0


def test_a_closed_ticket_takes_no_reply(ana_client, ana):
    ticket = open_ticket(ana)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    page = ana_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "This request is closed" in page
    assert "Send reply" not in page
    response = ana_client.post(f"/portal/tickets/{ticket.pk}/", {"body": "hello?"})
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_html_and_script_in_a_subject_and_reply_render_inert(ana_client, ana):
    ticket = open_ticket(ana, subject="<script>alert('s')</script>", body="<img src=x onerror=alert(1)>")
    ana_client.post(f"/portal/tickets/{ticket.pk}/", {"body": "<script>alert('r')</script>"})
    for page in (
        ana_client.get("/portal/").content.decode(),
        ana_client.get(f"/portal/tickets/{ticket.pk}/").content.decode(),
    ):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert (
        "&lt;script&gt;alert(&#x27;r&#x27;)&lt;/script&gt;"
        in ana_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    )


def test_the_list_costs_a_fixed_number_of_queries(ana_client, ana, django_assert_max_num_queries):
    for n in range(15):
        open_ticket(ana, subject=f"Request {n}")
    with django_assert_max_num_queries(12):
        assert ana_client.get("/portal/").status_code == 200


def test_a_refused_file_is_explained_in_the_customers_language(ana_client, ana):
    ana.language = "fil"
    ana.save()
    ticket = open_ticket(ana)
    response = ana_client.post(
        f"/portal/tickets/{ticket.pk}/",
        {"body": "tingnan", "attachments": [SimpleUploadedFile("setup.png", b"MZ\x90\x00" + b"\x00" * 60)]},
    )
    assert response.status_code == 400
    assert "hindi tinatanggap ang mga executable na file" in response.content.decode()
    assert ticket.messages.count() == 1
