import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import ApiToken, Role
from frontline.api.tests.conftest import Api
from frontline.customers.factories import CustomerFactory, OrganizationFactory, portal_user
from frontline.events.models import Event
from frontline.tickets import services
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ticket(**kwargs):
    kwargs.setdefault("requester", CustomerFactory())
    kwargs.setdefault("subject", "Aircon noisy")
    kwargs.setdefault("body_text", "It rattles at night")
    return services.ticket_create(actor=None, **kwargs)


def _error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()["error"]
    assert body["code"]
    assert body["message"]
    return body


# --- create ---


def test_staff_create_a_ticket_for_a_new_requester_by_email(agent_api, team):
    response = agent_api.post(
        "/tickets",
        {
            "subject": "Dead TV",
            "body_text": "No picture",
            "team_id": team.pk,
            "requester_email": "Juan@Example.ph",
            "requester_name": "Juan Cruz",
            "priority": "high",
            "channel": "email",
            "tags": ["tv"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["priority"], body["channel"], body["tags"]) == (
        "new",
        "high",
        "email",
        ["tv"],
    )
    assert body["requester"]["name"] == "Juan Cruz"
    assert body["messages"][0]["direction"] == "inbound"
    again = agent_api.post("/tickets", {"subject": "TV again", "requester_email": "juan@example.PH"})
    assert again.json()["requester"]["id"] == body["requester"]["id"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"subject": "x", "requester_email": "not-an-email"}, 422, "email"),
        ({"subject": "", "requester_email": "a@b.ph"}, 422, "subject"),
        ({"subject": "x" * 251, "requester_email": "a@b.ph"}, 422, "subject"),
        ({"subject": "x", "requester_email": "a@b.ph", "priority": "whenever"}, 422, "priority"),
        ({"subject": "x", "requester_email": "a@b.ph", "channel": "pigeon"}, 422, "channel"),
        ({"subject": "x", "requester_id": -1}, 422, "requester_id"),
        ({"subject": "x"}, 422, "requester_id"),
        ({"subject": "x", "requester_email": "a@b.ph", "team_id": -1}, 422, "team_id"),
        ({"subject": "x", "requester_email": "a@b.ph", "tags": ["no spaces!"]}, 422, "tags"),
        ({"requester_email": "a@b.ph"}, 422, "subject"),
        ({"subject": 5, "requester_email": "a@b.ph"}, 422, "subject"),
    ],
)
def test_bad_ticket_input_answers_4xx_json_naming_the_field(agent_api, body, status, field):
    error = _error(agent_api.post("/tickets", body), status)
    assert error["field"] == field
    assert Ticket.objects.count() == 0


def test_a_ten_megabyte_subject_is_refused_with_413(agent_api):
    error = _error(
        agent_api.post("/tickets", {"subject": "x" * 10_000_000, "requester_email": "a@b.ph"}), 413
    )
    assert "larger" in error["message"]
    assert Ticket.objects.count() == 0


def test_malformed_json_is_a_400(agent_api):
    error = _error(agent_api.post("/tickets", raw='{"subject": "x", '), 400)
    assert error["message"] == "the request body is not valid JSON"


def test_customers_create_tickets_only_for_themselves():
    customer = CustomerFactory()
    api = Api(portal_user(customer))
    response = api.post("/tickets", {"subject": "My washer", "body_text": "leaks"})
    assert response.status_code == 201
    assert response.json()["requester"]["id"] == customer.pk
    assert response.json()["channel"] == "web_form"
    _error(api.post("/tickets", {"subject": "x", "requester_id": CustomerFactory().pk}), 403)
    _error(api.post("/tickets", {"subject": "x", "tags": ["vip"]}), 403)
    assert Ticket.objects.count() == 1


# --- scoping ---


def test_customer_a_gets_404_for_customer_bs_ticket():
    alice, bob = CustomerFactory(), CustomerFactory()
    bobs = _ticket(requester=bob)
    api = Api(portal_user(alice))
    _error(api.get(f"/tickets/{bobs.pk}"), 404)
    _error(api.patch(f"/tickets/{bobs.pk}", {"status": "solved"}), 404)
    _error(api.post(f"/tickets/{bobs.pk}/messages", {"body_text": "hi"}), 404)
    _error(api.get(f"/tickets/{bobs.pk}/messages"), 404)
    assert api.get("/tickets").json()["items"] == []
    assert bobs.messages.count() == 1
    # The 404 is the same as for a ticket that does not exist.
    assert api.get(f"/tickets/{bobs.pk}").json() == {
        "error": {"code": "not_found", "message": f"ticket {bobs.pk} not found"}
    }


