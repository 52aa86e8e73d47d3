"""The inbox as a working list: sorts by SLA due and priority, filters, search counts and snippets,
safe bulk actions, and send-and-set-status on the ticket page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.customers.selectors import principal_for_user
from frontline.desk import selectors
from frontline.desk.tests.test_inbox_plans import _clock
from frontline.events.models import Event
from frontline.sla.models import SlaClock
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


def _all_pages(principal, **kwargs):
    seen, cursor = [], None
    while True:
        page = selectors.inbox_page(principal=principal, inbox="all", cursor=cursor, limit=2, **kwargs)
        seen += [r.ticket.pk for r in page.rows]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_sort_by_priority_pages_through_urgent_high_normal_low(agent, team, make_ticket):
    low = make_ticket("Low", team=team, priority="low")
    urgent = make_ticket("Urgent", team=team, priority="urgent")
    normal_old = make_ticket("Normal old", team=team)
    high = make_ticket("High", team=team, priority="high")
    normal_new = make_ticket("Normal new", team=team)
    Ticket.objects.filter(pk=normal_old.pk).update(updated_at=datetime(2026, 1, 1, tzinfo=UTC))

    seen = _all_pages(principal_for_user(agent), sort="priority")

    assert seen == [urgent.pk, high.pk, normal_new.pk, normal_old.pk, low.pk]


def test_sort_by_sla_due_lists_each_ticket_once_at_its_earliest_clock_then_the_rest(agent, team, make_ticket):
    now = datetime.now(UTC)
    later = make_ticket("Due in 3 h", team=team)
    soon = make_ticket("Due in 10 min, and in 5 h", team=team)
    breached = make_ticket("Breached an hour ago", team=team)
    answered = make_ticket("Breached but answered", team=team)
    none = make_ticket("No clock", team=team)
    _clock(later, SlaClock.State.RUNNING, due_at=now + timedelta(hours=3))
    _clock(soon, SlaClock.State.RUNNING, due_at=now + timedelta(minutes=10))
    _clock(
        soon, SlaClock.State.RUNNING, due_at=now + timedelta(hours=5), metric=SlaClock.Metric.FIRST_RESPONSE
    )
    _clock(breached, SlaClock.State.BREACHED, due_at=now - timedelta(hours=1))
    met = _clock(answered, SlaClock.State.BREACHED, due_at=now - timedelta(hours=2))
    SlaClock.objects.filter(pk=met.pk).update(met_at=now)
    Ticket.objects.filter(pk=none.pk).update(updated_at=now + timedelta(minutes=1))

    seen = _all_pages(principal_for_user(agent), sort="sla")

    assert seen == [breached.pk, soon.pk, later.pk, none.pk, answered.pk]


def test_a_cursor_from_another_sort_is_refused(agent, make_ticket):
    with pytest.raises(selectors.Invalid):
        selectors.inbox_page(
            principal=principal_for_user(agent), inbox="all", sort="priority", cursor="d.xyz"
        )


def test_filters_by_status_assignee_channel_tag_and_language(client, agent, team, make_ticket):
    chinese = CustomerFactory(language="zh-Hans")
    email = make_ticket("Email", team=team, tags=["warranty"])
    chat = make_ticket("Chat", team=team, channel="chat", assignee=agent)
    zh = ticket_create(
        actor=None, requester=chinese, subject="中文", team=team, channel="email", body_text="你好"
    )
    principal = principal_for_user(agent)

    def ids(**filters):
        page = selectors.inbox_page(
            principal=principal, inbox="all", filters=selectors.ListFilters(**filters)
        )
        return {r.ticket.pk for r in page.rows}

    assert ids(channel="chat") == {chat.pk}
    assert ids(assignee="me") == {chat.pk}
    assert ids(assignee="none") == {email.pk, zh.pk}
    assert ids(tag="Warranty") == {email.pk}
    assert ids(language="zh-hans") == {zh.pk}
    assert ids(status="new") == {email.pk, zh.pk, chat.pk}
    client.force_login(agent)
    page = client.get("/desk/?inbox=all&channel=email&language=zh-hans")
    assert [r.ticket.pk for r in page.context["page"].rows] == [zh.pk]
    assert "1 ticket matches" in page.content.decode()
    bad = client.get("/desk/?inbox=all&channel=pigeon")
    assert "unknown channel" in bad.content.decode()


def test_search_results_have_a_count_and_a_marked_snippet_of_the_matching_message(
    client, agent, team, make_ticket
):
    ticket = make_ticket("Aircon", team=team, body_text="Hello, the <b>compressor</b> rattles at night.")
    message_add(actor=agent, ticket=ticket, direction=Message.Direction.OUTBOUND, body_text="We will call.")
    make_ticket("Fridge", team=team, body_text="Nothing to see.")
    client.force_login(agent)

    page = client.get("/desk/?inbox=all&q=compress")

    body = page.content.decode()
    [row] = page.context["page"].rows
    assert row.ticket.pk == ticket.pk
    assert [p.text for p in row.snippet if p.is_hit] == ["compressor"]
    assert "the &lt;b&gt;<mark>compressor</mark>&lt;/b&gt; rattles" in body
    assert "1 ticket matches" in body


def test_the_bulk_bar_chooses_nothing_by_itself(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)
    page = client.get("/desk/?inbox=all").content.decode()
    assert '<option value="" selected>Choose…</option>' in page

    response = client.post("/desk/bulk/", {"ticket_ids": [ticket.pk], "action": "status", "status": ""})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Nothing was changed: Choose a status."]
    response = client.post("/desk/bulk/", {"ticket_ids": [ticket.pk], "action": "assign", "assignee": ""})
    assert "Choose someone" in str(list(get_messages(response.wsgi_request))[-1])
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id) == ("new", None)


def test_bulk_solving_asks_first_and_then_solves(client, agent, team, make_ticket):
    tickets = [make_ticket(f"T{n}", team=team) for n in range(2)]
    ids = [t.pk for t in tickets]
    client.force_login(agent)

    asked = client.post(
        "/desk/bulk/", {"ticket_ids": ids, "action": "status", "status": "solved", "next": "/desk/"}
    )

    assert asked.status_code == 200
    assert "Set 2 tickets to Solved?" in asked.content.decode()
    assert set(Ticket.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"new"}
    done = client.post(
        "/desk/bulk/",
        {
            "ticket_ids": ids,
            "action": "status",
            "status": "solved",
            "confirmed": "1",
            "next": "/desk/?inbox=all",
        },
    )
    assert done["Location"] == "/desk/?inbox=all"
    assert set(Ticket.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"solved"}


def test_bulk_confirmation_never_links_off_the_desk(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)
    asked = client.post(
        "/desk/bulk/",
        {"ticket_ids": [ticket.pk], "action": "status", "status": "closed", "next": "javascript:x"},
    )
    assert "javascript:" not in asked.content.decode()


def test_send_and_set_status_is_one_action(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)

    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/", {"body": "Fixed, thank you!", "status": "solved"}
    )

    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert Message.objects.filter(ticket=ticket, direction="outbound", body_text="Fixed, thank you!").exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Reply sent. Status: Solved."]


def test_send_with_a_status_the_ticket_cannot_take_sends_nothing(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    Ticket.objects.filter(pk=ticket.pk).update(status="solved")
    client.force_login(agent)

    response = client.post(f"/desk/tickets/{ticket.pk}/reply/", {"body": "Hello", "status": "new"})

    assert not Message.objects.filter(ticket=ticket, direction="outbound").exists()
    assert str(next(iter(get_messages(response.wsgi_request)))).startswith("Nothing was sent:")


def test_the_ticket_page_shows_its_activity_in_words(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    client.force_login(agent)
    client.post(
        f"/desk/tickets/{ticket.pk}/edit/", {"assignee": ben.pk, "status": "pending", "priority": "high"}
    )
    agent.language = "fil"
    agent.save()

    body = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()

    assert Event.objects.filter(target_type="ticket", target_id=ticket.pk, verb="ticket.updated").exists()
    assert "Ana Reyes" in body
    assert "Ben Cruz" in body
    assert "ticket.updated" not in body
