"""The inbox's large-database plans: exact counts, keyset pages with equal sort values, SLA inbox,
narrowed broad searches, and a fixed number of queries per page (no N+1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontline.customers.selectors import principal_for_user
from frontline.desk import selectors
from frontline.sla.models import SlaClock
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _clock(ticket, state, due_at=None, at_risk_at=None, metric=SlaClock.Metric.RESOLUTION):
    return SlaClock.objects.create(
        ticket=ticket,
        metric=metric,
        state=state,
        target_minutes=60,
        business_time=False,
        at_risk_ratio=0.8,
        started_at=ticket.created_at,
        running_since=ticket.created_at if state == SlaClock.State.RUNNING else None,
        elapsed=timedelta(0),
        due_at=due_at,
        at_risk_at=at_risk_at,
    )


def test_counts_are_exact_and_follow_what_the_agent_may_see(
    client, agent, team, private_team, make_ticket, django_assert_max_num_queries
):
    for n in range(130):  # more than the old cap of 99
        make_ticket(f"T{n}", team=team)
    pending = [make_ticket("Pending", team=team)]
    make_ticket("No team")
    make_ticket("VIP", team=private_team)
    mine = [make_ticket("VIP, mine", team=private_team), make_ticket("VIP, mine, pending", team=private_team)]
    pending.append(mine[1])
    Ticket.objects.filter(pk__in=[t.pk for t in mine]).update(
        assignee=agent
    )  # assigned before the team went private
    Ticket.objects.filter(pk__in=[t.pk for t in pending]).update(status="pending")
    client.force_login(agent)

    principal = principal_for_user(agent)
    with django_assert_max_num_queries(6):
        counts = selectors.inbox_counts(principal=principal)
    page = client.get("/desk/?inbox=team")

    assert counts == {
        "mine": 2,
        "team": 131,
        "unassigned": 132,  # the team's and the ticket with no team; not the private team's
        "sla": 0,
        "pending": 2,
        "all": 134,
    }
    assert '<span class="count">131</span>' in page.content.decode()


def test_keyset_pages_split_rows_with_the_same_sort_value_by_id(agent, team, make_ticket):
    tickets = [make_ticket(f"T{n}", team=team) for n in range(7)]
    same = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(updated_at=same)
    principal = principal_for_user(agent)

    seen, cursor = [], None
    while True:
        page = selectors.inbox_page(principal=principal, inbox="all", cursor=cursor, limit=3)
        seen += [r.ticket.pk for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == sorted((t.pk for t in tickets), reverse=True)


def test_sla_inbox_holds_breached_and_at_risk_open_tickets_with_due_times(agent, team, make_ticket):
    now = datetime.now(UTC)
    breached = make_ticket("Breached", team=team)
    at_risk = make_ticket("At risk", team=team)
    calm = make_ticket("Calm", team=team)
    solved = make_ticket("Solved but breached", team=team)
    Ticket.objects.filter(pk=solved.pk).update(status=Ticket.Status.SOLVED)
    _clock(breached, SlaClock.State.BREACHED)
    _clock(
        at_risk,
        SlaClock.State.RUNNING,
        due_at=now + timedelta(minutes=5),
        at_risk_at=now - timedelta(minutes=1),
    )
    _clock(
        at_risk,
        SlaClock.State.RUNNING,
        due_at=now + timedelta(minutes=50),
        at_risk_at=now + timedelta(minutes=40),
        metric=SlaClock.Metric.FIRST_RESPONSE,
    )
    _clock(calm, SlaClock.State.RUNNING, due_at=now + timedelta(hours=5), at_risk_at=now + timedelta(hours=4))
    _clock(solved, SlaClock.State.BREACHED)
    principal = principal_for_user(agent)

    page = selectors.inbox_page(principal=principal, inbox="sla", sort="created")

    assert [(r.ticket.pk, r.is_sla_breached) for r in page.rows] == [(breached.pk, True), (at_risk.pk, False)]
    assert page.rows[1].sla_due_at == now + timedelta(minutes=5)  # the earliest running clock
    assert selectors.inbox_counts(principal=principal)["sla"] == 2


def test_a_broad_search_shows_the_tickets_of_its_newest_matches_and_says_so(
    client, agent, team, make_ticket, monkeypatch
):
    monkeypatch.setattr(selectors, "BROAD_SEARCH_ROWS", 2)
    oldest = make_ticket("Compressor noise one", team=team)
    middle = make_ticket("Compressor noise two", team=team)
    newest = make_ticket("Compressor noise three", team=team)
    make_ticket("Washing machine", team=team)
    client.force_login(agent)

    page = client.get("/desk/?inbox=all&q=compressor")

    rows = [r.ticket.pk for r in page.context["page"].rows]
    if connection.vendor == "sqlite":
        assert rows == [newest.pk, middle.pk]
        assert "Many tickets match these words" in page.content.decode()
    else:
        assert rows == [newest.pk, middle.pk, oldest.pk]
    narrow = client.get("/desk/?inbox=all&q=washing")
    assert "Many tickets match these words" not in narrow.content.decode()


def test_a_search_with_no_words_is_refused_with_a_message(client, agent):
    client.force_login(agent)
    page = client.get("/desk/?inbox=all&q=%2B%2B")
    assert page.status_code == 200
    assert "the search query has no words to look for" in page.content.decode()


def test_an_inbox_page_takes_the_same_number_of_queries_for_5_or_25_tickets(client, agent, team, make_ticket):
    client.force_login(agent)
    for n in range(5):
        make_ticket(f"T{n}", team=team, assignee=agent)
    client.get("/desk/?inbox=team")
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/?inbox=team")
    for n in range(20):
        make_ticket(f"U{n}", team=team, assignee=agent)
    with CaptureQueriesContext(connection) as many:
        client.get("/desk/?inbox=team")
    assert len(many.captured_queries) == len(few.captured_queries)
