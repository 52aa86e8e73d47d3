import io
from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.core.errors import Conflict, Invalid, TooLarge
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.plans import services as plan_services
from frontline.tickets import services
from frontline.tickets.models import Attachment, Message, SearchEntry, Ticket
from frontline.tickets.search import matching_ticket_ids

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _search(query):
    return set(Ticket.objects.filter(pk__in=matching_ticket_ids(query)).values_list("pk", flat=True))


@pytest.fixture
def ticket():
    return services.ticket_create(
        actor=None,
        requester=CustomerFactory(),
        subject="Washing machine leaks",
        body_text="Water under the machine",
        channel="email",
    )


ALL = ["new", "open", "pending", "on_hold", "solved", "closed"]
PATHS = {  # how to bring a fresh ticket to each status through allowed steps
    "new": [],
    "open": ["open"],
    "pending": ["pending"],
    "on_hold": ["on_hold"],
    "solved": ["solved"],
    "closed": ["solved", "closed"],
}


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_status_changes_through_the_service_follow_the_lifecycle(ticket, start, target):
    from frontline.core.ticket_status import can_transition

    for step in PATHS[start]:
        services.ticket_update(actor=None, ticket=ticket, status=step)
    if start == target:
        services.ticket_update(actor=None, ticket=ticket, status=target)
        ticket.refresh_from_db()
        assert ticket.status == start
    elif can_transition(start, target):
        services.ticket_update(actor=None, ticket=ticket, status=target)
        ticket.refresh_from_db()
        assert ticket.status == target
        assert (
            Event.objects.filter(verb="ticket.updated", target_id=ticket.pk, after__status=target).count()
            == 1
        )
    else:
        with pytest.raises(Conflict):
            services.ticket_update(actor=None, ticket=ticket, status=target)
        ticket.refresh_from_db()
        assert ticket.status == start


def test_unknown_status_is_invalid(ticket):
    with pytest.raises(Invalid, match="status must be one of"):
        services.ticket_update(actor=None, ticket=ticket, status="archived")


def test_solving_sets_solved_at_and_reopening_clears_it(ticket):
    services.ticket_update(actor=None, ticket=ticket, status="solved")
    ticket.refresh_from_db()
    assert ticket.solved_at is not None
    services.message_add(actor=None, ticket=ticket, direction="inbound", body_text="Still leaking!")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved_at) == ("open", None)


