"""The chat's writes: group commit of lines, copying them onto the ticket, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.connectors.webchat import services
from frontline.connectors.webchat.models import ChatEntry
from frontline.connectors.webchat.services import LineIn
from frontline.connectors.webchat.tasks import lines_mirror_sweep_task
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import message_add

pytestmark = pytest.mark.django_db


def _start(site, email):
    return services.conversation_start(site=site, name="Maria Santos", email=email, question="Warm air")


def test_a_batch_numbers_each_conversation_in_arrival_order_and_refuses_lines_one_by_one(site):
    maria, lito = _start(site, "maria@example.test"), _start(site, "lito@example.test")
    services.conversation_end(conversation=lito.conversation)
    lines = [
        LineIn(maria.conversation.pk, "m1", "first"),
        LineIn(lito.conversation.pk, "l1", "too late"),
        LineIn(maria.conversation.pk, "m2", "second"),
        LineIn(maria.conversation.pk, "m1", "first"),  # the same line again, in the same batch
        LineIn(maria.conversation.pk, "", "no id"),
        LineIn(-1, "x", "nobody's"),
        LineIn(maria.conversation.pk, "m3", "   "),
    ]
    results = services.lines_receive(lines=lines)
    summary = [
        (r.entry.seq if r.entry else None, r.created, r.error.code if r.error else None) for r in results
    ]
    assert summary == [
        (2, True, None),
        (None, False, "ended"),
        (3, True, None),
        (2, False, None),
        (None, False, "invalid"),
        (None, False, "not_found"),
        (None, False, "invalid"),
    ]
    maria.conversation.refresh_from_db()
    assert maria.conversation.last_seq == 3
    assert list(ChatEntry.objects.filter(conversation=maria.conversation).values_list("seq", "body")) == [
        (1, "Warm air"),
        (2, "first"),
        (3, "second"),
    ]


def test_lines_are_copied_onto_the_ticket_once_in_order(site, django_capture_on_commit_callbacks):
    started = _start(site, "maria@example.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the copy task runs inline
        services.lines_receive(
            lines=[LineIn(started.conversation.pk, "a", "one"), LineIn(started.conversation.pk, "b", "two")]
        )
    queued = [callback for callback in callbacks if callback.__qualname__.startswith("_mirror_soon")]
    assert len(queued) == 1  # one task for the conversation, not one per line
    assert services.lines_mirror(conversation_id=started.conversation.pk) == 0  # nothing left to copy
    ticket_messages = Message.objects.filter(ticket_id=started.conversation.ticket_id).order_by("id")
    assert list(ticket_messages.values_list("body_text", "direction", "channel")) == [
        ("Warm air", "inbound", "chat"),
        ("one", "inbound", "chat"),
        ("two", "inbound", "chat"),
    ]
    assert not ChatEntry.objects.filter(author="customer", message__isnull=True).exists()


def test_the_sweep_copies_lines_a_lost_task_left_behind(site, django_capture_on_commit_callbacks):
    started = _start(site, "maria@example.test")
    with django_capture_on_commit_callbacks(execute=False):  # the task is never queued: lost
        services.lines_receive(lines=[LineIn(started.conversation.pk, "a", "lost line")])
    entry = ChatEntry.objects.get(client_id="a")
    assert entry.message is None
    assert services.lines_unmirrored(older_than=timedelta(seconds=30)) == []  # too fresh to sweep
    ChatEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert lines_mirror_sweep_task.call_local() == 1
    entry.refresh_from_db()
    assert entry.message is not None
    assert entry.message.body_text == "lost line"
    assert lines_mirror_sweep_task.call_local() == 0


def test_a_message_left_after_the_chat_ended_becomes_its_own_ticket(site):
    started = _start(site, "maria@example.test")
    services.conversation_end(conversation=started.conversation)
    ticket = services.message_leave(
        site=site, name="", email="", text="Are you still there?", conversation=started.conversation
    )
    assert ticket.pk != started.conversation.ticket_id
    assert list(ticket.messages.values_list("body_text", flat=True)) == ["Are you still there?"]
    assert ticket.requester_id == started.conversation.customer_id


def test_an_agents_reply_becomes_one_line_however_often_its_event_arrives(site, agent):
    started = _start(site, "maria@example.test")
    ticket = Ticket.objects.get(pk=started.conversation.ticket_id)
    reply = message_add(
        actor=agent,
        ticket=ticket,
        direction=Message.Direction.OUTBOUND,
        body_text="Hello Maria",
        channel="chat",
    )

    first = services.agent_line_from_message(message_id=reply.pk)
    again = services.agent_line_from_message(message_id=reply.pk)

    assert first is not None
    assert again is not None
    assert again.pk == first.pk
    assert list(ChatEntry.objects.filter(author="agent").values_list("body", "message_id")) == [
        ("Hello Maria", reply.pk)
    ]
