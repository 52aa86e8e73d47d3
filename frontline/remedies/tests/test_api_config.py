"""Configuring remedies over the API: complaint reasons, the catalogue, approval limits, team budgets.

Supervisors and admins only; bad input is a 422 naming the field and changes nothing.
"""

from decimal import Decimal

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.remedies import services
from frontline.remedies.models import ApprovalLimit, ComplaintReason, RemedyOption, TeamBudget

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people, limits, catalogue):
    return {name: Api(user) for name, user in people.items()}


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- Complaint reasons


def test_add_rename_and_retire_a_complaint_reason(api):
    created = api["supervisor"].post(
        "/remedies/config/reasons", {"code": "late_refund", "name": "Late refund", "position": 5}
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "id": created.json()["id"],
        "code": "late_refund",
        "name": "Late refund",
        "is_active": True,
        "position": 5,
    }
    assert "late_refund" in [r["code"] for r in api["agent"].get("/complaints/reasons").json()]

    retired = api["admin"].patch(
        "/remedies/config/reasons/late_refund", {"is_active": False, "name": "Slow refund"}
    )

    assert (retired.json()["is_active"], retired.json()["name"]) == (False, "Slow refund")
    assert "late_refund" not in [r["code"] for r in api["agent"].get("/complaints/reasons").json()]
    everything = api["supervisor"].get("/remedies/config/reasons").json()
    assert {"code": "late_refund", "is_active": False} in [
        {"code": r["code"], "is_active": r["is_active"]} for r in everything
    ]
    assert Event.objects.filter(verb="complaint_reason.updated").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "Late Refund!", "name": "Late"}, 422, "code"),
        ({"code": "late", "name": "  "}, 422, "name"),
        ({"code": "billing", "name": "Billing again"}, 409, "code"),
        ({"code": "late", "name": "Late", "position": -1}, 422, None),
    ],
)
def test_bad_complaint_reasons_are_refused(api, body, status, field):
    before = ComplaintReason.objects.count()
    error = _error(api["supervisor"].post("/remedies/config/reasons", body), status)
    if field:
        assert error["field"] == field
    assert ComplaintReason.objects.count() == before


def test_agents_customers_and_unknown_reasons(api, ticket):
    before = ComplaintReason.objects.count()
    assert _error(api["agent"].post("/remedies/config/reasons", {"code": "x", "name": "X"}), 403)
    assert _error(api["agent"].get("/remedies/config/reasons"), 403)
    assert _error(api["agent"].patch("/remedies/config/reasons/billing", {"is_active": False}), 403)
    customer = Api(portal_user(CustomerFactory()))
    assert _error(customer.post("/remedies/config/reasons", {"code": "x", "name": "X"}), 403)
    assert _error(api["supervisor"].patch("/remedies/config/reasons/nope", {"is_active": False}), 404)
    assert ComplaintReason.objects.count() == before
    assert ComplaintReason.objects.get(code="billing").is_active


# --- The catalogue


def test_add_change_and_retire_a_catalogue_entry(api, ticket):
    created = api["supervisor"].post(
        "/remedies/config/options",
        {
            "code": "visit",
            "name": "Free service visit",
            "kind": "service_visit",
            "currency": "php",
            "max_value": "800",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["code"], body["currency"], body["max_value"], body["is_active"]) == (
        "visit",
        "PHP",
        "800.00",
        True,
    )

    uncapped = api["supervisor"].patch(f"/remedies/config/options/{body['id']}", {"max_value": None})
    assert uncapped.json()["max_value"] is None
    renamed = api["supervisor"].patch(f"/remedies/config/options/{body['id']}", {"name": "Technician visit"})
    assert (renamed.json()["name"], renamed.json()["max_value"]) == ("Technician visit", None)
    codes = [o["code"] for o in api["agent"].get(f"/tickets/{ticket.pk}/remedies/options").json()["options"]]
    assert "visit" in codes

    api["admin"].patch(f"/remedies/config/options/{body['id']}", {"is_active": False})

    codes = [o["code"] for o in api["agent"].get(f"/tickets/{ticket.pk}/remedies/options").json()["options"]]
    assert "visit" not in codes
    assert len(api["supervisor"].get("/remedies/config/options").json()) == 4


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "x", "name": "X", "kind": "hug", "currency": "PHP"}, 422, "kind"),
        ({"code": "x", "name": "X", "kind": "coupon", "currency": "pesos"}, 422, "currency"),
        (
            {
                "code": "x",
                "name": "X",
                "kind": "coupon",
                "currency": "PHP",
                "min_value": "10",
                "max_value": "5",
            },
            422,
            "max_value",
        ),
        ({"code": "credit", "name": "Again", "kind": "coupon", "currency": "PHP"}, 409, "code"),
        (
            {"code": "x", "name": "X", "kind": "coupon", "currency": "PHP", "plan_version_id": -1},
            422,
            "plan_version_id",
        ),
    ],
)
def test_bad_catalogue_entries_are_refused(api, body, status, field):
    assert _error(api["supervisor"].post("/remedies/config/options", body), status)["field"] == field
    assert RemedyOption.objects.count() == 3


