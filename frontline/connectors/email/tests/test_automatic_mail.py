"""Mail Frontline writes by itself goes through the outbox, says it is automatic and is retried.

Acknowledgements of web-form requests, sign-in and confirmation links, survey invitations, chat
transcripts, pages to the on-call manager and staff notifications: a real SMTP server (aiosmtpd)
receives them, with `Auto-Submitted` and `X-Auto-Response-Suppress`.
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
from django.utils import timezone

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.connectors.email import services
from frontline.connectors.email.admin import OutboundEmailAdmin
from frontline.connectors.email.models import OutboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.core.errors import DomainError
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.notifications.services import notify
from frontline.tickets.models import Ticket
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)


def received(smtp_server, index=-1):
    return message_from_bytes(smtp_server.messages[index][2], policy=default)


def test_automatic_mail_is_sent_from_the_outbox_marked_automatic(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Aurora <noreply@aurora.test>"

    outbound = services.automatic_mail_queue(
        to=["ana@example.ph"], subject="Your sign-in link", body="https://aurora.test/portal/login/x/"
    )

    outbound.refresh_from_db()
    assert (outbound.status, outbound.auto_submitted, outbound.ticket_id) == ("sent", "auto-generated", None)
    sent = received(smtp_server)
    assert smtp_server.messages[-1][1] == ["ana@example.ph"]
    assert sent["From"] == "Aurora <noreply@aurora.test>"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["X-Auto-Response-Suppress"] == "All"
    assert sent["Message-ID"] == outbound.message_id_header
    event = Event.objects.get(verb="email.queued", target_id=outbound.pk, target_type="outboundemail")
    assert event.after == {"outbound": outbound.pk, "to": ["ana@example.ph"], "automatic": "auto-generated"}


def test_an_acknowledgement_on_a_ticket_comes_from_its_mailbox_and_threads_back(mailbox, smtp_server):
    services.inbound_store(mailbox=mailbox, raw=mail(message_id="<first@example.ph>"), source="smtp")
    ticket = Ticket.objects.get()

    outbound = services.automatic_mail_queue(
        to=["maria@example.ph"],
        subject=f"We received your request #{ticket.pk}",
        body="Thank you.",
        ticket=ticket,
        auto_submitted=OutboundEmail.AutoSubmitted.AUTO_REPLIED,
    )

    sent = received(smtp_server)
    assert sent["From"] == "Aurora Support <support@aurora.test>"
    assert sent["Auto-Submitted"] == "auto-replied"
    reply, _ = services.inbound_store(
        mailbox=mailbox,
        raw=mail(subject="thanks", headers={"In-Reply-To": outbound.message_id_header}),
        source="smtp",
    )
    reply.refresh_from_db()
    assert reply.ticket_id == ticket.pk


def test_a_refused_automatic_mail_is_retried_like_any_other(smtp_server):
    smtp_server.refuse = True
    outbound = services.automatic_mail_queue(to=["ana@example.ph"], subject="Invitation", body="Hello")
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("queued", 1)
    assert "451" in outbound.last_error

    smtp_server.refuse = False
    OutboundEmail.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now())
    services.outbound_reconcile()

    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_sign_in_link_is_hidden_in_the_admin_and_erased_once_sent(smtp_server):
    smtp_server.refuse = True
    outbound = services.automatic_mail_queue(
        to=["ana@example.ph"],
        subject="Your sign-in link",
        body="https://x.test/l/SECRET/",
        body_is_secret=True,
    )
    outbound.refresh_from_db()
    admin = OutboundEmailAdmin(OutboundEmail, None)
    assert "SECRET" not in admin.body(outbound)
    assert "body_text" not in admin.fields

    assert outbound.status == "queued"  # refused once: waiting for its next attempt, body kept for it

    smtp_server.refuse = False
    OutboundEmail.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now())
    services.outbound_reconcile()

    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert "SECRET" in received(smtp_server).get_body(("plain",)).get_content()
    assert outbound.body_text == services.ERASED_BODY_NOTE
    assert not Event.objects.filter(after__icontains="SECRET").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"to": [], "subject": "x", "body": "y"}, "to"),
        ({"to": [" "], "subject": "x", "body": "y"}, "to"),
    ],
)
def test_an_automatic_mail_without_recipient_is_refused(values, field):
    with pytest.raises(DomainError) as refused:
        services.automatic_mail_queue(**values)

    assert refused.value.field == field
    assert not OutboundEmail.objects.exists()


def test_an_unknown_auto_submitted_value_is_refused():
    with pytest.raises(ValueError, match="Auto-Submitted"):
        services.automatic_mail_queue(to=["a@example.ph"], subject="x", body="y", auto_submitted="no")

    assert not OutboundEmail.objects.exists()


def test_an_urgent_notification_reaches_its_person_through_the_outbox(smtp_server):
    agent = staff(Role.AGENT, email="pat@staff.example.test")
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Oven smoke", body_text="smoke")

    notify(user=agent, title="Paged: SLA breached", ticket=ticket, urgent=True, kind="page")

    outbound = OutboundEmail.objects.get()
    assert (outbound.to, outbound.status, outbound.auto_submitted) == (
        ["pat@staff.example.test"],
        "sent",
        "auto-generated",
    )
    sent = received(smtp_server)
    assert sent["Subject"] == "[URGENT] Paged: SLA breached"
    assert sent["Auto-Submitted"] == "auto-generated"
