"""Quarantine is the exception: what is still quarantined, and what an admin can do about it.

Still quarantined (docs/email.md lists the same): bytes that are not an email, mail without any
usable sender, mail whose sender address cannot be a customer's, and mail that hit a bug. An admin
retries one (after the cause is fixed) or makes a ticket of it anyway.
"""

from __future__ import annotations

import pytest

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.connectors.email import selectors, services
from frontline.connectors.email.models import InboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.core.errors import Invalid, NotFound
from frontline.customers.selectors import principal_for_user
from frontline.events.models import Event
from frontline.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db

NO_SENDER = (
    b"From: Maria Santos\r\nTo: support@aurora.test\r\nSubject: Ref ko\r\nMessage-ID: <ns@example.ph>\r\n\r\n"
    b"Hindi na lumalamig ang ref ko.\r\n"
)
NOT_AN_EMAIL = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def stored(mailbox, raw):
    inbound, _ = services.inbound_store(mailbox=mailbox, raw=raw, source="http")
    services.inbound_process(inbound_id=inbound.pk)
    inbound.refresh_from_db()
    return inbound


@pytest.fixture
def admin_user(db):
    return staff(Role.ADMIN, username="root-admin")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (NOT_AN_EMAIL, "cannot parse: no header field before the body: not an email"),
        (NO_SENDER, "no sender: the mail has no usable From address"),
        (mail(sender="José <josé@example.ph>"), "invalid: not a valid email address: 'josé@example.ph'"),
    ],
)
def test_what_is_still_quarantined_and_why(mailbox, raw, reason):
    inbound = stored(mailbox, raw)

    assert (inbound.status, inbound.note) == ("quarantined", reason)
    assert not Ticket.objects.exists()


def test_an_admin_makes_a_ticket_of_a_mail_without_sender_by_giving_the_address(mailbox, admin_user):
    inbound = stored(mailbox, NO_SENDER)

    with pytest.raises(Invalid) as refused:
        services.inbound_ticket_anyway(actor=admin_user, inbound=inbound)
    assert refused.value.field == "sender"
    assert not Ticket.objects.exists()

    done = services.inbound_ticket_anyway(actor=admin_user, inbound=inbound, sender="maria@example.ph")

    assert done.status == "processed"
    assert done.note == (
        "made a ticket anyway by root-admin (quarantined: no sender: the mail has no usable From address)"
    )
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.team_id, ticket.channel) == ("Ref ko", mailbox.team_id, "email")
    assert ticket.requester.contact_points.get().normalized == "maria@example.ph"
    message = Message.objects.get()
    assert message.body_text == "Hindi na lumalamig ang ref ko."
    kept = Attachment.objects.get()
    assert (kept.filename, kept.content_type) == (f"quarantined-mail-{inbound.pk}.eml", "message/rfc822")
    assert kept.file.read() == NO_SENDER
    event = Event.objects.get(verb="email.ticket_made_anyway")
    assert (event.actor_id, event.after) == (admin_user.pk, {"ticket": ticket.pk, "message": message.pk})


def test_a_ticket_anyway_of_bytes_that_are_no_email_keeps_them_attached(mailbox, admin_user):
    inbound = stored(mailbox, NOT_AN_EMAIL)

    services.inbound_ticket_anyway(actor=admin_user, inbound=inbound, sender="pdf.sender@example.ph")

    ticket = Ticket.objects.get()
    assert ticket.subject == f"(quarantined mail #{inbound.pk})"
    assert ticket.messages.get().body_text == (
        "(This mail could not be read: cannot parse: no header field before the body: not an email. "
        "The message as it arrived is attached.)"
    )
    kept = Attachment.objects.get()
    assert (kept.filename, kept.content_type) == (f"quarantined-mail-{inbound.pk}.pdf", "application/pdf")
    assert kept.file.read() == NOT_AN_EMAIL


def test_only_quarantined_mail_can_be_made_a_ticket_anyway(mailbox, admin_user):
    inbound = stored(mailbox, mail())

    with pytest.raises(Exception, match="only quarantined mail"):
        services.inbound_ticket_anyway(actor=admin_user, inbound=inbound, sender="x@example.ph")

    assert Ticket.objects.count() == 1


def test_retry_processes_the_mail_again_once_its_cause_is_gone(mailbox, admin_user, monkeypatch):
    from frontline.connectors.email import services as email_services

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(email_services, "_add_ccs", broken)
    inbound = stored(mailbox, mail())
    assert (inbound.status, inbound.note) == ("quarantined", "RuntimeError: a bug")
    monkeypatch.undo()

    done = services.inbound_reprocess(actor=admin_user, inbound=inbound)

    assert done.status == "processed"
    assert Ticket.objects.count() == 1
    assert Event.objects.get(verb="email.requeued").actor_id == admin_user.pk


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_only_admins_see_the_quarantine(mailbox, role):
    inbound = stored(mailbox, NO_SENDER)
    principal = principal_for_user(staff(role))

    with pytest.raises(NotFound):
        selectors.inbound_list_quarantined(principal=principal)
    with pytest.raises(NotFound):
        selectors.inbound_get_quarantined(principal=principal, inbound_id=inbound.pk)


def test_an_admin_sees_the_quarantine_with_sender_and_subject(mailbox, admin_user):
    inbound = stored(mailbox, mail(sender="José <josé@example.ph>", subject="Sira ang ref"))
    stored(mailbox, mail())  # processed: not listed

    (row,) = selectors.inbound_list_quarantined(principal=principal_for_user(admin_user))

    assert (row.inbound.pk, row.sender, row.subject) == (inbound.pk, "josé@example.ph", "Sira ang ref")
    with pytest.raises(NotFound):
        selectors.inbound_get_quarantined(principal=principal_for_user(admin_user), inbound_id=-1)


def test_the_quarantine_counts_stay_in_healthz(mailbox):
    stored(mailbox, NO_SENDER)

    assert selectors.email_health()["quarantined"] == 1
    assert InboundEmail.objects.get().status == "quarantined"
