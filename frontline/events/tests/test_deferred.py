"""Events of a bulk operation: one INSERT, announced in order after the commit, dropped with the work."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline.events.models import Event
from frontline.events.services import event_record, events_deferred, events_immediate
from frontline.events.signals import event_recorded

pytestmark = pytest.mark.django_db(transaction=True)


def _target() -> Event:
    """Any stored row can be the target of an event: here, an event."""
    return Event.objects.create(
        occurred_at=timezone.now(), actor_label="system", verb="target.made", target_type="x", target_id=1
    )


@pytest.fixture
def heard():
    received = []

    def listener(sender, event, **kwargs):
        received.append((event.pk, event.verb, connection.in_atomic_block))

    event_recorded.connect(listener, dispatch_uid="test-events-deferred")
    yield received
    event_recorded.disconnect(dispatch_uid="test-events-deferred")


def _inserts(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "events_event"')]


def test_deferred_events_are_inserted_together_and_announced_in_order_after_the_commit(heard):
    target = _target()
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), events_deferred():
        recorded = [event_record(actor=None, verb=f"test.step{n}", target=target) for n in range(3)]
        assert [event.pk for event in recorded] == [None, None, None]  # not inserted yet
        assert heard == []
    assert len(_inserts(queries)) == 1
    stored = list(Event.objects.filter(verb__startswith="test.").values_list("id", "verb"))
    assert [verb for _, verb in stored] == ["test.step0", "test.step1", "test.step2"]
    assert [(pk, verb) for pk, verb, _ in heard] == stored
    assert not any(in_transaction for _, _, in_transaction in heard)


def test_deferred_events_of_work_that_fails_are_neither_stored_nor_announced(heard):
    target = _target()

    def failing_batch():
        with transaction.atomic(), events_deferred():
            event_record(actor=None, verb="test.lost", target=target)
            raise RuntimeError("the batch failed")

    with pytest.raises(RuntimeError):
        failing_batch()
    assert not Event.objects.filter(verb="test.lost").exists()
    assert heard == []
    event_record(actor=None, verb="test.after", target=target)  # recording is back to one by one
    assert Event.objects.filter(verb="test.after").exists()


def test_immediate_events_inside_keep_the_order_of_recording(heard):
    target = _target()
    with transaction.atomic(), events_deferred():
        event_record(actor=None, verb="test.first", target=target)
        with events_immediate():
            second = event_record(actor=None, verb="test.second", target=target)
            assert second.pk is not None
        event_record(actor=None, verb="test.third", target=target)
    verbs = list(Event.objects.filter(verb__startswith="test.").values_list("verb", flat=True))
    assert verbs == ["test.first", "test.second", "test.third"]
    assert [verb for _, verb, _ in heard] == verbs
