"""The escalation and on-call API: staff read, supervisors configure, tickets stay scoped."""

from datetime import time, timedelta

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.escalations import services
from frontline.escalations.models import EscalationChain, EscalationRun
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return Api(staff(Role.SUPERVISOR))


@pytest.fixture
def agent():
    return Api(staff(Role.AGENT))


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_supervisor_builds_a_roster_and_every_agent_sees_who_is_on_call(supervisor, agent):
    manager = staff(Role.SUPERVISOR, email="m@staff.example.test", first_name="Mara", last_name="Manager")
    roster = supervisor.post("/oncall/rosters", {"name": "Managers", "timezone": "Asia/Manila"})
    assert roster.status_code == 201
    roster_id = roster.json()["id"]
    shift = supervisor.post(
        f"/oncall/rosters/{roster_id}/shifts",
        {
            "user_id": manager.pk,
            "phone": "+639171234567",
            "weekdays": list(range(7)),
            "start": "00:00",
            "end": "00:00",
        },
    )
    assert shift.status_code == 201
    [entry] = shift.json()["shifts"]
    assert entry["name"] == "Mara Manager"
    assert entry["weekdays"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    [now] = agent.get("/oncall").json()
    assert (now["name"], now["phone"], now["email"], now["user_id"]) == (
        "Mara Manager",
        "+639171234567",
        "m@staff.example.test",
        manager.pk,
    )
    assert supervisor.delete(f"/oncall/shifts/{entry['id']}").status_code == 204
    assert agent.get("/oncall").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"name": "X", "weekdays": ["funday"], "start": "09:00", "end": "17:00", "phone": "+639170000000"},
            "weekdays",
        ),
        ({"name": "X", "weekdays": ["mon"], "start": "09:00", "end": "17:00"}, "phone"),
        ({"name": "X", "weekdays": ["mon"], "start": "09:00", "end": "17:00", "user_id": 999999}, "user_id"),
    ],
)
def test_bad_shifts_name_the_field(supervisor, body, field):
    roster = services.roster_create(actor=None, name="R", timezone_name="UTC")
    assert _error(supervisor.post(f"/oncall/rosters/{roster.pk}/shifts", body), 422)["field"] == field
    assert not roster.shifts.exists()


def test_customers_cannot_be_on_call(supervisor):
    roster = services.roster_create(actor=None, name="R", timezone_name="UTC")
    customer_user = portal_user(CustomerFactory())
    body = {"user_id": customer_user.pk, "weekdays": ["mon"], "start": "09:00", "end": "17:00"}
    assert _error(supervisor.post(f"/oncall/rosters/{roster.pk}/shifts", body), 422)["field"] == "user_id"


def test_chain_create_update_and_bad_input(supervisor):
    tier2 = TeamFactory(name="Tier 2")
    body = {
        "name": "Breach ladder",
        "trigger": "sla_breached",
        "steps": [
            {"action": "notify_assignee"},
            {"action": "reassign", "delay_minutes": 60, "team_id": tier2.pk},
        ],
    }
    created = supervisor.post("/escalation-chains", body)
    assert created.status_code == 201
    chain = created.json()
    assert [s["action"] for s in chain["steps"]] == ["notify_assignee", "reassign"]
    assert chain["steps"][1]["delay_minutes"] == 60

    patched = supervisor.patch(f"/escalation-chains/{chain['id']}", {"active": False})
    assert patched.json()["active"] is False
    assert len(patched.json()["steps"]) == 2

    bad_team = {**body, "name": "Other", "steps": [{"action": "reassign", "team_id": 999999}]}
    assert _error(supervisor.post("/escalation-chains", bad_team), 422)["field"] == "steps[0].team_id"
    no_roster = {**body, "name": "Other", "steps": [{"action": "page_on_call"}]}
    assert _error(supervisor.post("/escalation-chains", no_roster), 422)["field"] == "steps[0].action"
    assert _error(supervisor.post("/escalation-chains", {**body}), 422)["field"] == "name"  # taken
    assert EscalationChain.objects.count() == 1


def test_agents_read_but_do_not_configure(agent, client):
    assert agent.get("/escalation-chains").status_code == 200
    assert _error(agent.post("/oncall/rosters", {"name": "Mine"}), 403)["code"] == "forbidden"
    body = {"name": "C", "trigger": "manual", "steps": [{"action": "notify_assignee"}]}
    assert _error(agent.post("/escalation-chains", body), 403)["code"] == "forbidden"
    assert client.get("/api/v1/oncall").status_code == 401
    assert Api(portal_user(CustomerFactory())).get("/oncall").status_code == 403


def test_escalate_by_hand_list_and_cancel_with_ticket_scoping(supervisor, agent):
    team = TeamFactory(lead=staff(Role.SUPERVISOR))
    chain = services.chain_create(
        actor=None,
        name="Lead then raise",
        trigger="manual",
        steps=[
            services.StepSpec("notify_team_lead"),
            services.StepSpec("raise_priority", timedelta(hours=4)),
        ],
    )
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Dryer loud", team=team)
    started = agent.post(f"/tickets/{ticket.pk}/escalations", {"chain_id": chain.pk})
    assert started.status_code == 201
    run = started.json()
    assert (run["state"], run["steps_done"], run["steps_total"]) == ("active", 1, 2)
    assert [r["id"] for r in agent.get(f"/tickets/{ticket.pk}/escalations").json()] == [run["id"]]
    assert (
        _error(agent.post(f"/tickets/{ticket.pk}/escalations", {"chain_id": 999999}), 422)["field"]
        == "chain_id"
    )

    assert (
        _error(agent.post(f"/escalation-runs/{run['id']}/cancel", {"reason": "no"}), 403)["code"]
        == "forbidden"
    )
    cancelled = supervisor.post(f"/escalation-runs/{run['id']}/cancel", {"reason": "handled by phone"})
    assert cancelled.json()["state"] == "cancelled"
    assert (
        _error(supervisor.post(f"/escalation-runs/{run['id']}/cancel", {}), 409)["code"] == "escalation_ended"
    )

    hidden = ticket_create(
        actor=None, requester=CustomerFactory(), subject="x", team=TeamFactory(is_private=True)
    )
    assert agent.get(f"/tickets/{hidden.pk}/escalations").status_code == 404
    assert agent.post(f"/tickets/{hidden.pk}/escalations", {"chain_id": chain.pk}).status_code == 404
    assert not EscalationRun.objects.filter(ticket=hidden).exists()


def test_override_times_need_offsets_and_order(supervisor):
    roster = services.roster_create(actor=None, name="R", timezone_name="UTC")
    body = {
        "name": "Cy",
        "phone": "+639170000000",
        "starts_at": "2026-11-24T06:00:00+08:00",
        "ends_at": "2026-11-24T00:00:00+08:00",
    }
    assert _error(supervisor.post(f"/oncall/rosters/{roster.pk}/overrides", body), 422)["field"] == "ends_at"
    body["ends_at"] = "2026-11-24T12:00:00+08:00"
    assert supervisor.post(f"/oncall/rosters/{roster.pk}/overrides", body).status_code == 201
    services.shift_add(
        actor=None,
        roster=roster,
        person=services.Person(name="Day", phone="+639170000001"),
        weekdays=["mon"],
        start=time(9),
        end=time(17),
    )
