"""The rules endpoints: success, bad input, and callers who must not see or change things."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.rules import services
from frontline.rules.models import Rule, RuleRun
from frontline.rules.tests.conftest import Api
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")
VIP = {
    "name": "Gold first",
    "kind": "trigger",
    "events": ["ticket.created"],
    "conditions": {"all": [{"field": "customer.tier", "op": "is", "value": "gold"}]},
    "actions": [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "tags": ["vip"]}],
}


@pytest.fixture
def private_team():
    return TeamFactory(name="Legal", is_private=True)


@pytest.fixture
def agent_api():
    return Api(staff(Role.AGENT))


@pytest.fixture
def supervisor_api():
    return Api(staff(Role.SUPERVISOR))


@pytest.fixture
def rule():
    return services.rule_create(
        actor=None,
        name=VIP["name"],
        kind="trigger",
        events=VIP["events"],
        conditions=VIP["conditions"],
        actions_json=VIP["actions"],
    )


def _ticket(capture, **kwargs):
    at = datetime(2026, 9, 1, 10, 0, tzinfo=MANILA)
    with time_machine.travel(at, tick=False), capture(execute=True):
        return ticket_create(
            actor=None,
            requester=kwargs.pop("requester", None) or CustomerFactory(tier="gold"),
            subject="Aircon",
            created_at=at,
            **kwargs,
        )


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_a_supervisor_creates_a_rule(supervisor_api):
    response = supervisor_api.post("/rules", VIP)
    assert response.status_code == 201, response.content
    body = response.json()
    rule = Rule.objects.get()
    assert body["id"] == rule.pk
    assert (body["kind"], body["position"], body["is_active"], body["created_by_id"]) == (
        "trigger",
        0,
        True,
        supervisor_api.user.pk,
    )
    assert body["conditions"] == {"all": VIP["conditions"]["all"], "any": []}
    assert body["actions"] == VIP["actions"]
    assert Event.objects.filter(verb="rule.created", target_id=rule.pk, actor=supervisor_api.user).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"actions": [{"type": "add_tags", "tags": ["x"]}, {"type": "set_status", "value": "gone"}]},
            "actions[1].value",
        ),
        (
            {"conditions": {"all": [{"field": "ticket.status", "op": "within", "value": 1}]}},
            "conditions.all[0].op",
        ),
        ({"events": ["ticket.created", "ticket.burnt"]}, "events[1]"),
        ({"calendar_id": -1}, "calendar_id"),
        ({"plan_version_id": -1}, "plan_version_id"),
        ({"kind": "hourly"}, "kind"),
    ],
)
def test_bad_rules_are_refused_with_the_offending_path(supervisor_api, change, field):
    error = _error(supervisor_api.post("/rules", {**VIP, **change}), 422)
    assert error["field"] == field
    assert not Rule.objects.exists()


def test_a_missing_field_is_refused(supervisor_api):
    error = _error(supervisor_api.post("/rules", {"name": "No actions", "kind": "trigger"}), 422)
    assert error["code"] == "invalid"
    assert not Rule.objects.exists()


def test_agents_read_rules_but_may_not_change_them(agent_api, rule):
    listed = agent_api.get("/rules")
    assert listed.status_code == 200
    assert [r["name"] for r in listed.json()] == ["Gold first"]
    assert agent_api.get(f"/rules/{rule.pk}").json()["events"] == ["ticket.created"]
    assert _error(agent_api.post("/rules", VIP), 403)["code"] == "forbidden"
    assert _error(agent_api.patch(f"/rules/{rule.pk}", {"name": "Mine"}), 403)["code"] == "forbidden"
    assert _error(agent_api.delete(f"/rules/{rule.pk}"), 403)["code"] == "forbidden"
    body = {"kind": "trigger", "rule_ids": [rule.pk]}
    assert _error(agent_api.post("/rules/reorder", body), 403)["code"] == "forbidden"
    assert list(Rule.objects.values_list("name", flat=True)) == ["Gold first"]


def test_anonymous_callers_are_unauthenticated(rule):
    response = Client().get("/api/v1/rules")
    assert response.status_code == 401
    response = Client().post("/api/v1/rules", data=VIP, content_type="application/json")
    assert response.status_code == 401
    assert Rule.objects.count() == 1


def test_customers_may_not_see_rules(rule):
    customer_api = Api(portal_user(CustomerFactory()))
    assert _error(customer_api.get("/rules"), 403)["code"] == "forbidden"


def test_unknown_rules_are_not_found(agent_api, supervisor_api):
    assert _error(agent_api.get("/rules/-1"), 404)["code"] == "not_found"
    assert _error(supervisor_api.patch("/rules/-1", {"name": "x"}), 404)["code"] == "not_found"


def test_update_reorder_and_delete(supervisor_api, rule):
    second = supervisor_api.post("/rules", {**VIP, "name": "Second"}).json()
    patched = supervisor_api.patch(
        f"/rules/{rule.pk}", {"is_active": False, "actions": [{"type": "add_tags", "tags": ["gold"]}]}
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["is_active"], patched.json()["actions"]) == (
        False,
        [{"type": "add_tags", "tags": ["gold"]}],
    )
    bad = supervisor_api.patch(
        f"/rules/{rule.pk}", {"actions": [{"type": "notify", "to": "user", "title": "x"}]}
    )
    assert _error(bad, 422)["field"] == "actions[0].user_id"
    reordered = supervisor_api.post(
        "/rules/reorder", {"kind": "trigger", "rule_ids": [second["id"], rule.pk]}
    )
    assert [(r["id"], r["position"]) for r in reordered.json()] == [(second["id"], 0), (rule.pk, 1)]
    assert (
        _error(supervisor_api.post("/rules/reorder", {"kind": "trigger", "rule_ids": [rule.pk]}), 422)[
            "field"
        ]
        == "rule_ids"
    )
    assert supervisor_api.delete(f"/rules/{second['id']}").status_code == 204
    assert list(Rule.objects.values_list("pk", flat=True)) == [rule.pk]


def test_runs_of_a_rule_and_of_a_ticket(agent_api, rule, django_capture_on_commit_callbacks):
    ticket = _ticket(django_capture_on_commit_callbacks)
    expected = {
        "rule_id": rule.pk,
        "rule_name": "Gold first",
        "ticket_id": ticket.pk,
        "trigger": "ticket.created",
        "outcome": "matched",
        "actions": [
            {"type": "set_priority", "value": "high", "changed": True},
            {"type": "add_tags", "tags": ["vip"]},
        ],
        "error": "",
        "at": "2026-09-01T02:00:00+00:00",
    }
    for path in (f"/rules/{rule.pk}/runs", f"/tickets/{ticket.pk}/rule-runs"):
        response = agent_api.get(path)
        assert response.status_code == 200, response.content
        [run] = response.json()
        assert {key: run[key] for key in expected} == expected
        assert run["event_id"] == Event.objects.get(target_id=ticket.pk, verb="ticket.created").pk


def test_runs_page_back_with_before_id(agent_api, rule, django_capture_on_commit_callbacks):
    tickets = [_ticket(django_capture_on_commit_callbacks) for _ in range(3)]
    first_page = agent_api.get(f"/rules/{rule.pk}/runs", limit=2).json()
    assert [run["ticket_id"] for run in first_page] == [tickets[2].pk, tickets[1].pk]
    rest = agent_api.get(f"/rules/{rule.pk}/runs", limit=2, before_id=first_page[-1]["id"]).json()
    assert [run["ticket_id"] for run in rest] == [tickets[0].pk]
    assert _error(agent_api.get(f"/rules/{rule.pk}/runs", limit=0), 422)["field"] == "limit"


def test_runs_on_tickets_the_caller_may_not_see_are_hidden(
    agent_api, rule, private_team, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks, team=private_team)
    assert RuleRun.objects.filter(ticket=ticket).count() == 1
    assert _error(agent_api.get(f"/tickets/{ticket.pk}/rule-runs"), 404)["code"] == "not_found"
    assert agent_api.get(f"/rules/{rule.pk}/runs").json() == []
    supervisor_api = Api(staff(Role.SUPERVISOR))
    assert len(supervisor_api.get(f"/rules/{rule.pk}/runs").json()) == 1


def test_a_dry_run_reports_each_condition(agent_api, django_capture_on_commit_callbacks):
    rule = services.rule_create(
        actor=None,
        name="Pending gold",
        kind="automation",
        conditions={
            "all": [{"field": "customer.tier", "op": "is", "value": "gold"}],
            "any": [
                {"field": "ticket.status", "op": "is", "value": "pending"},
                {"field": "ticket.tags", "op": "contains", "value": "vip"},
            ],
        },
        actions_json=[{"type": "add_note", "body": "x"}],
    )
    ticket = _ticket(django_capture_on_commit_callbacks, tags=["VIP"])
    response = agent_api.post(f"/rules/{rule.pk}/dry-run", {"ticket_id": ticket.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["matched"], body["applies_to_ticket"]) == (True, True)
    assert [(c["path"], c["actual"], c["matched"]) for c in body["conditions"]] == [
        ("conditions.all[0]", "gold", True),
        ("conditions.any[0]", "new", False),
        ("conditions.any[1]", ["vip"], True),
    ]
    assert body["facts"]["ticket.id"] == ticket.pk
    assert not RuleRun.objects.exists()  # a dry run does nothing


def test_a_dry_run_on_a_ticket_the_caller_may_not_see_is_not_found(
    agent_api, rule, private_team, django_capture_on_commit_callbacks
):
    ticket = _ticket(django_capture_on_commit_callbacks, team=private_team)
    error = _error(agent_api.post(f"/rules/{rule.pk}/dry-run", {"ticket_id": ticket.pk}), 404)
    assert error["message"] == f"ticket {ticket.pk} not found"
    assert _error(agent_api.post(f"/rules/{rule.pk}/dry-run", {"ticket_id": -1}), 404)["code"] == "not_found"


def test_a_customer_cannot_see_rule_runs_of_their_own_ticket(rule, django_capture_on_commit_callbacks):
    customer = CustomerFactory(tier="gold")
    ticket = _ticket(django_capture_on_commit_callbacks, requester=customer)
    customer_api = Api(portal_user(customer))
    assert _error(customer_api.get(f"/tickets/{ticket.pk}/rule-runs"), 403)["code"] == "forbidden"


def test_listing_rules_takes_one_query_whatever_their_number(agent_api, django_assert_max_num_queries):
    for index in range(5):
        services.rule_create(
            actor=None,
            name=f"Rule {index}",
            kind="automation",
            actions_json=[{"type": "add_note", "body": "x"}],
        )
    with django_assert_max_num_queries(5):  # four to authenticate the token, one for the rules
        response = agent_api.get("/rules", kind="automation")
    assert [r["position"] for r in response.json()] == [0, 1, 2, 3, 4]
    assert _error(agent_api.get("/rules", kind="weekly"), 422)["field"] == "kind"


def test_the_admin_checks_rules_like_the_api(client):
    admin = staff(Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = {
        "name": "From the admin",
        "description": "",
        "kind": "trigger",
        "events": '["ticket.created"]',
        "conditions": '{"all": []}',
        "actions": '[{"type": "set_priority", "value": "asap"}]',
        "position": "0",
        "is_active": "on",
    }
    response = client.post("/admin/rules/rule/add/", form)
    assert response.status_code == 200
    assert "actions[0].value: give one of low, normal, high, urgent" in response.content.decode()
    assert not Rule.objects.exists()
    form["actions"] = '[{"type": "set_priority", "value": "high"}]'
    assert client.post("/admin/rules/rule/add/", form).status_code == 302
    rule = Rule.objects.get()
    assert (rule.created_by_id, rule.actions) == (admin.pk, [{"type": "set_priority", "value": "high"}])
    assert Event.objects.filter(verb="rule.created_in_admin", target_id=rule.pk).exists()
    assert client.get("/admin/rules/rulerun/").status_code == 200
