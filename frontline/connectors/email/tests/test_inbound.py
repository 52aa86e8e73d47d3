"""From stored bytes to the right ticket: threading, identity, duplicates, loops, bounces."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.utils import timezone

from frontline.accounts.factories import staff
from frontline.connectors.email import services, tokens
from frontline.connectors.email.models import EmailParticipant, InboundEmail, Mailbox, OutboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.customers.models import Customer
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import ticket_update

pytestmark = pytest.mark.django_db(transaction=True)


def receive(mailbox, raw, source="http"):
    inbound, created = services.inbound_store(mailbox=mailbox, raw=raw, source=source)
    inbound.refresh_from_db()
    return inbound, created


def test_a_new_mail_opens_a_ticket_for_its_sender(mailbox):
    inbound, created = receive(mailbox, mail(headers={"Reply-To": "someone.else@example.net"}))
    assert created
    assert inbound.status == "processed"
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel, ticket.team_id) == (
        "Ref ko hindi lumalamig",
        "email",
        mailbox.team_id,
    )
    # Identity comes from From, never Reply-To.
    assert ticket.requester.contact_points.get().normalized == "maria@example.ph"
    assert ticket.requester.first_name == "Maria"
    assert Message.objects.get().body_text.startswith("Hindi na lumalamig")


def test_the_same_message_fetched_again_creates_nothing(mailbox):
    raw = mail(message_id="<once@example.ph>")
    receive(mailbox, raw, "imap")
    _, created = receive(mailbox, raw, "imap")
    assert not created
    assert (InboundEmail.objects.count(), Ticket.objects.count(), Message.objects.count()) == (1, 1, 1)


def test_a_message_delivered_to_two_of_our_addresses_makes_one_ticket(mailbox):
    sales = Mailbox.objects.create(name="Sales", address="sales@aurora.test")
    raw = mail(to="support@aurora.test, sales@aurora.test", message_id="<both@example.ph>")
    receive(mailbox, raw)
    second, created = receive(sales, raw)
    assert created
    assert (second.status, second.note) == ("ignored", "already received (another delivery of this message)")
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)


def test_a_message_delivered_again_after_its_ticket_was_deleted_creates_nothing(mailbox):
    raw = mail(message_id="<deleted@example.ph>")
    receive(mailbox, raw)
    Ticket.objects.all().delete()
    _, created = receive(mailbox, raw)
    assert not created
    assert Ticket.objects.count() == 0


def test_mail_without_message_id_is_keyed_by_its_bytes(mailbox):
    message = EmailMessage()
    message["From"] = "ana@example.ph"
    message["To"] = "support@aurora.test"
    message["Subject"] = "No id"
    message.set_content("hello")
    raw = message.as_bytes()
    first, _ = receive(mailbox, raw)
    _, created = receive(mailbox, raw)
    assert first.message_key.startswith("sha256:")
    assert not created


def test_replies_thread_by_references_then_by_subject_token(mailbox):
    first, _ = receive(mailbox, mail(message_id="<first@example.ph>"))
    ticket = first.ticket
    reply, _ = receive(
        mailbox,
        mail(
            subject="Re: something else",
            message_id="<r1@example.ph>",
            headers={"In-Reply-To": "<first@example.ph>"},
        ),
    )
    by_token, _ = receive(
        mailbox, mail(subject=f"Update {tokens.subject_token(ticket.pk)}", message_id="<r2@example.ph>")
    )
    assert reply.ticket_id == by_token.ticket_id == ticket.pk
    assert ticket.messages.count() == 3


def test_a_stranger_on_a_real_thread_gets_a_new_linked_ticket(mailbox):
    first, _ = receive(mailbox, mail(message_id="<thread@example.ph>"))
    spoof, _ = receive(
        mailbox,
        mail(
            sender="Mallory <mallory@evil.example>",
            subject=f"Re: [#{first.ticket_id}]",
            headers={"In-Reply-To": "<thread@example.ph>", "Reply-To": "maria@example.ph"},
        ),
    )
    assert spoof.ticket_id != first.ticket_id
    assert spoof.ticket.linked_to_id == first.ticket_id
    assert first.ticket.messages.count() == 1


def test_ccs_may_write_on_the_thread_and_staff_ccs_follow(mailbox):
    agent = staff(email="agent1@aurora.test")
    first, _ = receive(
        mailbox,
        mail(
            message_id="<cc@example.ph>",
            headers={"Cc": "Juan <juan@example.ph>, agent1@aurora.test, support@aurora.test"},
        ),
    )
    ticket = first.ticket
    assert set(EmailParticipant.objects.filter(ticket=ticket).values_list("address", flat=True)) == {
        "juan@example.ph",
        "agent1@aurora.test",
    }
    assert list(ticket.followers.all()) == [agent]
    reply, _ = receive(mailbox, mail(sender="juan@example.ph", headers={"In-Reply-To": "<cc@example.ph>"}))
    assert reply.ticket_id == ticket.pk


def test_a_reply_to_a_closed_ticket_reopens_it_within_the_grace_period(mailbox):
    first, _ = receive(mailbox, mail(message_id="<grace@example.ph>"))
    ticket = ticket_update(actor=None, ticket=first.ticket, status="solved")
    ticket = ticket_update(actor=None, ticket=ticket, status="closed")
    reply, _ = receive(mailbox, mail(headers={"In-Reply-To": "<grace@example.ph>"}))
    ticket.refresh_from_db()
    assert (reply.ticket_id, ticket.status) == (ticket.pk, "open")


def test_a_late_reply_to_a_closed_ticket_opens_a_new_linked_one(mailbox):
    first, _ = receive(mailbox, mail(message_id="<late@example.ph>"))
    ticket = ticket_update(actor=None, ticket=first.ticket, status="solved")
    ticket_update(actor=None, ticket=ticket, status="closed", at=timezone.now() - timedelta(days=30))
    reply, _ = receive(mailbox, mail(headers={"In-Reply-To": "<late@example.ph>"}))
    assert reply.ticket_id != ticket.pk
    assert reply.ticket.linked_to_id == ticket.pk
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_an_out_of_office_reply_is_stored_but_does_not_reopen(mailbox):
    first, _ = receive(mailbox, mail(message_id="<ooo@example.ph>"))
    ticket = ticket_update(actor=None, ticket=first.ticket, status="solved")
    auto, _ = receive(
        mailbox,
        mail(
            subject="Automatic reply: away",
            headers={"In-Reply-To": "<ooo@example.ph>", "Auto-Submitted": "auto-replied"},
        ),
    )
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert auto.status == "processed"
    assert auto.note.startswith("automatic mail")
    assert ticket.messages.count() == 2


def test_mail_from_our_own_addresses_is_ignored(mailbox):
    inbound, _ = receive(mailbox, mail(sender="Aurora Support <support@aurora.test>"))
    assert (inbound.status, Ticket.objects.count()) == ("ignored", 0)


def test_an_agent_answers_by_email_only_with_a_signed_token(mailbox, settings):
    agent = staff(email="agent1@aurora.test")
    first, _ = receive(mailbox, mail(message_id="<agent@example.ph>"))
    ticket = first.ticket
    reply_to = tokens.agent_reply_address(mailbox.address, ticket.pk, agent.pk, settings.SECRET_KEY.encode())
    answer, _ = receive(mailbox, mail(sender="agent1@aurora.test", to=reply_to, body="We will replace it."))
    assert answer.ticket_id == ticket.pk
    assert answer.message.direction == "outbound"
    assert answer.message.author_user == agent
    # The same From without a valid token is a customer writing in, never the agent.
    forged = tokens.agent_reply_address(mailbox.address, ticket.pk, agent.pk, b"wrong key")
    spoof, _ = receive(mailbox, mail(sender="agent1@aurora.test", to=forged, subject=f"[#{ticket.pk}]"))
    assert spoof.message.direction == "inbound"
    assert spoof.ticket_id != ticket.pk
    assert Customer.objects.filter(contact_points__normalized="agent1@aurora.test").exists()


def test_a_reply_address_signed_with_the_former_public_development_key_is_not_the_agent(mailbox):
    from frontline.core.secret_key import FORMER_DEVELOPMENT_KEY

    agent = staff(email="agent1@aurora.test")
    first, _ = receive(mailbox, mail(message_id="<agent@example.ph>"))
    forged = tokens.agent_reply_address(
        mailbox.address, first.ticket.pk, agent.pk, FORMER_DEVELOPMENT_KEY.encode()
    )

    spoof, _ = receive(mailbox, mail(sender="agent1@aurora.test", to=forged, body="Refund approved."))

    assert spoof.message.direction == "inbound"
    assert spoof.message.author_user is None
    assert spoof.ticket_id != first.ticket_id


def test_a_reply_address_signed_with_an_earlier_key_still_works_while_it_is_a_fallback(mailbox, settings):
    earlier = "an-earlier-key-" + "x1y2z3w4v5u6t7s8r9q0" * 3
    settings.SECRET_KEY_FALLBACKS = [earlier]
    agent = staff(email="agent1@aurora.test")
    first, _ = receive(mailbox, mail(message_id="<agent@example.ph>"))
    address = tokens.agent_reply_address(mailbox.address, first.ticket.pk, agent.pk, earlier.encode())

    answer, _ = receive(mailbox, mail(sender="agent1@aurora.test", to=address, body="We will replace it."))

    assert (answer.ticket_id, answer.message.direction) == (first.ticket_id, "outbound")


def test_html_and_names_are_stored_inert(mailbox):
    inbound, _ = receive(
        mailbox,
        mail(
            sender='"<script>alert(1)</script>" <x@example.ph>',
            subject="<script>alert('s')</script>",
            html='<p onclick="steal()">Hi <img src=x onerror=alert(1)>'
            '<a href="javascript:alert(2)">x</a></p>',
        ),
    )
    message = inbound.message
    for needle in ("<script", "onclick", "onerror", "javascript:"):
        assert needle not in message.body_html
    assert inbound.ticket.subject == "<script>alert('s')</script>"  # plain text, escaped wherever shown


def test_unparseable_mail_is_quarantined_and_can_be_processed_again(mailbox, monkeypatch):
    from frontline.connectors.email import services as module

    def broken(raw, **kwargs):
        raise module.UnparseableEmail("boom", reason="internal")

    monkeypatch.setattr(module, "parse_email", broken)
    inbound, _ = receive(mailbox, mail())
    assert (inbound.status, inbound.note) == ("quarantined", "cannot parse: boom")
    monkeypatch.undo()
    again = services.inbound_reprocess(actor=None, inbound=inbound)
    assert again.status == "processed"
    assert Ticket.objects.count() == 1


def test_a_bounce_marks_the_outbound_message_failed_once(mailbox, smtp_server):
    first, _ = receive(mailbox, mail(message_id="<bounce@example.ph>"))
    from frontline.tickets.services import message_add

    message_add(actor=staff(), ticket=first.ticket, direction="outbound", body_text="Answer", channel="email")
    outbound = OutboundEmail.objects.get()
    dsn = _dsn(outbound.message_id_header)
    receive(mailbox, dsn)
    receive(mailbox, dsn.replace(b"dsn-1@", b"dsn-2@"))
    outbound.refresh_from_db()
    assert outbound.status == "failed"
    assert outbound.last_error.startswith("bounced")
    from frontline.events.models import Event

    assert Event.objects.filter(verb="email.bounced").count() == 1


def _dsn(original_id: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.ph\r\nTo: support@aurora.test\r\nSubject: Undelivered Mail\r\n"
        "Message-ID: <dsn-1@mx.example.ph>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.ph\r\n\r\n"
        "Final-Recipient: rfc822; maria@example.ph\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original_id}\r\n"
        "Subject: x\r\n\r\n--b--\r\n"
    ).encode()


@pytest.fixture
def acknowledging(mailbox, smtp_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(acknowledge_new_tickets=True)
    mailbox.refresh_from_db()
    return mailbox


def test_new_tickets_are_acknowledged_as_automatic_mail(acknowledging, smtp_server):
    inbound, _ = receive(acknowledging, mail(message_id="<ack@example.ph>"))
    ticket = inbound.ticket
    outbound = OutboundEmail.objects.get()
    assert (outbound.is_automatic, outbound.status) == (True, "sent")
    assert f"ticket #{ticket.pk}" in outbound.body_text
    ticket.refresh_from_db()
    assert ticket.status == "new"  # an acknowledgement is not an answer
    assert b"Auto-Submitted: auto-replied" in smtp_server.messages[0][2]


def test_a_ping_pong_with_another_helpdesk_stops(acknowledging, smtp_server):
    """A robot that answers every mail with a new one (no RFC 3834 headers) gets at most 3 answers an hour."""
    for round_number in range(10):
        receive(
            acknowledging,
            mail(
                sender="Other Helpdesk <helpdesk@other.example>",
                subject=f"We received your request #{round_number}",
                message_id=f"<robot-{round_number}@other.example>",
            ),
        )
    assert OutboundEmail.objects.filter(is_automatic=True).count() == 3
    assert len(smtp_server.messages) == 3


def test_well_behaved_auto_replies_get_no_acknowledgement(acknowledging, smtp_server):
    for name, value in (
        ("Auto-Submitted", "auto-replied"),
        ("Precedence", "bulk"),
        ("X-Autoreply", "yes"),
        ("List-Id", "<news.example>"),
    ):
        receive(acknowledging, mail(sender="robot@other.example", headers={name: value}))
    assert OutboundEmail.objects.count() == 0
    assert smtp_server.messages == []


def test_quarantined_mail_is_counted_in_the_health_endpoint(mailbox, monkeypatch, client):
    from frontline.connectors.email import services as module

    def broken(raw, **kwargs):
        raise module.UnparseableEmail("not mail", reason="no_headers")

    monkeypatch.setattr(module, "parse_email", broken)
    receive(mailbox, mail())
    client.force_login(staff())
    health = client.get("/healthz").json()
    assert health["email"] == {"quarantined": 1, "waiting": 0, "outbox_queued": 0, "outbox_failed": 0}


def test_a_reply_processed_before_the_mail_it_answers_still_joins_its_thread(mailbox, monkeypatch):
    from frontline.connectors.email import services as module

    queued = []
    monkeypatch.setattr(module, "_enqueue_processing", queued.append)  # as if the worker were down
    first, _ = services.inbound_store(mailbox=mailbox, raw=mail(message_id="<q1@example.ph>"), source="imap")
    reply, _ = services.inbound_store(
        mailbox=mailbox, raw=mail(headers={"In-Reply-To": "<q1@example.ph>"}), source="imap"
    )
    services.inbound_process(inbound_id=reply.pk)  # the reply comes first
    first.refresh_from_db()
    reply.refresh_from_db()
    assert first.status == reply.status == "processed"
    assert first.ticket_id == reply.ticket_id
    assert Ticket.objects.count() == 1
