"""Saved inbox views: an agent saves an inbox with its search words and sort, opens and deletes it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.desk.models import SavedView
from frontline.events.models import Event

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_save_open_and_delete_a_view(client, agent, team, make_ticket):
    make_ticket("Washing machine leaks", team=team)
    found = make_ticket("Aircon compressor noise", team=team)
    client.force_login(agent)

    response = client.post(
        "/desk/views/",
        {"name": "  Compressor   cases ", "inbox": "team", "sort": "created", "q": "compressor"},
    )

    view = SavedView.objects.get(user=agent)
    assert (view.name, view.inbox, view.sort, view.query) == (
        "Compressor cases",
        "team",
        "created",
        "compressor",
    )
    assert response["Location"] == f"/desk/?inbox=team&sort=created&q=compressor&view={view.pk}"
    assert _messages(response) == ["View “Compressor cases” saved."]
    page = client.get(response["Location"])
    assert [r.ticket.pk for r in page.context["page"].rows] == [found.pk]
    assert f'href="?inbox=team&amp;sort=created&amp;q=compressor&amp;view={view.pk}" aria-current="page"' in (
        page.content.decode()
    )
    assert Event.objects.filter(verb="saved_view.created", target_id=view.pk).exists()

    deleted = client.post(f"/desk/views/{view.pk}/delete/")

    assert _messages(deleted)[-1] == "View “Compressor cases” deleted."
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"name": " ", "inbox": "team", "sort": "-updated"}, "give the view a name"),
        ({"name": "x" * 61, "inbox": "team", "sort": "-updated"}, "the name is longer than 60 characters"),
        ({"name": "A", "inbox": "nowhere", "sort": "-updated"}, "unknown inbox 'nowhere'"),
        ({"name": "A", "inbox": "team", "sort": "random"}, "unknown sort 'random'"),
    ],
)
def test_bad_input_saves_nothing(client, agent, data, reason):
    client.force_login(agent)
    response = client.post("/desk/views/", data)
    assert _messages(response) == [f"The view was not saved: {reason}"]
    assert not SavedView.objects.exists()


def test_a_second_view_with_the_same_name_is_refused(client, agent):
    client.force_login(agent)
    client.post("/desk/views/", {"name": "Mine", "inbox": "mine", "sort": "-updated"})
    response = client.post("/desk/views/", {"name": "mine", "inbox": "all", "sort": "-updated"})
    assert _messages(response)[-1] == "The view was not saved: you already have a view called 'mine'"
    assert SavedView.objects.count() == 1


def test_someone_elses_view_is_404_and_not_listed(client, agent, team):
    ben = staff(Role.AGENT, teams=[team], username="ben")
    client.force_login(ben)
    client.post("/desk/views/", {"name": "Ben's", "inbox": "all", "sort": "-updated"})
    view = SavedView.objects.get(user=ben)
    client.force_login(agent)

    assert client.post(f"/desk/views/{view.pk}/delete/").status_code == 404
    assert client.get("/desk/").context["saved_views"] == []
    assert SavedView.objects.filter(pk=view.pk).exists()
