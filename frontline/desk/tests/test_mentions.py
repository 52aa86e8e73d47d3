"""Internal notes with @mentions: the pure parser (properties) and the desk flow (notifications)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from hypothesis import given
from hypothesis import strategies as st

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.desk.mentions import mentioned_usernames
from frontline.notifications.models import Notification
from frontline.tickets.models import Message

_WORD = "abcdefghijklmnopqrstuvwxyzABC0123456789_"
USERNAME = st.builds(
    lambda head, middle, tail: head + middle + tail,
    st.text(alphabet=_WORD, min_size=1, max_size=5),
    st.text(alphabet=_WORD + ".+-", max_size=5),
    st.text(alphabet=_WORD, min_size=1, max_size=3),
)
SEPARATOR = st.sampled_from([" ", ", ", "\n", " and ", "; ", " (", ") "])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ana please check", ["ana"]),
        ("thanks @ana.", ["ana"]),
        ("cc @ana, @ben-cruz and @ANA", ["ana", "ben-cruz"]),
        ("write to ana@example.test", []),
        ("(@sam.lee) see above", ["sam.lee"]),
        ("@ no name", []),
        ("", []),
    ],
)
def test_mentioned_usernames(text, expected):
    assert mentioned_usernames(text) == expected


@given(st.lists(USERNAME, max_size=6), SEPARATOR)
def test_every_mention_is_found_once_in_order(names, separator):
    text = "Note" + separator + separator.join(f"@{name}" for name in names) + separator + "end."
    expected = []
    for name in names:
        if name.casefold() not in {e.casefold() for e in expected}:
            expected.append(name)
    assert mentioned_usernames(text) == expected


@given(st.text(alphabet=st.characters(blacklist_characters="@"), max_size=200))
def test_no_at_sign_means_no_mention(text):
    assert mentioned_usernames(text) == []


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_a_note_notifies_mentioned_staff_who_can_see_the_ticket(
    client, agent, team, private_team, make_ticket
):
    ticket = make_ticket("Aircon not cooling", team=team)
    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    outsider = staff(Role.AGENT, teams=[private_team], username="vic")
    ticket_team_private = make_ticket("VIP", team=private_team)
    customer_user = portal_user(CustomerFactory())
    client.force_login(agent)

    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/",
        {
            "kind": "note",
            "body": f"@ben can you call her? @ana (me) @nobody @{customer_user.username}",
        },
    )

    assert response.status_code == 302
    assert _messages(response) == [
        "Note added.",
        "Notified: Ben Cruz.",
        "Not notified (no such staff member, or they cannot see this ticket): "
        f"@nobody, @{customer_user.username}.",
    ]
    note = Message.objects.get(ticket=ticket, direction=Message.Direction.NOTE)
    assert note.body_text.startswith("@ben can you call her?")
    [mention] = Notification.objects.filter(kind=Notification.Kind.MENTION)
    assert (mention.user, mention.ticket, mention.title) == (
        ben,
        ticket,
        f"Ana Reyes mentioned you on ticket #{ticket.pk}",
    )
    assert not Notification.objects.filter(user__in=[agent, outsider, customer_user]).exists()

    # A private team's ticket Ana may see (it is assigned to her): Ben may not, so he is not told.
    ticket_team_private.assignee = agent
    ticket_team_private.save()
    response = client.post(
        f"/desk/tickets/{ticket_team_private.pk}/reply/", {"kind": "note", "body": "@ben FYI"}
    )
    assert _messages(response)[-1] == (
        "Not notified (no such staff member, or they cannot see this ticket): @ben."
    )
    assert Notification.objects.filter(kind=Notification.Kind.MENTION).count() == 1


@pytest.mark.django_db
def test_an_empty_note_is_refused_and_stores_nothing(client, agent, team, make_ticket):
    ticket = make_ticket("Aircon", team=team)
    client.force_login(agent)
    response = client.post(f"/desk/tickets/{ticket.pk}/reply/", {"kind": "note", "body": "   "})
    assert _messages(response) == ["Write something first."]
    assert not Message.objects.filter(ticket=ticket, direction=Message.Direction.NOTE).exists()


@pytest.mark.django_db
def test_a_note_on_a_ticket_the_agent_cannot_see_is_404(client, agent, private_team, make_ticket):
    ticket = make_ticket("VIP", team=private_team)
    client.force_login(agent)
    response = client.post(f"/desk/tickets/{ticket.pk}/reply/", {"kind": "note", "body": "@ana hi"})
    assert response.status_code == 404
    assert not Message.objects.filter(ticket=ticket, direction=Message.Direction.NOTE).exists()
