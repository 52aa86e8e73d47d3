"""Replies leave through a real SMTP server, once, with threading headers and no injected headers."""

from __future__ import annotations

import logging
from email import message_from_bytes
from email.policy import default
from io import BytesIO

import pytest
from django.db import transaction

from frontline.accounts.factories import staff
from frontline.connectors.email import services
from frontline.connectors.email.models import OutboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.customers.factories import CustomerFactory
from frontline.tickets.services import attachment_add, message_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread(mailbox):
    inbound, _ = services.inbound_store(
        mailbox=mailbox, raw=mail(message_id="<start@example.ph>"), source="smtp"
    )
    inbound.refresh_from_db()
    return inbound.ticket


def test_an_agent_reply_is_emailed_with_threading_headers(thread, smtp_server):
    message_add(
        actor=staff(),
        ticket=thread,
        direction="outbound",
        body_text="A technician comes Monday.",
        body_html="<p>A technician comes <b>Monday</b>.</p>",
        channel="email",
    )
    outbound = OutboundEmail.objects.get()
    assert outbound.status == "sent"
    assert len(smtp_server.messages) == 1
    sender, recipients, raw = smtp_server.messages[0]
    sent = message_from_bytes(raw, policy=default)
    assert (sender, recipients) == ("support@aurora.test", ["maria@example.ph"])
    assert sent["Subject"] == f"Re: Ref ko hindi lumalamig [#{thread.pk}]"
    assert sent["Message-ID"] == outbound.message_id_header
    assert sent["In-Reply-To"] == "<start@example.ph>"
    assert "<start@example.ph>" in sent["References"]
    assert sent["From"] == "Aurora Support <support@aurora.test>"
    assert sent.get_body(("plain",)).get_content().strip() == "A technician comes Monday."
    assert "<b>Monday</b>" in sent.get_body(("html",)).get_content()
    assert sent["Auto-Submitted"] is None


def test_the_files_of_a_reply_go_with_its_email(thread, smtp_server):
    agent = staff()
    with transaction.atomic():  # as the desk adds a reply with its files
        message = message_add(
            actor=agent, ticket=thread, direction="outbound", body_text="The manual.", channel="email"
        )
        attachment_add(
            actor=agent,
            ticket=thread,
            message=message,
            file=BytesIO(b"Clean the filter monthly."),
            filename="Gabay sa filter – ñ.txt",
            content_type="text/plain",
        )
    [(_sender, _recipients, raw)] = smtp_server.messages
    sent = message_from_bytes(raw, policy=default)
    [part] = list(sent.iter_attachments())
    assert part.get_filename() == "Gabay sa filter – ñ.txt"
    assert part.get_content() == "Clean the filter monthly."
    assert sent.get_body(("plain",)).get_content().strip() == "The manual."


def test_the_customers_reply_to_our_mail_threads_back(mailbox, thread, smtp_server):
    message_add(
        actor=staff(), ticket=thread, direction="outbound", body_text="Please send a photo.", channel="email"
    )
    ours = OutboundEmail.objects.get().message_id_header
    reply, _ = services.inbound_store(
        mailbox=mailbox, raw=mail(subject="photo", headers={"In-Reply-To": ours}), source="smtp"
    )
    reply.refresh_from_db()
    assert reply.ticket_id == thread.pk


def test_sending_twice_sends_once(thread, smtp_server):
    message = message_add(
        actor=staff(), ticket=thread, direction="outbound", body_text="Once", channel="email"
    )
    outbound = OutboundEmail.objects.get()
    services.outbound_send(outbound_id=outbound.pk)
    services.reply_by_email(message_id=message.pk)
    assert len(smtp_server.messages) == 1
    assert OutboundEmail.objects.count() == 1


def test_a_refused_send_is_retried_later_and_never_shown_as_sent(thread, smtp_server):
    smtp_server.refuse = True
    message_add(actor=staff(), ticket=thread, direction="outbound", body_text="Hello", channel="email")
    outbound = OutboundEmail.objects.get()
    assert (outbound.status, outbound.attempts, outbound.sent_at) == ("queued", 1, None)
    assert "451" in outbound.last_error
    assert outbound.next_attempt_at is not None
    smtp_server.refuse = False
    OutboundEmail.objects.filter(pk=outbound.pk).update(next_attempt_at=outbound.created_at)
    services.outbound_reconcile()
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_send_interrupted_by_a_crash_is_failed_not_repeated(thread, smtp_server):
    from datetime import timedelta

    from django.utils import timezone

    message_add(actor=staff(), ticket=thread, direction="outbound", body_text="Hello", channel="email")
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status="sending", next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    before = len(smtp_server.messages)
    services.outbound_reconcile()
    outbound.refresh_from_db()
    assert outbound.status == "failed"
    assert "not resent" in outbound.last_error
    assert len(smtp_server.messages) == before


def test_header_injection_is_impossible(thread, smtp_server):
    thread = ticket_update(actor=None, ticket=thread, subject="Hi\r\nBcc: victim@example.net")
    message_add(actor=staff(), ticket=thread, direction="outbound", body_text="x", channel="email")
    _, recipients, raw = smtp_server.messages[0]
    sent = message_from_bytes(raw, policy=default)
    assert recipients == ["maria@example.ph"]
    assert sent["Bcc"] is None
    assert "\n" not in sent["Subject"]


def test_automatic_mail_says_so(thread, smtp_server):
    message = message_add(
        actor=None, ticket=thread, direction="outbound", body_text="We got your mail.", channel="api"
    )
    outbound = services.outbound_queue(
        ticket=thread, message=message, mailbox=thread_mailbox(thread), is_automatic=True
    )
    services.outbound_send(outbound_id=outbound.pk)
    sent = message_from_bytes(smtp_server.messages[-1][2], policy=default)
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["X-Auto-Response-Suppress"] == "All"


def thread_mailbox(ticket):
    return services.mailbox_for_ticket(ticket)


def test_a_reply_whose_outbox_row_was_lost_is_queued_by_the_safety_net(thread, smtp_server):
    from datetime import timedelta

    from django.utils import timezone

    from frontline.tickets.models import Message

    message = message_add(
        actor=staff(), ticket=thread, direction="outbound", body_text="Lost?", channel="email"
    )
    OutboundEmail.objects.all().delete()  # as if the process died between the commit and the outbox row
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert services.unsent_replies_queue() == 1
    assert OutboundEmail.objects.get().message_id == message.pk
    assert services.unsent_replies_queue() == 0


def test_without_any_mailbox_replies_are_not_sent_and_that_is_said_once(caplog, monkeypatch):
    monkeypatch.setattr(services, "_warned_no_mailbox", False)
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Aircon", channel="email")
    agent = staff()
    with caplog.at_level(logging.DEBUG, logger="frontline.connectors.email.services"):
        for text in ("First reply", "Second reply"):
            message = message_add(
                actor=agent, ticket=ticket, direction="outbound", body_text=text, channel="email"
            )
            assert services.reply_by_email(message_id=message.pk) is None
    said = [r for r in caplog.records if "no active mailbox" in r.getMessage()]
    assert len(said) >= 2  # each reply (its after-commit listener, then the call here)
    assert said[0].levelno == logging.WARNING
    assert all(r.levelno == logging.DEBUG for r in said[1:])
    assert OutboundEmail.objects.count() == 0
