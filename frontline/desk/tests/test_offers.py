"""The offer pop-up: what routing offers the agent; accept (opens the ticket and call script), decline."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.routing.models import Interaction, PresenceState, Queue
from frontline.routing.services import interaction_enqueue, presence_set
from frontline.scripts.models import Script

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def call_scripts(db):
    Script.objects.filter(language="en", kind__in=[Script.Kind.GREETING, Script.Kind.SILENT_CALL]).delete()
    Script.objects.create(
        language="en", kind=Script.Kind.GREETING, text="{day_greeting}, {salutation} {surname}!"
    )
    Script.objects.create(language="en", kind=Script.Kind.SILENT_CALL, step=1, text="Hello?", wait_seconds=5)
    Script.objects.create(
        language="en", kind=Script.Kind.SILENT_CALL, step=2, text="I cannot hear you.", wait_seconds=10
    )


@pytest.fixture
def offered(agent, customer, make_ticket, django_capture_on_commit_callbacks):
    """A phone call about a ticket, offered to Ana (the only available agent)."""

    def offer(channel="voice", with_ticket=True):
        agent.agent.capacity = {"voice": 1, "chat": 2, "email": 3, "callback": 1}
        agent.agent.save()
        queue = Queue.objects.create(name=f"Queue {channel}", channel=channel, offer_timeout_seconds=30)
        with django_capture_on_commit_callbacks(execute=True):
            presence_set(actor=agent, user=agent, state=PresenceState.AVAILABLE)
            ticket = make_ticket("Aircon not cooling", channel="voice") if with_ticket else None
            interaction = interaction_enqueue(queue=queue, customer=customer, ticket=ticket)
        interaction.refresh_from_db()
        assert interaction.state == Interaction.State.OFFERED
        assert interaction.offered_to == [agent.pk]
        return interaction

    return offer


def test_the_pop_up_shows_customer_channel_queue_expiry_and_the_call_script(
    client, agent, offered, call_scripts
):
    interaction = offered()
    client.force_login(agent)

    html = client.get("/desk/offers/").content.decode()

    assert f'data-offer="{interaction.pk}"' in html
    assert "Incoming Phone" in html
    assert "Ms Maria Santos" in html
    assert "Queue voice" in html
    assert f'data-expires-at="{interaction.offer_expires_at.isoformat()}"' in html
    assert "Ms. Santos!" in html  # the greeting with the surname
    for text in ("Hello?", "then wait 5 s", "I cannot hear you.", "at 5 s", "then wait 10 s", "End the call"):
        assert text in html
    assert f'action="/desk/offers/{interaction.pk}/accept/"' in html


def test_a_chat_offer_has_no_call_script(client, agent, offered, call_scripts):
    offered(channel="chat")
    client.force_login(agent)
    html = client.get("/desk/offers/").content.decode()
    assert "Incoming Web chat" in html
    assert "Call script" not in html


def test_nothing_offered_gives_an_empty_pop_up(client, agent):
    client.force_login(agent)
    response = client.get("/desk/offers/")
    assert response.status_code == 200
    assert "data-offer" not in response.content.decode()


def test_accepting_opens_the_ticket_with_the_call_script(client, agent, offered, call_scripts):
    interaction = offered()
    client.force_login(agent)

    response = client.post(f"/desk/offers/{interaction.pk}/accept/", {"next": "/desk/"})

    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{interaction.ticket_id}/?contact={interaction.pk}"
    interaction.refresh_from_db()
    assert interaction.state == Interaction.State.CONNECTED
    assert interaction.agent == agent
    page = client.get(response["Location"]).content.decode()
    for text in ("Call script", "Ms. Santos!", "I cannot hear you."):
        assert text in page
    assert client.get("/desk/offers/").content.decode().strip() == ""


def test_accepting_a_call_without_a_ticket_opens_the_contact_page(client, agent, offered, call_scripts):
    interaction = offered(with_ticket=False)
    client.force_login(agent)

    response = client.post(f"/desk/offers/{interaction.pk}/accept/")

    assert response["Location"] == f"/desk/contacts/{interaction.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Ms Maria Santos" in page
    assert "Ms. Santos!" in page


def test_declining_sends_the_contact_back_to_the_queue(client, agent, offered):
    interaction = offered()
    client.force_login(agent)

    response = client.post(f"/desk/offers/{interaction.pk}/decline/", {"next": "/desk/?inbox=team"})

    assert response["Location"] == "/desk/?inbox=team"
    assert _messages(response) == ["Contact declined; it goes back to the queue."]
    interaction.refresh_from_db()
    assert interaction.state == Interaction.State.WAITING
    assert agent.pk in interaction.excluded_agents


def test_an_offer_already_taken_cannot_be_accepted_again(client, agent, offered):
    interaction = offered()
    client.force_login(agent)
    client.post(f"/desk/offers/{interaction.pk}/accept/")

    response = client.post(f"/desk/offers/{interaction.pk}/accept/", {"next": "/desk/"})

    assert response["Location"] == "/desk/"
    assert _messages(response)[0].startswith("The contact could not be accepted: ")
    interaction.refresh_from_db()
    assert interaction.state == Interaction.State.CONNECTED


def test_another_agent_gets_404_for_someone_elses_offer(client, agent, team, offered):
    interaction = offered()
    ben = staff(Role.AGENT, teams=[team], username="ben")
    client.force_login(ben)

    assert client.post(f"/desk/offers/{interaction.pk}/accept/").status_code == 404
    assert client.post(f"/desk/offers/{interaction.pk}/decline/").status_code == 404
    assert client.get(f"/desk/contacts/{interaction.pk}/").status_code == 404
    assert "data-offer" not in client.get("/desk/offers/").content.decode()
    interaction.refresh_from_db()
    assert interaction.state == Interaction.State.OFFERED


def test_offer_urls_need_a_post_and_a_signed_in_agent(client, agent, offered):
    interaction = offered()
    assert client.post(f"/desk/offers/{interaction.pk}/accept/").status_code == 302  # to sign-in
    client.force_login(agent)
    assert client.get(f"/desk/offers/{interaction.pk}/accept/").status_code == 405
    assert client.post("/desk/offers/-1/accept/").status_code == 404


def test_the_pop_up_in_tagalog(client, agent, offered, call_scripts):
    agent.language = "fil"
    agent.save()
    offered()
    client.force_login(agent)
    html = client.get("/desk/offers/").content.decode()
    assert "Tanggapin" in html
    assert "Tanggihan" in html
    assert "Script ng tawag" in html
    assert 'data-countdown-text="Mawawala sa loob ng {seconds} s"' in html