def test_agents_may_not_change_the_catalogue(api, catalogue):
    credit = catalogue["credit"]
    assert _error(api["agent"].patch(f"/remedies/config/options/{credit.pk}", {"is_active": False}), 403)
    assert _error(api["agent"].get("/remedies/config/options"), 403)
    assert _error(api["supervisor"].patch("/remedies/config/options/-1", {"is_active": False}), 404)
    bad = api["supervisor"].patch(f"/remedies/config/options/{credit.pk}", {"min_value": "2000"})
    assert _error(bad, 422)["field"] == "max_value"
    credit.refresh_from_db()
    assert (credit.is_active, credit.min_value) == (True, Decimal("0"))


# --- Approval limits


def test_an_admin_sets_role_and_personal_limits(api, people):
    listed = api["admin"].get("/remedies/config/limits").json()
    assert [(row["role"], row["max_amount"]) for row in listed] == [
        ("agent", "25.00"),
        ("supervisor", "200.00"),
    ]

    changed = api["admin"].post(
        "/remedies/config/limits", {"role": "agent", "currency": "PHP", "max_amount": "30"}
    )
    assert (changed.status_code, changed.json()["max_amount"]) == (200, "30.00")
    personal = api["admin"].post(
        "/remedies/config/limits", {"user_id": people["agent"].pk, "currency": "PHP", "max_amount": None}
    )
    assert personal.status_code == 201
    assert personal.json()["max_amount"] is None  # unlimited
    patched = api["admin"].patch(f"/remedies/config/limits/{personal.json()['id']}", {"max_amount": "75"})
    assert patched.json()["max_amount"] == "75.00"
    assert api["admin"].delete(f"/remedies/config/limits/{personal.json()['id']}").status_code == 204
    assert ApprovalLimit.objects.filter(user=people["agent"]).count() == 0
    assert Event.objects.filter(verb="remedy_limit.set").count() == 3


def test_a_supervisor_may_not_raise_their_own_authority(api, people):
    supervisor = api["supervisor"]
    own = {"user_id": people["supervisor"].pk, "currency": "PHP", "max_amount": "5000"}
    assert _error(supervisor.post("/remedies/config/limits", own), 403)
    role = {"role": "supervisor", "currency": "PHP", "max_amount": "5000"}
    assert _error(supervisor.post("/remedies/config/limits", role), 403)
    above = {"role": "agent", "currency": "PHP", "max_amount": "500"}
    assert "your own" in _error(supervisor.post("/remedies/config/limits", above), 403)["message"]
    within = supervisor.post(
        "/remedies/config/limits", {"role": "agent", "currency": "PHP", "max_amount": "50"}
    )
    assert within.status_code == 200
    assert ApprovalLimit.objects.get(role="supervisor").max_amount == Decimal("200")
    assert not ApprovalLimit.objects.filter(user=people["supervisor"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "boss", "currency": "PHP", "max_amount": "5"}, "role"),
        ({"currency": "PHP", "max_amount": "5"}, "role"),
        ({"role": "agent", "currency": "PH", "max_amount": "5"}, "currency"),
        ({"user_id": -1, "currency": "PHP", "max_amount": "5"}, "user_id"),
        ({"role": "agent", "currency": "PHP", "max_amount": "-5"}, None),
    ],
)
def test_bad_limits_are_refused(api, body, field):
    error = _error(api["admin"].post("/remedies/config/limits", body), 422)
    if field:
        assert error["field"] == field
    assert ApprovalLimit.objects.count() == 2
    assert ApprovalLimit.objects.get(role="agent").max_amount == Decimal("25")


