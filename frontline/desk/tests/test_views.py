"""The desk's pages through the test client: sign-in, scoping, bulk changes, the ticket page."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from frontline.customers.factories import CustomerFactory, portal_user
from frontline.routing.models import AgentPresence, PresenceState
from frontline.scripts.models import ForbiddenPhrase
from frontline.scripts.selectors import forbidden_phrases_cache_clear
from frontline.tickets.models import Attachment, Message, Ticket
from frontline.tickets.services import attachment_add

pytestmark = pytest.mark.django_db

PAGES = ["/desk/", "/desk/supervisor/", "/desk/supervisor/performance/"]


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("path", [*PAGES, "/desk/tickets/1/"])
def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/desk/login/?next={path}"


def test_staff_sign_in_and_land_on_their_inbox(client, agent):
    page = client.get("/desk/login/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()

    response = client.post("/desk/login/", {"username": "ana", "password": "pw-for-tests-only"})

    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_sign_in_refuses_customers_with_a_message(client):
    user = portal_user(CustomerFactory())
    user.set_password("pw-for-tests-only")
    user.save()

    response = client.post("/desk/login/", {"username": user.username, "password": "pw-for-tests-only"})

    assert response.status_code == 200
    assert "This sign-in is for staff." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", [*PAGES])
def test_a_signed_in_customer_is_refused(client, path):
    client.force_login(portal_user(CustomerFactory()))
    response = client.get(path)
    assert response.status_code == 403
    assert "This page is for staff" in response.content.decode()


def test_agents_may_not_open_the_supervisor_console(client, agent):
    client.force_login(agent)
    assert client.get("/desk/supervisor/").status_code == 403


def test_sign_out_ends_the_session_and_signs_the_agent_off(client, agent):
    client.force_login(agent)
    client.post("/desk/presence/", {"state": "available", "next": "/desk/"})

    response = client.post("/desk/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AgentPresence.objects.get(user=agent).state == PresenceState.LOGGED_OUT


def test_presence_control_sets_available_and_not_ready_with_a_reason(client, agent):
    client.force_login(agent)

    client.post("/desk/presence/", {"state": "available", "next": "/desk/"})
    assert AgentPresence.objects.get(user=agent).state == PresenceState.AVAILABLE
    page = client.get("/desk/").content.decode()
    assert 'class="state state-available">Available</span>' in page

    client.post("/desk/presence/", {"state": "not_ready", "reason": "lunch", "next": "/desk/"})
    presence = AgentPresence.objects.get(user=agent)
    assert (presence.state, presence.reason) == (PresenceState.NOT_READY, "lunch")


def test_presence_rejects_not_ready_without_a_known_reason(client, agent):
    client.force_login(agent)
    response = client.post("/desk/presence/", {"state": "not_ready", "reason": "nap", "next": "/desk/"})
    assert response.status_code == 302
    assert not AgentPresence.objects.filter(user=agent, state=PresenceState.NOT_READY).exists()
    assert any("not ready needs a reason" in m for m in _messages(response))


def test_inboxes_show_counts_and_only_permitted_tickets(client, agent, team, private_team, make_ticket):
    mine = make_ticket("Mine", team=team, assignee=agent)
    make_ticket("Team, unassigned", team=team)
    secret = make_ticket("VIP only", team=private_team)
    client.force_login(agent)

    page = client.get("/desk/?inbox=all")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Mine" in body
    assert "Team, unassigned" in body
    assert "VIP only" not in body
    assert {key: count for key, _, count in page.context["inboxes"]} == {
        "mine": 1,
        "team": 2,
        "unassigned": 1,
        "sla": 0,
        "pending": 0,
        "all": 2,
    }
    assert [r.ticket.pk for r in client.get("/desk/?inbox=mine").context["page"].rows] == [mine.pk]
    assert client.get(f"/desk/tickets/{secret.pk}/").status_code == 404


def test_inbox_pages_with_a_keyset_cursor_and_sorts(client, agent, team, make_ticket):
    tickets = [make_ticket(f"Ticket {n}", team=team) for n in range(30)]
    client.force_login(agent)

    first = client.get("/desk/?inbox=all&sort=created")
    assert [r.ticket.pk for r in first.context["page"].rows] == [t.pk for t in tickets[:25]]
    second = client.get("/desk/" + first.context["next_url"])

    assert [r.ticket.pk for r in second.context["page"].rows] == [t.pk for t in tickets[25:]]
    assert second.context["next_url"] == ""


def test_inbox_search_finds_by_words(client, agent, team, make_ticket):
    make_ticket("Washing machine leaks", team=team)
    found = make_ticket("Aircon compressor noise", team=team)
    client.force_login(agent)

    rows = client.get("/desk/?inbox=all&q=compressor").context["page"].rows

    assert [r.ticket.pk for r in rows] == [found.pk]


def test_bulk_assign_status_and_tag(client, agent, team, make_ticket):
    one, two = make_ticket("One", team=team), make_ticket("Two", team=team)
    client.force_login(agent)
    ids = [one.pk, two.pk]

    client.post("/desk/bulk/", {"ticket_ids": ids, "action": "assign", "assignee": "me", "next": "/desk/"})
    client.post("/desk/bulk/", {"ticket_ids": ids, "action": "status", "status": "pending", "next": "/desk/"})
    response = client.post("/desk/bulk/", {"ticket_ids": ids, "action": "tag", "tag": "Warranty"})

    assert response.status_code == 302
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.assignee_id, ticket.status) == (agent.pk, "pending")
        assert list(ticket.tags.values_list("name", flat=True)) == ["warranty"]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "status", "status": "sleeping"},
        {"action": "explode"},
        {"action": "tag", "tag": "bad tag!"},
        {"action": "assign", "assignee": "-1"},
    ],
)
def test_bulk_with_bad_input_changes_nothing(client, agent, team, make_ticket, data):
    ticket = make_ticket("One", team=team)
    client.force_login(agent)

    response = client.post("/desk/bulk/", {"ticket_ids": [ticket.pk], **data, "next": "/desk/"})

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.tags.count()) == ("new", None, 0)
    assert any(m.startswith("Nothing was changed") for m in _messages(response))


def test_bulk_with_a_hidden_ticket_changes_none_of_them(client, agent, team, private_team, make_ticket):
    visible, secret = make_ticket("Visible", team=team), make_ticket("VIP", team=private_team)
    client.force_login(agent)

    client.post(
        "/desk/bulk/", {"ticket_ids": [visible.pk, secret.pk], "action": "status", "status": "pending"}
    )

    assert set(Ticket.objects.values_list("status", flat=True)) == {"new"}


def test_bulk_status_that_fails_on_one_ticket_rolls_back_all(client, agent, team, make_ticket):
    good, closed = make_ticket("Good", team=team), make_ticket("Closed", team=team)
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    client.force_login(agent)

    client.post("/desk/bulk/", {"ticket_ids": [good.pk, closed.pk], "action": "status", "status": "pending"})

    assert Ticket.objects.get(pk=good.pk).status == "new"


def test_ticket_page_shows_thread_customer_and_side_panels(client, agent, team, make_ticket, customer):
    ticket = make_ticket(team=team)
    older = make_ticket("Earlier: remote control", team=team)
    from frontline.tickets.services import message_add

    message_add(actor=agent, ticket=ticket, direction="note", body_text="Check the warranty first")
    client.force_login(agent)

    page = client.get(f"/desk/tickets/{ticket.pk}/")

    body = page.content.decode()
    assert page.status_code == 200
    assert [m.direction for m in page.context["thread"]] == ["inbound", "note"]
    assert 'class="message-item direction-note"' in body
    assert "Check the warranty first" in body
    assert "Maria Santos" in body
    assert "Standard" in body
    assert f"#{older.pk} Earlier: remote control" in body
    assert "Reply by Email" in body


def test_reply_answers_on_the_tickets_channel_and_notes_stay_internal(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)

    client.post(f"/desk/tickets/{ticket.pk}/reply/", {"body": "Hello Ms Santos, please clean the filter."})
    client.post(f"/desk/tickets/{ticket.pk}/reply/", {"body": "Customer sounded upset", "kind": "note"})

    added = list(Message.objects.filter(ticket=ticket).order_by("id").values_list("direction", "channel"))
    assert added == [("inbound", "email"), ("outbound", "email"), ("note", "email")]


def test_a_reply_and_a_note_carry_files_that_the_thread_links_for_download(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)
    manual = SimpleUploadedFile("filter <b>guide</b>.txt", b"Clean the filter monthly.", "text/plain")
    photo = SimpleUploadedFile("unit.txt", b"serial AC-1", "text/plain")

    client.post(f"/desk/tickets/{ticket.pk}/reply/", {"body": "Please see the guide.", "files": [manual]})
    client.post(
        f"/desk/tickets/{ticket.pk}/reply/", {"body": "Serial noted", "kind": "note", "files": [photo]}
    )

    reply, note = Message.objects.filter(ticket=ticket).order_by("id")[1:]
    [sent] = reply.attachments.all()
    [kept] = note.attachments.all()
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert f'href="/api/v1/attachments/{sent.pk}/content"' in page
    assert f'href="/api/v1/attachments/{kept.pk}/content"' in page
    assert "<b>guide</b>" not in page  # the name is text
    download = client.get(f"/api/v1/attachments/{sent.pk}/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Clean the filter monthly."


def test_a_refused_file_stores_neither_the_reply_nor_any_file(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)
    good = SimpleUploadedFile("ok.txt", b"fine", "text/plain")
    empty = SimpleUploadedFile("empty.txt", b"", "text/plain")

    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/", {"body": "Two files", "files": [good, empty]}, follow=True
    )

    assert "the file is empty" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_files_on_a_hidden_ticket_are_404_through_the_desk_and_the_download(
    client, agent, private_team, make_ticket
):
    secret = make_ticket(team=private_team)
    stored = attachment_add(
        actor=None, ticket=secret, file=BytesIO(b"secret"), filename="s.txt", content_type="text/plain"
    )
    client.force_login(agent)

    upload = SimpleUploadedFile("x.txt", b"x", "text/plain")
    assert (
        client.post(f"/desk/tickets/{secret.pk}/reply/", {"body": "hi", "files": [upload]}).status_code == 404
    )
    assert client.get(f"/api/v1/attachments/{stored.pk}/content").status_code == 404
    assert Attachment.objects.filter(ticket=secret).count() == 1


def test_reply_to_a_hidden_ticket_is_404_and_adds_nothing(client, agent, private_team, make_ticket):
    secret = make_ticket(team=private_team)
    client.force_login(agent)

    response = client.post(f"/desk/tickets/{secret.pk}/reply/", {"body": "hi"})

    assert response.status_code == 404
    assert Message.objects.filter(ticket=secret).count() == 1


def test_compliance_check_shows_forbidden_phrase_findings(client, agent, team, make_ticket):
    ForbiddenPhrase.objects.update_or_create(
        language="en",
        phrase="Hey, talk!",
        defaults={"alternative": "Good day, how may I help?", "active": True},
    )
    forbidden_phrases_cache_clear()
    ticket = make_ticket(team=team)
    client.force_login(agent)

    response = client.post(
        f"/desk/tickets/{ticket.pk}/compliance/", {"body": "Hey, talk! what now"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Avoid “Hey, talk!”." in body
    assert "Good day, how may I help?" in body
    assert "<html" not in body


def test_edit_changes_status_priority_assignee_and_tags(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    client.force_login(agent)

    client.post(
        f"/desk/tickets/{ticket.pk}/edit/",
        {"status": "open", "priority": "high", "assignee": str(agent.pk), "tags": "aircon, warranty"},
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("open", "high", agent.pk)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["aircon", "warranty"]


def test_thread_partial_is_scoped(client, agent, team, private_team, make_ticket):
    ticket, secret = make_ticket(team=team), make_ticket(team=private_team)
    client.force_login(agent)

    assert "My aircon blows warm air." in client.get(f"/desk/tickets/{ticket.pk}/thread/").content.decode()
    assert client.get(f"/desk/tickets/{secret.pk}/thread/").status_code == 404


def test_desk_pages_use_the_users_language(client, agent):
    agent.language = "fil"
    agent.save()
    client.force_login(agent)

    page = client.get("/desk/")

    body = page.content.decode()
    assert '<html lang="fil">' in body
    assert "Lumaktaw sa pangunahing nilalaman" in body  # the skip link, in Tagalog
    assert "Aking mga team" in body


def test_desk_pages_in_simplified_chinese_and_the_users_timezone(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    agent.language, agent.timezone = "zh-hans", "Asia/Manila"
    agent.save()
    client.force_login(agent)

    body = client.get("/desk/?inbox=all").content.decode()

    assert "跳到主要内容" in body
    assert ">2026-03-02 09:30</time>" in body  # 01:30 UTC is 09:30 in Manila


def test_supervisor_console_lists_agents_and_changes_their_state(client, supervisor, agent):
    client.force_login(supervisor)

    page = client.get("/desk/supervisor/")
    assert page.status_code == 200
    assert "Ana Reyes" in page.content.decode()

    client.post(f"/desk/supervisor/agents/{agent.pk}/state/", {"state": "available"})
    assert AgentPresence.objects.get(user=agent).state == PresenceState.AVAILABLE


def test_performance_page_links_csv_and_xlsx_exports(client, supervisor, agent):
    client.force_login(supervisor)

    page = client.get("/desk/supervisor/performance/?start=2026-03-02&end=2026-03-03")

    body = page.content.decode()
    assert (
        "/api/v1/reports/agent-performance?start=2026-03-02&amp;end=2026-03-03&amp;tz=UTC&amp;format=csv"
        in body
    )
    assert "format=xlsx" in body
    assert [row.agent.pk for row in page.context["rows"]] == [supervisor.pk, agent.pk]  # by surname


def test_a_macro_fills_the_reply_box_with_the_customers_salutation_and_surname(
    client, agent, team, make_ticket
):
    from frontline.scripts.models import Macro

    ticket = make_ticket(team=team)
    ticket.requester.salutation, ticket.requester.last_name = "Ms.", "Santos"
    ticket.requester.save()
    macro = Macro.objects.create(name="Sorry", language="en", body="We are sorry, {salutation} {surname}.")
    client.force_login(agent)

    page = client.get(f"/desk/tickets/{ticket.pk}/", {"macro": macro.pk})

    assert page.status_code == 200
    assert page.context["draft"] == "We are sorry, Ms. Santos."
    assert ">We are sorry, Ms. Santos.</textarea>" in page.content.decode()
    assert client.get(f"/desk/tickets/{ticket.pk}/", {"macro": 999999}).status_code == 400
