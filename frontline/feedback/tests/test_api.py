"""The feedback API: success, bad input (422 with the field), and callers who must not."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from frontline.accounts.factories import TeamFactory
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.customers.services import segment_create
from frontline.feedback import services
from frontline.feedback.models import Purchase, Survey, SurveyInvitation
from frontline.remedies import services as remedies
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Range hoods",
    "product": "Range hood",
    "questions": [
        {"key": "quality", "label": "Quality", "kind": "scale", "low": 1, "high": 5, "required": True}
    ],
}


@pytest.fixture
def api(people):
    return {name: Api(user) for name, user in people.items() if name in ("lead", "agent", "admin")}


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def test_supervisors_create_forms_and_staff_send_them(api, make_ticket):
    created = api["lead"].post("/surveys", FORM)
    assert created.status_code == 201, created.content
    assert created.json()["questions"][0] == {
        "key": "quality",
        "label": "Quality",
        "kind": "scale",
        "required": True,
        "low": 1,
        "high": 5,
    }
    assert [s["name"] for s in api["agent"].get("/surveys").json()] == ["Range hoods"]
    ticket = make_ticket(channel="chat")
    sent = api["agent"].post(
        f"/surveys/{created.json()['id']}/invitations",
        {"customer_id": ticket.requester_id, "ticket_id": ticket.pk},
    )
    assert sent.status_code == 201
    assert sent.json()["channel"] == "chat"
    assert "/survey/" in sent.json()["url"]
    path = sent.json()["url"].split("127.0.0.1:8000", 1)[1]
    assert Client().get(path).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FORM, "questions": [{"key": "Bad Key", "label": "x"}]}, "questions[0].key"),
        ({**FORM, "questions": []}, "questions"),
        ({**FORM, "product": " "}, "product"),
        ({"name": "x", "product": "y"}, "questions"),
    ],
)
def test_bad_forms_name_the_field(api, body, field):
    assert _error(api["lead"].post("/surveys", body), 422)["field"] == field
    assert not Survey.objects.exists()


def test_agents_customers_and_anonymous_cannot_create_forms(api, make_ticket):
    assert _error(api["agent"].post("/surveys", FORM), 403)
    customer = Api(portal_user(CustomerFactory()))
    assert _error(customer.post("/surveys", FORM), 403)
    assert _error(customer.get("/surveys"), 403)
    assert Client().get("/api/v1/surveys").status_code == 401
    assert not Survey.objects.exists()


def test_invitations_check_the_ticket_and_its_visibility(api, make_ticket, people):
    survey = services.survey_create(actor=None, **FORM)
    ticket = make_ticket()
    hidden = ticket_create(
        actor=None, requester=ticket.requester, subject="x", team=TeamFactory(is_private=True)
    )
    url = f"/surveys/{survey.pk}/invitations"
    assert _error(api["agent"].post(url, {"customer_id": ticket.requester_id, "ticket_id": hidden.pk}), 404)
    other = CustomerFactory()
    assert (
        _error(api["agent"].post(url, {"customer_id": other.pk, "ticket_id": ticket.pk}), 422)["field"]
        == "ticket_id"
    )
    assert _error(api["agent"].post(url, {"ticket_id": ticket.pk}), 422)["field"] == "customer_id"
    assert _error(api["agent"].post("/surveys/-1/invitations", {"customer_id": other.pk}), 404)
    assert not SurveyInvitation.objects.exists()


def test_nps_is_sent_once_per_interval_through_the_api(api, plan_version, mailoutbox):
    customer = CustomerFactory()
    first = api["agent"].post(f"/customers/{customer.pk}/nps")
    assert first.status_code == 201
    assert first.json()["kind"] == "nps"
    assert _error(api["agent"].post(f"/customers/{customer.pk}/nps"), 409)["code"] == "nps_too_soon"
    assert _error(api["agent"].post("/customers/-1/nps"), 404)
    assert _error(Api(portal_user(customer)).post(f"/customers/{customer.pk}/nps"), 403)
    assert SurveyInvitation.objects.count() == 1


def _answer(kind, customer, score, at, ticket=None, agent=None):
    with time_machine.travel(at, tick=False):
        if kind == "nps":
            _, token = services.nps_send(actor=None, customer=customer)
        else:
            _invitation, token = services._invitation_create(
                kind="csat", customer=customer, config=services.feedback_settings(None), at=at, ticket=ticket
            )
        return services.survey_respond(token=token, data={"score": str(score)})


def test_nps_report_is_exact_on_a_known_sample_by_segment(api, plan_version):
    segment_create(actor=None, name="Philippines", rule='country = "PH"')
    at = datetime(2025, 3, 3, 10, tzinfo=UTC)
    for score in (10, 10, 9, 8, 7, 6, 0, 3, 9, 10):
        _answer("nps", CustomerFactory(country="PH"), score, at)
    _answer("nps", CustomerFactory(country="US"), 0, at)
    rows = (
        api["lead"]
        .get(
            "/reports/satisfaction",
            kind="nps",
            by="segment",
            period="month",
            since="2025-03-01T00:00:00Z",
            until="2025-04-01T00:00:00Z",
        )
        .json()
    )
    assert rows == [
        {
            "group": "Philippines",
            "group_id": rows[0]["group_id"],
            "period": "2025-03-01",
            "responses": 10,
            "average": "7.20",
            "csat": None,
            "nps": "20.0",
        }
    ]
    overall = (
        api["lead"]
        .get(
            "/reports/satisfaction",
            kind="nps",
            by="none",
            since="2025-03-01T00:00:00Z",
            until="2025-04-01T00:00:00Z",
        )
        .json()
    )
    assert (overall[0]["responses"], overall[0]["nps"]) == (11, "9.1")  # (5 - 4) / 11


def test_csat_report_by_agent_per_week(api, make_ticket, people):
    at = datetime(2025, 3, 5, 9, tzinfo=UTC)
    for score in (5, 4, 2, 1):
        _answer("csat", CustomerFactory(), score, at, ticket=make_ticket())
    rows = (
        api["admin"]
        .get(
            "/reports/satisfaction",
            kind="csat",
            by="agent",
            period="week",
            since="2025-03-01T00:00:00Z",
            until="2025-04-01T00:00:00Z",
        )
        .json()
    )
    assert [(r["group_id"], r["period"], r["responses"], r["csat"], r["average"]) for r in rows] == [
        (people["agent"].pk, "2025-03-03", 4, "50.0", "3.00")
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "ces"}, "kind"),
        ({"by": "moon"}, "by"),
        ({"period": "year"}, "period"),
        ({"tz": "Mars/Base"}, "tz"),
    ],
)
def test_bad_report_parameters_name_the_field(api, params, field):
    assert _error(api["lead"].get("/reports/satisfaction", **params), 422)["field"] == field


def test_reports_are_for_supervisors(api):
    assert _error(api["agent"].get("/reports/satisfaction"), 403)
    assert _error(api["agent"].get("/reports/retention"), 403)
    assert Client().get("/api/v1/reports/satisfaction").status_code == 401


def test_responses_list_is_scoped_to_visible_tickets(api, make_ticket, people):
    at = timezone.now() - timedelta(hours=1)
    mine = _answer("csat", CustomerFactory(), 1, at, ticket=make_ticket())
    hidden = ticket_create(
        actor=None, requester=CustomerFactory(), subject="x", team=TeamFactory(is_private=True)
    )
    _answer("csat", hidden.requester, 5, at, ticket=hidden)
    assert [r["id"] for r in api["agent"].get("/feedback/responses").json()] == [mine.pk]
    assert len(api["admin"].get("/feedback/responses").json()) == 2
    assert [r["score"] for r in api["admin"].get("/feedback/responses", only_low=True).json()] == [1]
    assert _error(api["admin"].get("/feedback/responses", kind="ces"), 422)["field"] == "kind"
    assert _error(Api(portal_user(hidden.requester)).get("/feedback/responses"), 403)


def test_purchases_are_recorded_once_per_order(api):
    customer = CustomerFactory()
    body = {
        "external_id": "SO-1",
        "purchased_at": "2025-03-01T10:00:00+08:00",
        "amount": "1999.00",
        "currency": "php",
    }
    first = api["lead"].post(f"/customers/{customer.pk}/purchases", body)
    assert first.status_code == 201, first.content
    assert (first.json()["currency"], first.json()["amount"]) == ("PHP", "1999.00")
    assert api["lead"].post(f"/customers/{customer.pk}/purchases", body).status_code == 200
    assert Purchase.objects.count() == 1
    assert (
        _error(api["lead"].post(f"/customers/{customer.pk}/purchases", {**body, "currency": "P$1"}), 422)[
            "field"
        ]
        == "currency"
    )
    assert (
        _error(api["lead"].post(f"/customers/{customer.pk}/purchases", {**body, "amount": "0"}), 422)["field"]
        == "amount"
    )
    assert (
        _error(
            api["lead"].post(
                f"/customers/{customer.pk}/purchases", {**body, "purchased_at": "2025-03-01T10:00:00"}
            ),
            422,
        )["field"]
        == "purchased_at"
    )
    assert _error(api["agent"].post(f"/customers/{customer.pk}/purchases", body), 403)
    assert _error(api["lead"].post("/customers/-1/purchases", body), 404)
    assert Purchase.objects.count() == 1


def test_retention_of_complaining_customers(api, make_ticket, people):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    came_back, gone, new = make_ticket(), make_ticket(), make_ticket()
    remedies.complaint_mark(actor=None, ticket=came_back, reason="delivery", at=start)
    remedies.complaint_mark(actor=None, ticket=gone, reason="delivery", at=start)
    remedies.complaint_mark(actor=None, ticket=new, reason="billing", at=timezone.now() - timedelta(days=1))
    services.purchase_record(
        actor=None,
        customer=came_back.requester,
        external_id="A",
        purchased_at=start + timedelta(days=10),
        amount="10",
        currency="PHP",
    )
    services.purchase_record(
        actor=None,
        customer=gone.requester,
        external_id="B",
        purchased_at=start + timedelta(days=40),
        amount="10",
        currency="PHP",
    )
    rows = (
        api["lead"]
        .get("/reports/retention", days=30, since="2024-12-31T00:00:00Z", until=timezone.now().isoformat())
        .json()
    )
    assert rows == [
        {
            "reason": "billing",
            "with_remedy": False,
            "customers": 1,
            "retained": 0,
            "waiting": 1,
            "rate": None,
        },
        {
            "reason": "delivery",
            "with_remedy": False,
            "customers": 2,
            "retained": 1,
            "waiting": 0,
            "rate": "50.0",
        },
    ]
    assert _error(api["lead"].get("/reports/retention", days=0), 422)["field"] == "days"