def test_agents_and_customers_cannot_see_or_change_limits(api, people):
    limit = ApprovalLimit.objects.get(role="agent")
    assert _error(api["agent"].get("/remedies/config/limits"), 403)
    assert _error(api["agent"].patch(f"/remedies/config/limits/{limit.pk}", {"max_amount": "1000"}), 403)
    assert _error(api["agent"].delete(f"/remedies/config/limits/{limit.pk}"), 403)
    assert _error(api["admin"].delete("/remedies/config/limits/999999"), 404)
    assert _error(Api(portal_user(CustomerFactory())).get("/remedies/config/limits"), 403)
    limit.refresh_from_db()
    assert limit.max_amount == Decimal("25")


# --- Team budgets


def test_set_read_change_and_remove_a_team_budget(api, team, people, ticket):
    created = api["supervisor"].post(
        "/remedies/config/budgets", {"team_id": team.pk, "currency": "PHP", "monthly_amount": "500"}
    )
    assert created.status_code == 201, created.content
    services.remedy_issue(actor=people["agent"], ticket=ticket, option="credit", amount="20")

    listed = api["supervisor"].get("/remedies/config/budgets").json()

    assert listed == [
        {
            "id": created.json()["id"],
            "team_id": team.pk,
            "team": "Front line",
            "currency": "PHP",
            "monthly_amount": "500.00",
            "spent_this_month": "20.00",
            "remaining_this_month": "480.00",
        }
    ]
    again = api["supervisor"].post(
        "/remedies/config/budgets", {"team_id": team.pk, "currency": "PHP", "monthly_amount": "600"}
    )
    assert (again.status_code, again.json()["remaining_this_month"]) == (200, "580.00")
    patched = api["admin"].patch(f"/remedies/config/budgets/{created.json()['id']}", {"monthly_amount": "0"})
    assert patched.json()["monthly_amount"] == "0.00"
    assert api["admin"].delete(f"/remedies/config/budgets/{created.json()['id']}").status_code == 204
    assert not TeamBudget.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team_id": -1, "currency": "PHP", "monthly_amount": "5"}, "team_id"),
        ({"currency": "PHP", "monthly_amount": "5"}, None),
        ({"team_id": 0, "currency": "peso", "monthly_amount": "5"}, "currency"),
        ({"team_id": 0, "currency": "PHP", "monthly_amount": "1.234"}, None),
    ],
)
def test_bad_budgets_are_refused(api, team, body, field):
    if body.get("team_id") == 0:
        body = {**body, "team_id": team.pk}
    error = _error(api["supervisor"].post("/remedies/config/budgets", body), 422)
    if field:
        assert error["field"] == field
    assert not TeamBudget.objects.exists()


def test_agents_cannot_see_or_change_budgets(api, budget):
    assert _error(api["agent"].get("/remedies/config/budgets"), 403)
    payload = {"team_id": TeamFactory().pk, "currency": "PHP", "monthly_amount": "9999"}
    assert _error(api["agent"].post("/remedies/config/budgets", payload), 403)
    assert _error(
        api["agent"].patch(f"/remedies/config/budgets/{budget.pk}", {"monthly_amount": "9999"}), 403
    )
    assert _error(api["agent"].delete(f"/remedies/config/budgets/{budget.pk}"), 403)
    assert _error(api["supervisor"].patch("/remedies/config/budgets/999999", {"monthly_amount": "1"}), 404)
    budget.refresh_from_db()
    assert budget.monthly_amount == Decimal("100")
    assert TeamBudget.objects.count() == 1


def test_the_config_services_refuse_agents_directly(people, team):
    with pytest.raises(services.Forbidden):
        services.team_budget_set(actor=people["agent"], team=team, currency="PHP", monthly_amount="5")
    trusted = staff(Role.AGENT)
    with pytest.raises(services.Forbidden):
        services.approval_limit_set(actor=trusted, currency="PHP", max_amount="5", user=trusted)
    assert not TeamBudget.objects.exists()
    assert not ApprovalLimit.objects.exists()