def test_organization_members_see_each_others_tickets_only_when_it_shares():
    org = OrganizationFactory(shares_tickets=False)
    alice, bob = CustomerFactory(organization=org), CustomerFactory(organization=org)
    bobs = _ticket(requester=bob)
    api = Api(portal_user(alice))
    _error(api.get(f"/tickets/{bobs.pk}"), 404)
    org.shares_tickets = True
    org.save()
    assert api.get(f"/tickets/{bobs.pk}").status_code == 200


def test_customers_never_see_internal_notes():
    customer = CustomerFactory()
    ticket = _ticket(requester=customer)
    services.message_add(actor=staff(), ticket=ticket, direction="note", body_text="VIP, be generous")
    api = Api(portal_user(customer))
    bodies = [m["body_text"] for m in api.get(f"/tickets/{ticket.pk}").json()["messages"]]
    assert bodies == ["It rattles at night"]
    assert [m["direction"] for m in api.get(f"/tickets/{ticket.pk}/messages").json()["items"]] == ["inbound"]
    _error(api.post(f"/tickets/{ticket.pk}/messages", {"direction": "note", "body_text": "x"}), 403)


def test_agent_of_team_x_gets_404_for_private_team_ys_ticket():
    team_x, team_y = TeamFactory(is_private=True), TeamFactory(is_private=True)
    ticket_y = _ticket(team=team_y)
    api = Api(staff(Role.AGENT, teams=[team_x]))
    _error(api.get(f"/tickets/{ticket_y.pk}"), 404)
    _error(api.patch(f"/tickets/{ticket_y.pk}", {"priority": "urgent"}), 404)
    _error(api.get("/events", target_type="ticket", target_id=ticket_y.pk), 404)
    assert api.get("/tickets", team_id=team_y.pk).json()["items"] == []
    ticket_y.refresh_from_db()
    assert ticket_y.priority == "normal"
    # A supervisor sees it; so does an agent of team Y.
    assert Api(staff(Role.SUPERVISOR)).get(f"/tickets/{ticket_y.pk}").status_code == 200
    assert Api(staff(Role.AGENT, teams=[team_y])).get(f"/tickets/{ticket_y.pk}").status_code == 200


def test_agents_see_tickets_of_teams_that_are_not_private():
    open_team = TeamFactory(is_private=False)
    ticket = _ticket(team=open_team)
    assert Api(staff(Role.AGENT)).get(f"/tickets/{ticket.pk}").status_code == 200


# --- tokens ---


def test_read_tokens_cannot_write(agent, team):
    api = Api(agent, scope=ApiToken.Scope.READ)
    ticket = _ticket(team=team)
    assert api.get(f"/tickets/{ticket.pk}").status_code == 200
    error = _error(api.patch(f"/tickets/{ticket.pk}", {"priority": "urgent"}), 403)
    assert error["code"] == "token_scope"
    _error(api.post("/tickets", {"subject": "x", "requester_email": "a@b.ph"}), 403)
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_missing_wrong_revoked_and_expired_tokens_are_401(agent_api):
    from django.test import Client

    assert _error(Client().get("/api/v1/tickets"), 401)["code"] == "unauthenticated"
    assert Client().get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer fl_wrong").status_code == 401
    token = ApiToken.objects.get(user=agent_api.user)
    assert agent_api.get("/tickets").status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    _error(agent_api.get("/tickets"), 401)
    token.expires_at = None
    token.save()
    assert agent_api.delete(f"/tokens/{token.pk}").status_code == 200
    _error(agent_api.get("/tickets"), 401)


def test_tokens_are_stored_hashed_and_the_secret_is_shown_once(agent):
    from django.test import Client

    client = Client()
    client.force_login(agent)
    created = client.post(
        "/api/v1/tokens", data=json.dumps({"name": "ci", "scope": "write"}), content_type="application/json"
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert secret not in (token.digest, token.prefix)
    assert len(secret) > 40
    assert "secret" not in client.get("/api/v1/tokens").json()[0]
    assert (
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == agent.username
    )
    _error(
        client.post(
            "/api/v1/tokens",
            data=json.dumps({"name": "x", "scope": "admin"}),
            content_type="application/json",
        ),
        422,
    )


def test_session_writes_need_the_csrf_token(agent, team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/v1/tickets").status_code == 200
    refused = client.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "x", "requester_email": "a@b.ph"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Ticket.objects.count() == 0


def test_another_users_token_cannot_be_revoked(agent_api):
    other = Api(staff())
    token = ApiToken.objects.get(user=other.user)
    _error(agent_api.delete(f"/tokens/{token.pk}"), 404)
    assert other.get("/me").status_code == 200


# --- list, filters, search, pagination ---


def test_list_filters_combine(agent_api, team, agent):
    mine = _ticket(team=team, assignee=agent, tags=["fridge"], channel="chat")
    _ticket(team=team, tags=["tv"])
    _ticket(channel="chat")
    assert [t["id"] for t in agent_api.get("/tickets", team_id=team.pk, tag="fridge").json()["items"]] == [
        mine.pk
    ]
    assert [
        t["id"] for t in agent_api.get("/tickets", assignee_id=agent.pk, channel="chat").json()["items"]
    ] == [mine.pk]
    assert len(agent_api.get("/tickets", team_id=team.pk, status=["new", "open"]).json()["items"]) == 2
    assert [t["id"] for t in agent_api.get("/tickets", customer_id=mine.requester_id).json()["items"]] == [
        mine.pk
    ]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert agent_api.get("/tickets", updated_since=later).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"team_id": "abc"}, "team_id"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"q": "!!!"}, "q"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_list_parameters_are_422(agent_api, params, field):
    assert _error(agent_api.get("/tickets", **params), 422)["field"] == field