def test_first_agent_reply_opens_a_new_ticket_and_notes_change_nothing(ticket):
    agent = staff(Role.AGENT)
    services.message_add(actor=agent, ticket=ticket, direction="note", body_text="Checking stock")
    ticket.refresh_from_db()
    assert ticket.status == "new"
    services.message_add(
        actor=agent, ticket=ticket, direction="outbound", body_text="We will send a technician"
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_closed_tickets_take_no_more_messages(ticket):
    services.ticket_update(actor=None, ticket=ticket, status="solved")
    services.ticket_update(actor=None, ticket=ticket, status="closed")
    with pytest.raises(Conflict, match="closed"):
        services.message_add(actor=None, ticket=ticket, direction="inbound", body_text="hello?")
    assert ticket.messages.count() == 1


def test_html_bodies_are_sanitised_and_get_a_text_version(ticket):
    message = services.message_add(
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_html='<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p>',
    )
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "javascript:" not in message.body_html
    assert message.body_text == "Hi link"


def test_channel_ids_are_unique_per_channel(ticket):
    services.message_add(
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="a",
        channel="email",
        external_id="<abc@mail>",
    )
    with pytest.raises(Conflict, match="already received"):
        services.message_add(
            actor=None,
            ticket=ticket,
            direction="inbound",
            body_text="a",
            channel="email",
            external_id="<abc@mail>",
        )
    assert ticket.messages.count() == 2


def test_search_index_follows_subject_changes_and_messages(ticket):
    assert _search("leaks") == {ticket.pk}
    services.ticket_update(actor=None, ticket=ticket, subject="Dryer broken")
    assert _search("leaks") == set()
    assert _search("dryer") == {ticket.pk}
    services.message_add(actor=None, ticket=ticket, direction="inbound", body_text="我的冰箱不制冷了")
    assert _search("冰箱") == {ticket.pk}
    assert _search("箱冰") == set()
    assert _search("water machine") == {ticket.pk}
    assert _search("water elephant") == set()


def test_merge_moves_messages_and_closes_the_source(ticket):
    other = services.ticket_create(
        actor=None,
        requester=ticket.requester,
        subject="Same leak",
        body_text="Another mail about the leak",
        tags=["washer"],
    )
    services.ticket_merge(actor=None, source=other, target=ticket)
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == ("closed", ticket.pk)
    assert ticket.messages.count() == 2
    assert list(ticket.tags.values_list("name", flat=True)) == ["washer"]
    assert _search("another") == {ticket.pk}
    with pytest.raises(Conflict, match="merged"):
        services.message_add(actor=None, ticket=other, direction="inbound", body_text="x")
    with pytest.raises(Invalid):
        services.ticket_merge(actor=None, source=ticket, target=ticket)


def test_split_moves_chosen_messages_to_a_new_ticket(ticket):
    second = services.message_add(
        actor=None, ticket=ticket, direction="inbound", body_text="Also my TV is dead"
    )
    new = services.ticket_split(actor=None, ticket=ticket, message_ids=[second.pk], subject="TV dead")
    assert list(new.messages.values_list("pk", flat=True)) == [second.pk]
    assert (new.split_from_id, new.requester_id, new.status) == (ticket.pk, ticket.requester_id, "open")
    assert _search("tv") == {new.pk}
    with pytest.raises(Invalid, match="at least one"):
        services.ticket_split(
            actor=None,
            ticket=ticket,
            message_ids=list(ticket.messages.values_list("pk", flat=True)),
            subject="Everything",
        )
    with pytest.raises(Invalid):
        services.ticket_split(actor=None, ticket=ticket, message_ids=[second.pk], subject="Not mine any more")


def test_private_team_tickets_go_only_to_its_agents():
    private = TeamFactory(is_private=True)
    outsider = staff(Role.AGENT)
    with pytest.raises(Invalid, match="private team"):
        services.ticket_create(
            actor=None, requester=CustomerFactory(), subject="x", team=private, assignee=outsider
        )
    member = staff(Role.AGENT, teams=[private])
    assert (
        services.ticket_create(
            actor=None, requester=CustomerFactory(), subject="x", team=private, assignee=member
        ).assignee
        == member
    )


def test_tags_are_normalised_and_validated(ticket):
    services.ticket_update(actor=None, ticket=ticket, tags=["Warranty", "warranty", "Leak Repair"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["leak-repair", "warranty"]
    with pytest.raises(Invalid, match="tag"):
        services.ticket_update(actor=None, ticket=ticket, tags=["<b>"])


def test_attachment_is_stored_with_a_safe_name_and_checked_type(ticket):
    attachment = services.attachment_add(
        actor=None,
        ticket=ticket,
        file=io.BytesIO(PNG),
        filename="../../etc/\u202eevil.png",
        content_type="image/png",
    )
    assert attachment.filename == "evil.png"
    assert attachment.size == len(PNG)
    assert attachment.file.read() == PNG


@pytest.mark.parametrize(
    ("content", "declared", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "application/pdf", "executable"),
        (PNG, "application/pdf", "content is image/png"),
        (b"#!/bin/sh\nrm -rf /", "application/x-sh", "not accepted"),
        (b"", "text/plain", "empty"),
    ],
)
def test_attachments_that_lie_about_their_type_are_refused(ticket, content, declared, message):
    with pytest.raises(Invalid, match=message):
        services.attachment_add(
            actor=None, ticket=ticket, file=io.BytesIO(content), filename="f", content_type=declared
        )
    assert Attachment.objects.count() == 0


def test_attachments_over_the_size_limit_are_refused(ticket, settings):
    settings.FRONTLINE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(TooLarge):
        services.attachment_add(
            actor=None,
            ticket=ticket,
            file=io.BytesIO(b"a" * (1024 * 1024 + 1)),
            filename="big.txt",
            content_type="text/plain",
        )
    assert Attachment.objects.count() == 0


def test_deleting_a_ticket_removes_its_index_rows(ticket):
    ticket.delete()
    assert SearchEntry.objects.count() == 0
    assert _search("leaks") == set()
    assert Message.objects.count() == 0


def _activate(plan, days_ago):
    version = plan_services.plan_version_draft(actor=None, plan=plan)
    return plan_services.plan_version_activate(
        actor=None, version=version, at=timezone.now() - timedelta(days=days_ago)
    )


def test_tickets_remember_the_plan_version_in_force_when_opened():
    plan = plan_services.plan_create(actor=None, name="Standard")
    old = _activate(plan, 30)
    _activate(plan, 10)
    imported = services.ticket_create(
        actor=None,
        requester=CustomerFactory(),
        subject="old one",
        created_at=timezone.now() - timedelta(days=20),
    )
    assert imported.plan_version == old


def test_reopen_is_the_one_way_back_from_closed(ticket):
    services.ticket_update(actor=None, ticket=ticket, status="solved")
    services.ticket_update(actor=None, ticket=ticket, status="closed")
    closed_at = Ticket.objects.get(pk=ticket.pk).status_changed_at
    services.ticket_reopen(actor=None, ticket=ticket, reason="customer replied within the grace period")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == ("open", None)
    assert ticket.status_changed_at > closed_at  # automations count the time since the reopening
    event = Event.objects.get(verb="ticket.reopened")
    assert event.after == {"status": "open", "reason": "customer replied within the grace period"}


def test_a_follow_up_ticket_links_to_the_old_one(ticket):
    follow_up = services.ticket_create(
        actor=None, requester=ticket.requester, subject="Again", linked_to=ticket
    )
    assert list(ticket.linked_tickets.all()) == [follow_up]
