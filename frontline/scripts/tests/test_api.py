"""The scripts endpoints: success, bad input, and callers who must not see or change things."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Script
from frontline.scripts.tests.conftest import Api
from frontline.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="Appliances")


@pytest.fixture
def agent(team):
    return staff(Role.AGENT, teams=[team], first_name="Pat")


@pytest.fixture
def agent_api(agent):
    return Api(agent)


@pytest.fixture
def supervisor_api():
    return Api(staff(Role.SUPERVISOR, first_name="Sam"))


@pytest.fixture
def customer_api():
    return Api(portal_user(CustomerFactory()))


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def _ticket(django_capture_on_commit_callbacks, team, channel="email", **customer):
    requester = CustomerFactory(**customer)
    with django_capture_on_commit_callbacks(execute=True):
        return ticket_create(
            actor=None,
            requester=requester,
            subject="Aircon",
            body_text="It is broken.",
            channel=channel,
            team=team,
        )


# --- POST /scripts/check


def test_the_desk_checks_a_reply_before_sending(agent_api):
    response = agent_api.post(
        "/scripts/check", {"text": "Hoy, magsalita ka!", "language": "fil", "channel": "chat"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["language"], body["channel"], body["is_first_reply"]) == ("fil", "chat", True)
    assert body["findings"][0] == {
        "kind": "forbidden_phrase",
        "start": 0,
        "end": 17,
        "phrase": "Hoy, magsalita ka!",
        "excerpt": "Hoy, magsalita ka",
        "suggestion": "Magandang araw po, paano ko po kayo matutulungan?",
        "note": "Tahimik na tawag: sabihin ang bati, maghintay ng 5 segundo, at ulitin.",
    }
    assert [f["kind"] for f in body["findings"]] == ["forbidden_phrase", "missing_greeting"]
    assert body["findings"][1]["suggestion"].startswith("Magandang")
    assert not ComplianceFinding.objects.exists()  # checking records nothing


def test_a_check_for_a_ticket_takes_its_customer_channel_and_first_reply(
    agent_api, agent, team, django_capture_on_commit_callbacks
):
    ticket = _ticket(
        django_capture_on_commit_callbacks, team, salutation="先生", last_name="王", language="zh-CN"
    )
    response = agent_api.post("/scripts/check", {"text": "您的订单已发货。", "ticket_id": ticket.pk})
    body = response.json()
    assert (body["language"], body["channel"], body["is_first_reply"]) == ("zh-hans", "email", True)
    assert [f["kind"] for f in body["findings"]] == ["missing_greeting", "missing_closing"]
    assert body["findings"][0]["suggestion"].startswith("王先生，")
    assert body["findings"][1]["suggestion"] == "感谢您致电Frontline，王先生，祝您生活愉快，再见！"
    with django_capture_on_commit_callbacks(execute=True):
        message_add(
            actor=agent, ticket=ticket, direction="outbound", body_text="王先生，您好！已发货。谢谢！"
        )
    response = agent_api.post("/scripts/check", {"text": "Hello", "ticket_id": ticket.pk, "channel": "chat"})
    assert (response.json()["is_first_reply"], response.json()["findings"]) == (False, [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "en", "channel": "chat"}, "text"),
        ({"text": "Hi", "language": "en"}, "channel"),
        ({"text": "Hi", "language": "en", "channel": "carrier pigeon"}, "channel"),
        ({"text": "Hi", "channel": "chat"}, "language"),
        ({"text": "Hi", "channel": "chat", "language": "x" * 17}, "language"),
        ({"text": "Hi", "channel": "chat", "language": "en", "ticket_id": "seven"}, "ticket_id"),
    ],
)
def test_a_bad_check_is_refused_with_its_field(agent_api, body, field):
    assert _error(agent_api.post("/scripts/check", body), 422)["field"] == field


def test_checking_against_a_hidden_ticket_is_not_found(agent_api, django_capture_on_commit_callbacks):
    hidden = _ticket(django_capture_on_commit_callbacks, TeamFactory(name="Legal", is_private=True))
    body = {"text": "Hi", "ticket_id": hidden.pk}
    assert _error(agent_api.post("/scripts/check", body), 404)["code"] == "not_found"
    assert _error(agent_api.post("/scripts/check", {**body, "ticket_id": -1}), 404)["code"] == "not_found"


def test_customers_and_anonymous_callers_may_not_check(customer_api):
    body = {"text": "Hi", "language": "en", "channel": "chat"}
    assert _error(customer_api.post("/scripts/check", body), 403)["code"] == "forbidden"
    response = Client().post("/api/v1/scripts/check", data=body, content_type="application/json")
    assert response.status_code == 401


# --- GET /scripts/greeting


def test_the_greeting_for_a_customer_by_surname(agent_api):
    customer = CustomerFactory(salutation="Mr", last_name="Reyes", timezone="Asia/Manila")
    with time_machine.travel(datetime(2026, 9, 1, 1, 0, tzinfo=UTC), tick=False):
        response = agent_api.get("/scripts/greeting", customer_id=customer.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"].startswith(
        "Good morning, Mr. Reyes! Welcome to Frontline customer service. This is Pat"
    )
    assert (body["language"], body["salutation"], body["surname"], body["formal_name"]) == (
        "en",
        "Mr.",
        "Reyes",
        "Mr. Reyes",
    )
    with time_machine.travel(datetime(2026, 9, 1, 1, 0, tzinfo=UTC), tick=False):
        zh = agent_api.get("/scripts/greeting", customer_id=customer.pk, language="zh").json()
    assert zh["text"].startswith("Reyes先生，上午好！")


def test_the_greeting_of_an_unknown_customer_is_not_found_and_customers_may_not_ask(agent_api, customer_api):
    assert _error(agent_api.get("/scripts/greeting", customer_id=-1), 404)["code"] == "not_found"
    assert _error(agent_api.get("/scripts/greeting"), 422)["field"] == "customer_id"
    customer = CustomerFactory()
    assert _error(customer_api.get("/scripts/greeting", customer_id=customer.pk), 403)["code"] == "forbidden"


# --- GET /scripts/silent-call


def test_the_silent_call_protocol_with_its_timings(agent_api):
    tagalog = staff()
    tagalog.agent.languages = ["fil"]
    tagalog.agent.save()
    response = agent_api.get("/scripts/silent-call", language="en", customer_language="tl")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(s["action"], s["starts_at_seconds"], s["wait_seconds"]) for s in body["branches"]["silent"]] == [
        ("say", 0.0, 5.0),
        ("say", 5.0, 5.0),
        ("say", 10.0, 5.0),
        ("end", 15.0, None),
    ]
    assert body["branches"]["silent"][0]["line"] == "Hello! What can I do for you?"
    assert [s["action"] for s in body["branches"]["noise"]] == ["say", "end"]
    assert [(s["starts_at_seconds"], s["wait_seconds"]) for s in body["branches"]["foreign_language"]] == [
        (0.0, None),
        (None, None),
    ]
    assert (body["total_seconds"], body["agents_speaking"]) == (15.0, [tagalog.pk])
    assert body["route_line"].startswith("Please hold while I transfer you")
    chinese = agent_api.get("/scripts/silent-call", language="zh-Hans").json()
    assert (chinese["language"], chinese["branches"]["silent"][0]["line"]) == (
        "zh-hans",
        "您好！请问有什么可以帮您？",
    )


# --- Scripts


def test_staff_list_scripts_by_language_and_kind(agent_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = agent_api.get("/scripts", language="fil", kind="silent_call")
    assert [(s["step"], s["wait_seconds"]) for s in response.json()] == [(1, 5), (2, 5), (3, 5)]
    assert len(agent_api.get("/scripts").json()) == Script.objects.count()
    assert _error(agent_api.get("/scripts", kind="poem"), 422)["field"] == "kind"


def test_supervisors_add_change_and_remove_script_lines(supervisor_api):
    response = supervisor_api.post(
        "/scripts",
        {
            "language": "en",
            "kind": "hold",
            "step": 2,
            "text": "Thank you for holding, {salutation} {surname}.",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind"], created["step"], created["plan_version_id"], created["active"]) == (
        "hold",
        2,
        None,
        True,
    )
    response = supervisor_api.patch(f"/scripts/{created['id']}", {"wait_seconds": 4, "active": False})
    assert (response.json()["wait_seconds"], response.json()["active"]) == (4, False)
    response = supervisor_api.patch(f"/scripts/{created['id']}", {"wait_seconds": None})
    assert response.json()["wait_seconds"] is None
    assert supervisor_api.delete(f"/scripts/{created['id']}").status_code == 204
    assert not Script.objects.filter(pk=created["id"]).exists()
    assert list(
        Event.objects.filter(target_id=created["id"], verb__startswith="script.").values_list(
            "verb", flat=True
        )
    ) == ["script.created", "script.updated", "script.updated", "script.deleted"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "en", "kind": "hold", "step": 2, "text": "Hi {name}"}, "text"),
        ({"language": "en", "kind": "hold", "step": 0, "text": "Hi"}, "step"),
        ({"language": "en", "kind": "song", "step": 2, "text": "Hi"}, "kind"),
        ({"language": "en", "kind": "greeting", "step": 1, "text": "Hi"}, "step"),
        (
            {"language": "en", "kind": "hold", "step": 2, "text": "Hi", "plan_version_id": -1},
            "plan_version_id",
        ),
        ({"language": "en", "kind": "hold", "step": 2, "text": "Hi", "wait_seconds": 9999}, "wait_seconds"),
    ],
)
def test_a_bad_script_is_refused_with_its_field(supervisor_api, body, field):
    count = Script.objects.count()
    assert _error(supervisor_api.post("/scripts", body), 422)["field"] == field
    assert Script.objects.count() == count


def test_agents_customers_and_anonymous_callers_may_not_change_scripts(agent_api, customer_api):
    script = Script.objects.get(language="en", kind="greeting", step=1)
    body = {"language": "en", "kind": "hold", "step": 2, "text": "Hold on."}
    assert _error(agent_api.post("/scripts", body), 403)["code"] == "forbidden"
    assert _error(agent_api.patch(f"/scripts/{script.pk}", {"text": "Yo."}), 403)["code"] == "forbidden"
    assert _error(agent_api.delete(f"/scripts/{script.pk}"), 403)["code"] == "forbidden"
    assert _error(customer_api.get("/scripts"), 403)["code"] == "forbidden"
    assert Client().get("/api/v1/scripts").status_code == 401
    script.refresh_from_db()
    assert script.text.startswith("{day_greeting}")
    assert not Script.objects.filter(kind="hold", step=2).exists()


def test_changing_a_script_that_does_not_exist_is_not_found(supervisor_api):
    assert _error(supervisor_api.patch("/scripts/-1", {"text": "x"}), 404)["code"] == "not_found"
    assert _error(supervisor_api.delete("/scripts/-1"), 404)["code"] == "not_found"


# --- Forbidden phrases


def test_supervisors_manage_forbidden_phrases_and_the_check_follows(supervisor_api, agent_api):
    response = supervisor_api.post(
        "/scripts/forbidden-phrases",
        {"language": "zh-hans", "phrase": "不知道！", "alternative": "请您稍等，我帮您查询一下。"},
    )
    assert response.status_code == 201, response.content
    phrase_id = response.json()["id"]
    check = {"text": "这个我不知道", "language": "zh-hans", "channel": "voice", "is_first_reply": False}
    assert [f["phrase"] for f in agent_api.post("/scripts/check", check).json()["findings"]] == ["不知道！"]
    response = supervisor_api.patch(
        f"/scripts/forbidden-phrases/{phrase_id}", {"alternative": "我帮您查一下。"}
    )
    assert response.json()["alternative"] == "我帮您查一下。"
    assert agent_api.post("/scripts/check", check).json()["findings"][0]["suggestion"] == "我帮您查一下。"
    assert [p["phrase"] for p in agent_api.get("/scripts/forbidden-phrases", language="zh").json()] == [
        "不知道！",
        "不说话我就挂了！",
        "喂，大声点！",
        "喂，说话！",
    ]
    assert supervisor_api.delete(f"/scripts/forbidden-phrases/{phrase_id}").status_code == 204
    assert agent_api.post("/scripts/check", check).json()["findings"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "en", "phrase": "", "alternative": "x"}, "phrase"),
        ({"language": "en", "phrase": "Hey, TALK", "alternative": "x"}, "phrase"),
        ({"language": "en", "phrase": "Whatever", "alternative": ""}, "alternative"),
        ({"language": "", "phrase": "Whatever", "alternative": "x"}, "language"),
        ({"phrase": "Whatever", "alternative": "x"}, "language"),
    ],
)
def test_a_bad_phrase_is_refused_with_its_field(supervisor_api, body, field):
    count = ForbiddenPhrase.objects.count()
    assert _error(supervisor_api.post("/scripts/forbidden-phrases", body), 422)["field"] == field
    assert ForbiddenPhrase.objects.count() == count


def test_agents_may_read_but_not_change_forbidden_phrases(agent_api, customer_api):
    row = ForbiddenPhrase.objects.get(language="en", phrase="Hey, talk!")
    assert len(agent_api.get("/scripts/forbidden-phrases", language="en").json()) == 3
    body = {"language": "en", "phrase": "Whatever", "alternative": "Let me check."}
    assert _error(agent_api.post("/scripts/forbidden-phrases", body), 403)["code"] == "forbidden"
    assert (
        _error(agent_api.patch(f"/scripts/forbidden-phrases/{row.pk}", {"active": False}), 403)["code"]
        == "forbidden"
    )
    assert _error(agent_api.delete(f"/scripts/forbidden-phrases/{row.pk}"), 403)["code"] == "forbidden"
    assert _error(customer_api.get("/scripts/forbidden-phrases"), 403)["code"] == "forbidden"
    assert Client().get("/api/v1/scripts/forbidden-phrases").status_code == 401
    row.refresh_from_db()
    assert row.active
    assert not ForbiddenPhrase.objects.filter(phrase="Whatever").exists()


# --- GET /tickets/{id}/compliance


def test_a_tickets_findings_for_quality_review(agent_api, agent, team, django_capture_on_commit_callbacks):
    ticket = _ticket(
        django_capture_on_commit_callbacks, team, channel="chat", salutation="Mr", last_name="Reyes"
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = message_add(actor=agent, ticket=ticket, direction="outbound", body_text="Hey, louder!")
    response = agent_api.get(f"/tickets/{ticket.pk}/compliance")
    assert response.status_code == 200, response.content
    assert [(f["kind"], f["phrase"], f["message_id"], f["agent_id"]) for f in response.json()] == [
        ("forbidden_phrase", "Hey, louder!", message.pk, agent.pk),
        ("missing_greeting", "", message.pk, agent.pk),
    ]
    assert (
        response.json()[0]["suggestion"]
        == "Sorry, your voice is too low. Please pick up the handset to speak."
    )


def test_findings_of_a_hidden_ticket_are_not_found_and_customers_may_not_see_them(
    agent_api, customer_api, django_capture_on_commit_callbacks
):
    hidden = _ticket(django_capture_on_commit_callbacks, TeamFactory(name="Legal", is_private=True))
    assert _error(agent_api.get(f"/tickets/{hidden.pk}/compliance"), 404)["code"] == "not_found"
    assert _error(agent_api.get("/tickets/-1/compliance"), 404)["code"] == "not_found"
    assert _error(customer_api.get(f"/tickets/{hidden.pk}/compliance"), 403)["code"] == "forbidden"
    assert Client().get(f"/api/v1/tickets/{hidden.pk}/compliance").status_code == 401