def test_keyset_pages_cover_every_ticket_once(agent_api):
    created = {_ticket().pk for _ in range(7)}
    seen, cursor = [], None
    while True:
        page = agent_api.get("/tickets", limit=3, **({"cursor": cursor} if cursor else {})).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created)
    assert len(seen) == 7
    assert seen == sorted(seen, reverse=True)  # same updated_at order as creation here


def test_full_text_search_finds_english_words_and_chinese_phrases(agent_api):
    english = _ticket(subject="Order 1182", body_text="The compressor makes a clicking noise")
    chinese = _ticket(subject="冰箱问题", body_text="我的冰箱不制冷了。请派技术员")
    tagalog = _ticket(subject="Ref", body_text="Hindi na lumalamig ang ref ko")
    search = lambda q: [t["id"] for t in agent_api.get("/tickets", q=q).json()["items"]]  # noqa: E731
    assert search("compressor") == [english.pk]
    assert search("CLICK") == [english.pk]  # prefix and case-insensitive
    assert search("不制冷") == [chinese.pk]
    assert search("技术员") == [chinese.pk]
    assert search("制热") == []
    assert search("lumalamig") == [tagalog.pk]
    assert search("compressor lumalamig") == []


def test_search_respects_scoping():
    hidden = _ticket(team=TeamFactory(is_private=True), body_text="secret compressor")
    api = Api(staff(Role.AGENT))
    assert api.get("/tickets", q="compressor").json()["items"] == []
    assert Api(staff(Role.ADMIN)).get("/tickets", q="compressor").json()["items"][0]["id"] == hidden.pk


# --- get, update, messages ---


