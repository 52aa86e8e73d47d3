"""Stored mail processed in batches: one transaction per batch, each mail still on its own."""

from __future__ import annotations

import hashlib

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.sla import services as sla
from frontline.sla.models import SlaClock
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _stored(mailbox, raw):
    """A mail stored as `inbound_store` stores it, without the processing task it would enqueue."""
    key, digest = services.message_key(raw)
    return InboundEmail.objects.create(
        mailbox=mailbox, source="smtp", raw=raw, size=len(raw), digest=digest, message_key=key
    )


@pytest.fixture
def policy():
    calendar = sla.business_calendar_create(
        actor=None,
        name="Always",
        timezone_name="UTC",
        weekly_hours={str(d): [["00:00", "24:00"]] for d in range(7)},
    )
    return sla.sla_policy_create(actor=None, name="Standard", first_response_minutes=60, calendar=calendar)


def test_one_task_processes_the_waiting_mail_oldest_first_in_one_commit(mailbox, policy):
    first = _stored(mailbox, mail(subject="Aircon", message_id="<a1@example.ph>"))
    reply = _stored(
        mailbox,
        mail(subject="Re: Aircon", message_id="<a2@example.ph>", headers={"In-Reply-To": "<a1@example.ph>"}),
    )
    other = _stored(mailbox, mail(sender="ana@example.ph", subject="Washer", message_id="<b1@example.ph>"))
    with CaptureQueriesContext(connection) as queries:
        assert services.inbound_process_waiting(inbound_id=reply.pk) == "processed"
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"processed"}
    tickets = {ticket.subject: ticket for ticket in Ticket.objects.all()}
    assert set(tickets) == {"Aircon", "Washer"}
    assert Message.objects.get(external_id="<a2@example.ph>").ticket == tickets["Aircon"]
    # The mails in one transaction; the SLA clocks of both tickets in a second one after it.
    begins = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("BEGIN")]
    assert len(begins) == 2
    assert SlaClock.objects.filter(metric="first_response").count() == 2
    assert {first.pk, other.pk} <= set(
        InboundEmail.objects.filter(status="processed").values_list("id", flat=True)
    )


def test_a_task_for_mail_an_earlier_batch_processed_does_nothing_again(mailbox):
    stored = _stored(mailbox, mail(message_id="<once@example.ph>"))
    services.inbound_process_waiting(inbound_id=stored.pk)
    assert services.inbound_process_waiting(inbound_id=stored.pk) == "processed"
    assert InboundEmail.objects.get().attempts == 1
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)


def test_a_mail_that_fails_in_a_batch_is_quarantined_alone(mailbox):
    good = _stored(mailbox, mail(message_id="<good@example.ph>"))
    bad = _stored(mailbox, b"Subject: no sender\r\nMessage-ID: <bad@example.ph>\r\n\r\nhello\r\n")
    services.inbound_process_waiting(inbound_id=good.pk)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == ("processed", "quarantined")
    assert Ticket.objects.count() == 1


def test_a_database_error_in_a_batch_holds_up_only_its_own_mail(mailbox, monkeypatch):
    poison = _stored(mailbox, mail(subject="Poison", message_id="<poison@example.ph>"))
    fine = _stored(mailbox, mail(sender="ana@example.ph", subject="Fine", message_id="<fine@example.ph>"))
    deliver = services._deliver

    def failing(inbound, parsed, own):
        if inbound.pk == poison.pk:
            raise OperationalError("disk I/O error")
        return deliver(inbound, parsed, own)

    monkeypatch.setattr(services, "_deliver", failing)
    with pytest.raises(OperationalError):
        services.inbound_process_waiting(inbound_id=poison.pk)
    poison.refresh_from_db()
    fine.refresh_from_db()
    assert (poison.status, fine.status) == ("received", "processed")
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Fine"]


def test_the_backlog_is_processed_in_batches(mailbox, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    for number in range(5):
        digest = hashlib.sha256(str(number).encode()).hexdigest()[:8]
        _stored(mailbox, mail(sender=f"c{number}@example.ph", message_id=f"<{digest}@example.ph>"))
    batches = []
    process = services.inbound_process_batch

    def counting(*, inbound_ids):
        batches.append(sorted(inbound_ids))
        return process(inbound_ids=inbound_ids)

    monkeypatch.setattr(services, "inbound_process_batch", counting)
    assert services.inbound_process_backlog(limit=1000) == 5
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"processed"}
