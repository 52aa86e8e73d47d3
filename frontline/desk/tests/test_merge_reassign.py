"""Merge from the ticket page; reassign an agent's open tickets from the supervisor console."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_merging_moves_the_thread_and_opens_the_target(client, agent, team, make_ticket):
    source = make_ticket("Aircon again", team=team)
    target = make_ticket("Aircon not cooling", team=team)
    client.force_login(agent)

    response = client.post(f"/desk/tickets/{source.pk}/merge/", {"target": f"#{target.pk}"})

    assert response["Location"] == f"/desk/tickets/{target.pk}/"
    assert _messages(response) == [f"Ticket #{source.pk} was merged into this one."]
    source.refresh_from_db()
    assert (source.merged_into_id, source.status) == (target.pk, Ticket.Status.CLOSED)
    assert Message.objects.filter(ticket=target).count() == 2
    assert (
        "Merge this ticket into ticket number" in client.get(f"/desk/tickets/{target.pk}/").content.decode()
    )


@pytest.mark.parametrize("raw", ["", "abc", "-1", "999999"])
def test_merging_into_a_missing_ticket_changes_nothing(client, agent, team, make_ticket, raw):
    source = make_ticket("Aircon again", team=team)
    client.force_login(agent)

    response = client.post(f"/desk/tickets/{source.pk}/merge/", {"target": raw})

    assert response["Location"] == f"/desk/tickets/{source.pk}/"
    assert _messages(response)[0].startswith("Nothing was merged: there is no ticket #")
    source.refresh_from_db()
    assert source.merged_into_id is None
    assert source.status != Ticket.Status.CLOSED


def test_merging_into_itself_or_into_a_hidden_ticket_is_refused(
    client, agent, team, private_team, make_ticket
):
    source = make_ticket("Aircon again", team=team)
    hidden = make_ticket("VIP", team=private_team)
    client.force_login(agent)

    itself = client.post(f"/desk/tickets/{source.pk}/merge/", {"target": source.pk})
    assert _messages(itself)[-1] == "Nothing was merged: a ticket cannot be merged into itself"
    into_hidden = client.post(f"/desk/tickets/{source.pk}/merge/", {"target": hidden.pk})
    assert (
        _messages(into_hidden)[-1] == f"Nothing was merged: there is no ticket #{hidden.pk} that you can see."
    )
    assert client.post(f"/desk/tickets/{hidden.pk}/merge/", {"target": source.pk}).status_code == 404
    source.refresh_from_db()
    hidden.refresh_from_db()
    assert source.merged_into_id is None
    assert hidden.merged_into_id is None


def test_a_supervisor_moves_an_agents_open_tickets_to_another(client, supervisor, agent, team, make_ticket):
    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    first = make_ticket("One", team=team, assignee=agent)
    second = make_ticket("Two", team=team, assignee=agent)
    solved = make_ticket("Done", team=team, assignee=agent)
    Ticket.objects.filter(pk=solved.pk).update(status=Ticket.Status.SOLVED)
    client.force_login(supervisor)
    console = client.get("/desk/supervisor/").content.decode()
    assert f'href="/desk/supervisor/agents/{agent.pk}/action/?do=reassign"' in console
    assert console.count(">Actions<") == 3  # one menu per agent row (Ana, Ben, Sam), no repeated forms
    dialog = client.get(f"/desk/supervisor/agents/{agent.pk}/action/?do=reassign").content.decode()
    assert f'action="/desk/supervisor/agents/{agent.pk}/reassign/"' in dialog
    assert '<option value="" selected>Choose an agent…</option>' in dialog  # no agent chosen for you
    assert "Ana Reyes has 2 open tickets." in dialog

    response = client.post(f"/desk/supervisor/agents/{agent.pk}/reassign/", {"assignee": ben.pk})

    assert _messages(response) == ["2 open tickets moved from Ana Reyes to Ben Cruz."]
    assert list(Ticket.objects.filter(assignee=ben).order_by("id").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert Ticket.objects.get(pk=solved.pk).assignee == agent


@pytest.mark.parametrize("raw", ["", "x", "-1", "self"])
def test_reassign_needs_another_agent(client, supervisor, agent, team, make_ticket, raw):
    ticket = make_ticket("One", team=team, assignee=agent)
    client.force_login(supervisor)
    response = client.post(
        f"/desk/supervisor/agents/{agent.pk}/reassign/", {"assignee": agent.pk if raw == "self" else raw}
    )
    assert _messages(response) == ["Nothing was changed: choose another agent"]
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_agents_cannot_reassign_and_unknown_agents_are_404(client, supervisor, agent, team, make_ticket):
    ben = staff(Role.AGENT, teams=[team], username="ben")
    ticket = make_ticket("One", team=team, assignee=agent)
    client.force_login(agent)
    assert (
        client.post(f"/desk/supervisor/agents/{agent.pk}/reassign/", {"assignee": ben.pk}).status_code == 403
    )
    client.force_login(supervisor)
    assert client.post("/desk/supervisor/agents/999999/reassign/", {"assignee": ben.pk}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
