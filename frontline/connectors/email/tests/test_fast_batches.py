"""A batch runs without savepoints, reading once for all its mails; a failing mail sends it round again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.connectors.email.tests.conftest import mail
from frontline.core.errors import TooLarge
from frontline.customers.models import ContactPoint
from frontline.events.models import Event
from frontline.events.signals import event_recorded
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _stored(mailbox, raw):
    """A mail stored as `inbound_store` stores it, without the processing task it would enqueue."""
    key, digest = services.message_key(raw)
    return InboundEmail.objects.create(
        mailbox=mailbox, source="smtp", raw=raw, size=len(raw), digest=digest, message_key=key
    )


def _statements(queries):
    return [query["sql"] for query in queries.captured_queries]


def test_a_batch_that_goes_well_has_no_savepoints_and_inserts_its_events_at_once(mailbox):
    first = _stored(mailbox, mail(subject="Aircon", message_id="<f1@example.ph>"))
    other = _stored(mailbox, mail(sender="ana@example.ph", subject="Washer", message_id="<f2@example.ph>"))
    services.inbound_process_batch(inbound_ids=[first.pk, other.pk])  # the senders are known from here on
    reply = _stored(
        mailbox,
        mail(subject="Re: Aircon", message_id="<f3@example.ph>", headers={"In-Reply-To": "<f1@example.ph>"}),
    )
    fresh = _stored(mailbox, mail(sender="ana@example.ph", subject="Dryer", message_id="<f4@example.ph>"))
    with CaptureQueriesContext(connection) as queries:
        rows = services.inbound_process_batch(inbound_ids=[fresh.pk, reply.pk])
    assert [row.pk for row in rows] == [reply.pk, fresh.pk]
    assert [row.status for row in rows] == ["processed"] * 2
    statements = _statements(queries)
    assert not [sql for sql in statements if "SAVEPOINT" in sql]
    assert len([sql for sql in statements if sql.startswith('INSERT INTO "events_event"')]) == 1
    tickets = {ticket.subject: ticket for ticket in Ticket.objects.all()}
    assert set(tickets) == {"Aircon", "Washer", "Dryer"}
    assert Message.objects.get(external_id="<f3@example.ph>").ticket == tickets["Aircon"]
    assert Event.objects.filter(verb="email.processed").count() == 4
    assert Event.objects.filter(verb="message.added").count() == 4


def test_a_mail_failing_after_writing_sends_the_batch_round_again_and_is_quarantined_alone(mailbox):
    good = _stored(mailbox, mail(subject="Aircon", message_id="<g1@example.ph>"))
    # A new sender (a customer is created) and then a subject too long for a ticket: the write is undone.
    bad = _stored(mailbox, mail(sender="bad@example.ph", subject="x" * 300, message_id="<g2@example.ph>"))
    later = _stored(mailbox, mail(sender="ana@example.ph", subject="Washer", message_id="<g3@example.ph>"))
    with CaptureQueriesContext(connection) as queries:
        rows = services.inbound_process_batch(inbound_ids=[good.pk, bad.pk, later.pk])
    assert [row.status for row in rows] == ["processed", "quarantined", "processed"]
    assert "subject" in rows[1].note
    assert [sql for sql in _statements(queries) if "SAVEPOINT" in sql]  # the second round has them
    assert not ContactPoint.objects.filter(normalized="bad@example.ph").exists()
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Aircon", "Washer"]
    # Nothing of the first round is left: one outcome event per mail, no customer event of the undone one.
    assert (
        Event.objects.filter(verb__startswith="email.", target_type="inboundemail")
        .exclude(verb="email.received")
        .count()
        == 3
    )
    assert Event.objects.filter(verb="customer.created").count() == 2
    assert Event.objects.filter(verb="ticket.created").count() == 2


def test_listeners_hear_a_batchs_events_after_the_commit_in_the_order_recorded(mailbox):
    first = _stored(mailbox, mail(subject="Aircon", message_id="<h1@example.ph>"))
    second = _stored(mailbox, mail(sender="ana@example.ph", subject="Washer", message_id="<h2@example.ph>"))
    heard = []

    def listener(sender, event, **kwargs):
        heard.append((event.pk, event.verb, connection.in_atomic_block))

    event_recorded.connect(listener, dispatch_uid="test-fast-batches")
    try:
        services.inbound_process_batch(inbound_ids=[first.pk, second.pk])
    finally:
        event_recorded.disconnect(dispatch_uid="test-fast-batches")
    ids = [pk for pk, _, _ in heard]
    assert None not in ids
    assert ids == sorted(ids)
    assert ids == list(
        Event.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).order_by("id").values_list("id", flat=True)
    )
    assert not any(in_transaction for _, _, in_transaction in heard)
    assert [verb for _, verb, _ in heard].count("email.processed") == 2


def test_a_reply_stored_before_the_mail_it_answers_threads_within_one_batch(mailbox):
    reply = _stored(
        mailbox,
        mail(subject="Re: Aircon", message_id="<r2@example.ph>", headers={"In-Reply-To": "<r1@example.ph>"}),
    )
    original = _stored(mailbox, mail(subject="Aircon", message_id="<r1@example.ph>"))
    again = _stored(
        mailbox,
        mail(
            subject="Re: Aircon",
            message_id="<r3@example.ph>",
            headers={"In-Reply-To": "<r2@example.ph>", "References": "<r1@example.ph> <r2@example.ph>"},
        ),
    )
    rows = services.inbound_process_batch(inbound_ids=[reply.pk, original.pk, again.pk])
    assert [row.status for row in rows] == ["processed"] * 3
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(ticket=Ticket.objects.get()).count() == 3
    assert InboundEmail.objects.get(pk=original.pk).attempts == 1


def test_a_known_sender_and_a_message_received_before_cost_no_query_of_their_own(mailbox):
    services.inbound_process(inbound_id=_stored(mailbox, mail(message_id="<k1@example.ph>")).pk)
    sales = Mailbox.objects.create(name="Sales", address="sales@aurora.test", display_name="Aurora Sales")
    repeat = _stored(sales, mail(message_id="<k1@example.ph>", to="sales@aurora.test"))  # sent to both
    again = [
        _stored(mailbox, mail(subject=f"Question {n}", message_id=f"<k{n}@example.ph>")) for n in range(2, 6)
    ]
    with CaptureQueriesContext(connection) as queries:
        rows = services.inbound_process_batch(inbound_ids=[repeat.pk, *(row.pk for row in again)])
    assert rows[0].status == "ignored"
    assert "already received" in rows[0].note
    contact_reads = [sql for sql in _statements(queries) if 'FROM "customers_contactpoint"' in sql]
    assert len(contact_reads) == 1  # one read for the whole batch
    assert Ticket.objects.filter(requester__contact_points__normalized="maria@example.ph").count() == 5


def test_mail_received_together_is_stored_in_one_commit_with_one_task(mailbox, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_enqueue_processing_many", queued.append)
    earlier, _ = services.inbound_store(
        mailbox=mailbox, raw=mail(message_id="<s0@example.ph>"), source="imap"
    )
    raws = [
        mail(message_id="<s1@example.ph>"),
        mail(message_id="<s0@example.ph>"),
        mail(message_id="<s2@example.ph>"),
        mail(message_id="<s1@example.ph>"),
    ]
    with CaptureQueriesContext(connection) as queries:
        stored = services.inbound_store_many(mailbox=mailbox, raws=raws, source="imap")
    assert [created for _, created in stored] == [True, False, True, False]
    assert stored[1][0] == earlier
    assert stored[3][0] == stored[0][0]
    assert [row.message_key for row, _ in stored] == [
        "<s1@example.ph>",
        "<s0@example.ph>",
        "<s2@example.ph>",
        "<s1@example.ph>",
    ]
    assert bytes(InboundEmail.objects.get(message_key="<s2@example.ph>").raw) == raws[2]
    assert len([sql for sql in _statements(queries) if sql.startswith("BEGIN")]) == 1
    assert queued == [[stored[0][0].pk, stored[2][0].pk]]
    assert Event.objects.filter(verb="email.received").count() == 3


def test_mail_received_together_is_refused_whole_when_one_is_too_large(mailbox, monkeypatch):
    monkeypatch.setattr(services, "MAX_RAW_BYTES", 2000)
    raws = [mail(message_id="<t1@example.ph>"), mail(message_id="<t2@example.ph>", body="x" * 5000)]
    with pytest.raises(TooLarge):
        services.inbound_store_many(mailbox=mailbox, raws=raws, source="imap")
    assert not InboundEmail.objects.exists()


def test_the_task_of_mail_stored_together_processes_those_still_waiting(mailbox):
    stored = services.inbound_store_many(
        mailbox=mailbox,
        raws=[
            mail(message_id="<u1@example.ph>"),
            mail(sender="ana@example.ph", message_id="<u2@example.ph>"),
        ],
        source="imap",
    )
    ids = [row.pk for row, _ in stored]
    # The tests run tasks at once: the commit queued the task and it processed both.
    assert set(InboundEmail.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"processed"}
    assert services.inbound_process_listed(inbound_ids=ids) == 0
    assert Ticket.objects.count() == 2