def test_patch_changes_fields_and_records_one_event(agent_api, team, agent):
    ticket = _ticket()
    response = agent_api.patch(
        f"/tickets/{ticket.pk}",
        {
            "status": "open",
            "priority": "urgent",
            "team_id": team.pk,
            "assignee_id": agent.pk,
            "tags": ["aircon"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["priority"], body["team"]["id"], body["assignee"]["id"], body["tags"]) == (
        "open",
        "urgent",
        team.pk,
        agent.pk,
        ["aircon"],
    )
    event = Event.objects.get(verb="ticket.updated", target_id=ticket.pk)
    assert event.actor == agent_api.user
    assert event.before == {"status": "new", "priority": "normal", "team": None, "assignee": None, "tags": []}
    unassign = agent_api.patch(f"/tickets/{ticket.pk}", {"assignee_id": None})
    assert unassign.json()["assignee"] is None


def test_patch_refuses_a_forbidden_transition_with_409(agent_api):
    ticket = _ticket()
    agent_api.patch(f"/tickets/{ticket.pk}", {"status": "solved"})
    agent_api.patch(f"/tickets/{ticket.pk}", {"status": "closed"})
    error = _error(agent_api.patch(f"/tickets/{ticket.pk}", {"status": "open"}), 409)
    assert error["code"] == "ticket_closed"
    other = _ticket()
    error = _error(agent_api.patch(f"/tickets/{other.pk}", {"status": "closed"}), 409)
    assert error["code"] == "invalid_transition"
    assert _error(agent_api.patch(f"/tickets/{other.pk}", {"status": "archived"}), 422)["field"] == "status"


def test_customers_may_only_mark_their_ticket_solved():
    customer = CustomerFactory()
    ticket = _ticket(requester=customer)
    api = Api(portal_user(customer))
    _error(api.patch(f"/tickets/{ticket.pk}", {"priority": "urgent"}), 403)
    assert api.patch(f"/tickets/{ticket.pk}", {"status": "solved"}).json()["status"] == "solved"


def test_messages_are_added_and_paged(agent_api):
    ticket = _ticket()
    for i in range(4):
        assert (
            agent_api.post(f"/tickets/{ticket.pk}/messages", {"body_text": f"reply {i}"}).status_code == 201
        )
    note = agent_api.post(f"/tickets/{ticket.pk}/messages", {"direction": "note", "body_text": "internal"})
    assert note.json()["direction"] == "note"
    first = agent_api.get(f"/tickets/{ticket.pk}/messages", limit=2).json()
    assert [m["body_text"] for m in first["items"]] == ["reply 3", "internal"]
    older = agent_api.get(
        f"/tickets/{ticket.pk}/messages", limit=10, before_id=first["next_before_id"]
    ).json()
    assert [m["body_text"] for m in older["items"]] == [
        "It rattles at night",
        "reply 0",
        "reply 1",
        "reply 2",
    ]
    assert older["next_before_id"] is None
    _error(agent_api.post(f"/tickets/{ticket.pk}/messages", {"body_text": ""}), 422)
    _error(agent_api.post(f"/tickets/{ticket.pk}/messages", {"direction": "sideways", "body_text": "x"}), 422)
    _error(agent_api.post("/tickets/-1/messages", {"body_text": "x"}), 404)


def test_merge_and_split_over_the_api(agent_api):
    first, second = _ticket(), _ticket(subject="Duplicate")
    merged = agent_api.post(f"/tickets/{second.pk}/merge", {"into_ticket_id": first.pk})
    assert merged.status_code == 200
    assert len(merged.json()["messages"]) == 2
    assert _error(agent_api.post(f"/tickets/{first.pk}/merge", {"into_ticket_id": -1}), 422)["field"] == (
        "into_ticket_id"
    )
    message_id = merged.json()["messages"][1]["id"]
    split = agent_api.post(f"/tickets/{first.pk}/split", {"message_ids": [message_id], "subject": "Apart"})
    assert split.status_code == 201
    assert split.json()["split_from_id"] == first.pk
    _error(agent_api.post(f"/tickets/{first.pk}/split", {"message_ids": [], "subject": "x"}), 422)


def test_followers_over_the_api(agent_api, agent):
    ticket = _ticket()
    assert agent_api.post(f"/tickets/{ticket.pk}/followers", {}).json()["follower_ids"] == [agent.pk]
    assert agent_api.delete(f"/tickets/{ticket.pk}/followers/{agent.pk}").json()["follower_ids"] == []
    customer_user = portal_user(CustomerFactory())
    _error(agent_api.post(f"/tickets/{ticket.pk}/followers", {"user_id": customer_user.pk}), 422)
    _error(Api(portal_user(ticket.requester)).post(f"/tickets/{ticket.pk}/followers", {}), 403)


def test_attachments_upload_and_download_with_scoping(agent_api, team):
    from frontline.tickets.tests.test_services import PNG

    ticket = _ticket(team=team)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = agent_api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}, **agent_api._headers()
    )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    download = agent_api.client.get(url, **agent_api._headers())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    outsider = Api(portal_user(CustomerFactory()))
    _error(outsider.client.get(url, **outsider._headers()), 404)
    bad = SimpleUploadedFile("x.pdf", PNG, content_type="application/pdf")
    error = _error(
        agent_api.client.post(
            f"/api/v1/tickets/{ticket.pk}/attachments", {"file": bad}, **agent_api._headers()
        ),
        422,
    )
    assert error["code"] == "unsupported_type"


# --- query counts ---


def _queries(call):
    call()  # the first request of a token also stamps its last use
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_page_size(agent_api, team, agent):
    for i in range(3):
        _ticket(team=team, assignee=agent, tags=[f"t{i}", "x"])
    small = _queries(lambda: agent_api.get("/tickets", limit=2))
    for i in range(20):
        _ticket(team=team, assignee=agent, tags=[f"u{i}"])
    large = _queries(lambda: agent_api.get("/tickets", limit=25))
    assert small == large


def test_get_query_count_does_not_grow_with_messages(agent_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = _ticket()
    one = _queries(lambda: agent_api.get(f"/tickets/{ticket.pk}"))
    for i in range(30):
        message = services.message_add(actor=None, ticket=ticket, direction="inbound", body_text=f"m{i}")
        if i % 5 == 0:
            services.attachment_add(
                actor=None,
                ticket=ticket,
                message=message,
                filename="a.txt",
                content_type="text/plain",
                file=SimpleUploadedFile("a.txt", b"hello"),
            )
    many = _queries(lambda: agent_api.get(f"/tickets/{ticket.pk}"))
    assert one == many
