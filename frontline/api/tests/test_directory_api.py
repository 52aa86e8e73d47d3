"""Customers, organizations, segments, teams, agents, plans, events and the API's own documents."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.api.tests.conftest import Api
from frontline.customers import services as customer_services
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.customers.models import Customer, Organization, Segment
from frontline.events.models import Event
from frontline.plans.models import Plan
from frontline.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def supervisor_api(db):
    return Api(staff(Role.SUPERVISOR))


@pytest.fixture
def customer_api(db):
    return Api(portal_user(CustomerFactory()))


# --- customers ---


def test_customers_create_get_update_and_search(agent_api):
    created = agent_api.post(
        "/customers",
        {
            "salutation": "Ms",
            "first_name": "Lea",
            "last_name": "Reyes",
            "emails": ["lea@example.ph"],
            "phones": ["+63 917 555 0101"],
            "social": [{"network": "facebook", "handle": "@leareyes"}],
            "tier": "gold",
            "country": "ph",
            "lifetime_value": "15000.50",
            "age_band": "25_34",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["emails"], body["phones"], body["country"], body["lifetime_value"]) == (
        ["lea@example.ph"],
        ["+63 917 555 0101"],
        "PH",
        "15000.50",
    )
    assert body["social"][0]["normalized"] == "leareyes"
    assert agent_api.get(f"/customers/{body['id']}").json()["display_name"] == "Lea Reyes"
    patched = agent_api.patch(
        f"/customers/{body['id']}", {"tier": "platinum", "add_emails": ["l2@example.ph"]}
    )
    assert patched.json()["tier"] == "platinum"
    assert patched.json()["emails"] == ["lea@example.ph", "l2@example.ph"]
    assert [c["id"] for c in agent_api.get("/customers", q="reyes").json()["items"]] == [body["id"]]
    assert [c["id"] for c in agent_api.get("/customers", q="l2@example").json()["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"emails": ["nope"]}, 422, "email"),
        ({"tier": "diamond"}, 422, "tier"),
        ({"lifetime_value": "lots"}, 422, "lifetime_value"),
        ({"country": "PHL"}, 422, "country"),
        ({"organization_id": -1}, 422, "organization_id"),
        ({"age_band": "old"}, 422, "age_band"),
    ],
)
def test_bad_customer_input(agent_api, body, status, field):
    assert _error(agent_api.post("/customers", body), status)["field"] == field
    assert Customer.objects.count() == 0


def test_duplicate_email_is_a_409(agent_api):
    CustomerFactory(email="dup@example.ph")
    assert (
        _error(agent_api.post("/customers", {"emails": ["DUP@example.ph"]}), 409)["code"]
        == "duplicate_contact"
    )


def test_customers_cannot_read_the_customer_directory(customer_api):
    other = CustomerFactory()
    _error(customer_api.get("/customers"), 403)
    _error(customer_api.get(f"/customers/{other.pk}"), 403)
    _error(customer_api.post("/customers", {"first_name": "x"}), 403)
    _error(customer_api.patch(f"/customers/{other.pk}", {"tier": "gold"}), 403)
    other.refresh_from_db()
    assert other.tier == "standard"


def test_unknown_customer_is_404(agent_api):
    _error(agent_api.get("/customers/-1"), 404)


def test_customer_pages_are_keyset(agent_api):
    ids = [CustomerFactory().pk for _ in range(5)]
    first = agent_api.get("/customers", limit=2).json()
    second = agent_api.get("/customers", limit=10, after_id=first["next_after_id"]).json()
    assert [c["id"] for c in first["items"] + second["items"]] == ids
    _error(agent_api.get("/customers", limit=0), 422)


# --- organizations ---


def test_organizations(agent_api, customer_api):
    created = agent_api.post(
        "/organizations", {"name": "Acme PH", "domain": "ACME.ph", "shares_tickets": True}
    )
    assert created.status_code == 201
    org_id = created.json()["id"]
    assert created.json()["domain"] == "acme.ph"
    assert agent_api.get(f"/organizations/{org_id}").json()["name"] == "Acme PH"
    assert (
        agent_api.patch(f"/organizations/{org_id}", {"notes": "key account"}).json()["notes"] == "key account"
    )
    assert [o["id"] for o in agent_api.get("/organizations").json()] == [org_id]
    assert _error(agent_api.post("/organizations", {"name": "acme ph"}), 409)["field"] == "name"
    _error(agent_api.post("/organizations", {"name": ""}), 422)
    _error(agent_api.get("/organizations/-1"), 404)
    _error(customer_api.get(f"/organizations/{org_id}"), 403)
    _error(customer_api.post("/organizations", {"name": "Mine"}), 403)
    assert Organization.objects.count() == 1


# --- segments ---


def test_segments_and_their_customers(supervisor_api, agent_api):
    gold = CustomerFactory(tier="gold", country="PH")
    CustomerFactory(tier="gold", country="CN")
    created = supervisor_api.post("/segments", {"name": "Gold PH", "rule": "tier = gold and country = PH"})
    assert created.status_code == 201
    segment_id = created.json()["id"]
    members = agent_api.get(f"/segments/{segment_id}/customers").json()["items"]
    assert [c["id"] for c in members] == [gold.pk]
    assert [s["name"] for s in agent_api.get("/segments").json()] == ["Gold PH"]
    changed = supervisor_api.patch(f"/segments/{segment_id}", {"rule": "tier = gold"})
    assert changed.json()["rule"] == "tier = gold"
    assert len(agent_api.get(f"/segments/{segment_id}/customers").json()["items"]) == 2


def test_bad_segment_rules_are_422_with_the_reason(supervisor_api):
    error = _error(supervisor_api.post("/segments", {"name": "x", "rule": "tier = gold and"}), 422)
    assert error["field"] == "rule"
    assert "ends early" in error["message"]
    assert Segment.objects.count() == 0


def test_agents_read_segments_but_do_not_change_them(agent_api, supervisor_api, customer_api):
    segment_id = supervisor_api.post("/segments", {"name": "S", "rule": "tier = gold"}).json()["id"]
    _error(agent_api.post("/segments", {"name": "T", "rule": "tier = gold"}), 403)
    _error(agent_api.patch(f"/segments/{segment_id}", {"rule": "tier = silver"}), 403)
    _error(customer_api.get(f"/segments/{segment_id}/customers"), 403)
    _error(agent_api.get("/segments/-1"), 404)
    assert Segment.objects.get().rule == "tier = gold"


# --- teams and agents ---


def test_teams(admin_api, agent_api, customer_api):
    created = admin_api.post("/teams", {"name": "Technical", "is_private": True})
    assert created.status_code == 201
    team_id = created.json()["id"]
    assert agent_api.get(f"/teams/{team_id}").json()["is_private"] is True
    assert admin_api.patch(f"/teams/{team_id}", {"is_private": False}).json()["is_private"] is False
    assert _error(admin_api.post("/teams", {"name": "technical"}), 409)["field"] == "name"
    _error(admin_api.post("/teams", {"name": ""}), 422)
    _error(agent_api.post("/teams", {"name": "Rogue"}), 403)
    _error(agent_api.patch(f"/teams/{team_id}", {"name": "Mine"}), 403)
    _error(customer_api.get("/teams"), 403)
    _error(agent_api.get("/teams/-1"), 404)


def test_agents(supervisor_api, agent_api, agent, team, customer_api):
    profile_id = agent.agent.pk
    listed = agent_api.get("/agents", team_id=team.pk).json()
    assert [a["id"] for a in listed] == [profile_id]
    assert listed[0]["role"] == "agent"
    changed = supervisor_api.patch(
        f"/agents/{profile_id}",
        {
            "skills": {"refrigeration": 5},
            "languages": ["fil"],
            "capacity": {"chat": 3},
            "cost_per_hour": "6.25",
        },
    )
    assert changed.status_code == 200
    body = changed.json()
    assert (body["skills"], body["languages"], body["capacity"], body["cost_per_hour"]) == (
        [{"name": "refrigeration", "proficiency": 5}],
        ["fil"],
        {"chat": 3},
        "6.25",
    )
    _error(supervisor_api.patch(f"/agents/{profile_id}", {"skills": {"x": 9}}), 422)
    _error(supervisor_api.patch(f"/agents/{profile_id}", {"team_ids": [-1]}), 422)
    _error(agent_api.patch(f"/agents/{profile_id}", {"languages": ["en"]}), 403)
    _error(customer_api.get("/agents"), 403)
    _error(agent_api.get("/agents/-1"), 404)


def test_me(agent_api, agent, team, customer_api):
    assert agent_api.get("/me").json()["team_ids"] == [team.pk]
    me = customer_api.get("/me").json()
    assert me["role"] is None
    assert me["customer_id"] is not None


# --- plans ---


def test_plan_versions_and_the_resolver(supervisor_api, agent_api):
    plan = supervisor_api.post("/plans", {"name": "Standard service"}).json()
    v1 = supervisor_api.post(
        f"/plans/{plan['id']}/versions", {"summary": "first", "settings": {"a": 1}}
    ).json()
    assert (v1["number"], v1["status"]) == (1, "draft")
    assert supervisor_api.patch(f"/plans/{plan['id']}/versions/1", {"summary": "first!"}).json()[
        "summary"
    ] == ("first!")
    started = (timezone.now() - timedelta(days=10)).isoformat()
    active = supervisor_api.post(f"/plans/{plan['id']}/versions/1/activate", {"at": started}).json()
    assert active["status"] == "active"
    _error(supervisor_api.patch(f"/plans/{plan['id']}/versions/1", {"summary": "x"}), 409)
    supervisor_api.post(f"/plans/{plan['id']}/versions", {"summary": "second"})
    supervisor_api.post(f"/plans/{plan['id']}/versions/2/activate", {})
    customer = CustomerFactory()
    now = agent_api.get("/plans/resolve", customer_id=customer.pk).json()
    assert now["version"]["number"] == 2
    then = agent_api.get(
        "/plans/resolve", customer_id=customer.pk, at=(timezone.now() - timedelta(days=5)).isoformat()
    ).json()
    assert then["version"]["number"] == 1
    before = agent_api.get(
        "/plans/resolve", customer_id=customer.pk, at=(timezone.now() - timedelta(days=50)).isoformat()
    ).json()
    assert before["version"] is None
    assert [v["status"] for v in agent_api.get(f"/plans/{plan['id']}").json()["versions"]] == [
        "retired",
        "active",
    ]


def test_plan_access_and_bad_input(supervisor_api, agent_api, customer_api):
    plan = supervisor_api.post("/plans", {"name": "P"}).json()
    _error(agent_api.post("/plans", {"name": "Q"}), 403)
    _error(agent_api.post(f"/plans/{plan['id']}/versions", {}), 403)
    _error(customer_api.get("/plans"), 403)
    _error(supervisor_api.post("/plans", {"name": "P2", "segment_id": -1}), 422)
    _error(supervisor_api.post("/plans/-1/versions", {}), 404)
    _error(supervisor_api.post(f"/plans/{plan['id']}/versions/9/activate", {}), 404)
    _error(agent_api.get("/plans/resolve", customer_id=-1), 404)
    assert Plan.objects.count() == 1


# --- events ---


def test_events_by_role(agent_api, supervisor_api, customer_api, team):
    ticket = ticket_services.ticket_create(actor=None, requester=CustomerFactory(), subject="s", team=team)
    customer_services.customer_create(actor=None, emails=["e@x.ph"])
    own = agent_api.get("/events", target_type="ticket", target_id=ticket.pk).json()
    assert [e["verb"] for e in own] == ["ticket.created"]
    assert supervisor_api.get("/events", verb="customer.created").json()[0]["target_type"] == "customer"
    _error(agent_api.get("/events"), 403)
    _error(customer_api.get("/events", target_type="ticket", target_id=ticket.pk), 403)
    _error(agent_api.get("/events", target_id=ticket.pk), 422)
    _error(supervisor_api.get("/events", limit=1000), 422)
    hidden = ticket_services.ticket_create(
        actor=None, requester=CustomerFactory(), subject="s", team=TeamFactory(is_private=True)
    )
    _error(agent_api.get("/events", target_type="ticket", target_id=hidden.pk), 404)
    assert Event.objects.filter(target_id=hidden.pk).exists()


# --- documents ---


def test_openapi_document_and_docs_page_are_served():
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/customers",
        "/api/v1/segments/{segment_id}/customers",
        "/api/v1/teams",
        "/api/v1/agents",
        "/api/v1/events",
        "/api/v1/tokens",
        "/api/v1/plans/resolve",
    ]:
        assert path in paths
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content


def test_unknown_api_paths_are_json_404():
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404


def test_docs_page_loads_its_assets_from_this_server_not_a_cdn():
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in docs
    assert "/static/ninja/swagger-ui-bundle.js" in docs
