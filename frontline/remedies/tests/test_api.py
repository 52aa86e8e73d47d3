"""The complaints and remedies API: success, bad input (422 with the field), and who must not."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.remedies import services
from frontline.remedies.models import Complaint, RemedyEntry, RemedyRequest
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people, limits, catalogue):
    return {name: Api(user) for name, user in people.items()}


@pytest.fixture
def hidden_ticket():
    secret = TeamFactory(name="VIP desk", is_private=True)
    return ticket_create(actor=None, requester=CustomerFactory(), subject="Private", team=secret)


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def _issue(user, ticket, amount, option="credit", **kwargs):
    return services.remedy_issue(actor=user, ticket=ticket, option=option, amount=amount, **kwargs)[0]


def test_mark_read_and_update_a_complaint(api, ticket):
    created = api["agent"].post(
        f"/tickets/{ticket.pk}/complaint",
        {"reason": "product_defect", "severity": "high", "description": "Dent"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["reason"], body["severity"], body["status"], body["product"]) == (
        "product_defect",
        "high",
        "open",
        "Range hood",
    )
    assert api["agent"].get(f"/tickets/{ticket.pk}/complaint").json()["id"] == body["id"]
    patched = api["agent"].patch(f"/tickets/{ticket.pk}/complaint", {"status": "resolved"})
    assert patched.json()["status"] == "resolved"
    assert _error(api["agent"].post(f"/tickets/{ticket.pk}/complaint", {"reason": "billing"}), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "weather"}, "reason"),
        ({"reason": "billing", "severity": "dire"}, "severity"),
        ({}, "reason"),
    ],
)
def test_bad_complaints_name_the_field(api, ticket, body, field):
    assert _error(api["agent"].post(f"/tickets/{ticket.pk}/complaint", body), 422)["field"] == field
    assert not Complaint.objects.exists()


def test_complaints_are_hidden_from_customers_anonymous_and_other_teams(api, ticket, hidden_ticket):
    customer = Api(portal_user(ticket.requester))
    assert _error(customer.post(f"/tickets/{ticket.pk}/complaint", {"reason": "billing"}), 403)
    assert Client().get("/api/v1/complaints").status_code == 401
    assert _error(api["agent"].post(f"/tickets/{hidden_ticket.pk}/complaint", {"reason": "billing"}), 404)
    assert _error(api["agent"].get(f"/tickets/{ticket.pk}/complaint"), 404)  # not a complaint
    assert not Complaint.objects.exists()


def test_the_register_lists_visible_complaints_with_filters(api, ticket, hidden_ticket, people):
    services.complaint_mark(actor=None, ticket=ticket, reason="delivery", severity="low")
    services.complaint_mark(actor=None, ticket=hidden_ticket, reason="billing")
    assert [c["ticket_id"] for c in api["agent"].get("/complaints").json()] == [ticket.pk]
    assert {c["reason"] for c in api["admin"].get("/complaints").json()} == {"delivery", "billing"}
    assert [c["reason"] for c in api["admin"].get("/complaints", reason="billing").json()] == ["billing"]
    assert _error(api["admin"].get("/complaints", severity="dire"), 422)["field"] == "severity"
    assert [r["code"] for r in api["agent"].get("/complaints/reasons").json()][:4] == [
        "product_defect",
        "delivery",
        "billing",
        "staff_conduct",
    ]
    assert _error(Api(portal_user(ticket.requester)).get("/complaints"), 403)


def test_options_show_the_catalogue_with_your_limit_and_the_budget(api, ticket, budget):
    body = api["agent"].get(f"/tickets/{ticket.pk}/remedies/options").json()
    assert [o["code"] for o in body["options"]] == ["coupon", "credit", "refund"]
    assert body["authority"] == [{"currency": "PHP", "limit": "25.00", "budget_remaining": "100.00"}]
    admin_view = api["admin"].get(f"/tickets/{ticket.pk}/remedies/options").json()
    assert admin_view["authority"][0]["limit"] is None


def test_issue_within_authority_is_201_over_it_202_and_a_retry_200(api, ticket):
    issued = api["agent"].post(
        f"/tickets/{ticket.pk}/remedies", {"option": "coupon", "amount": "20", "idempotency_key": "k1"}
    )
    assert issued.status_code == 201, issued.content
    entry = issued.json()["entry"]
    assert (entry["amount"], entry["currency"], entry["kind"]) == ("20.00", "PHP", "coupon")
    assert entry["coupon_code"].startswith("FL-")
    again = api["agent"].post(
        f"/tickets/{ticket.pk}/remedies", {"option": "coupon", "amount": "20", "idempotency_key": "k1"}
    )
    assert (again.status_code, again.json()["id"]) == (200, issued.json()["id"])
    header_retry = api["agent"].client.post(
        f"/api/v1/tickets/{ticket.pk}/remedies",
        data='{"option": "credit", "amount": "5"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert header_retry.status_code == 201
    pending = api["agent"].post(f"/tickets/{ticket.pk}/remedies", {"option": "credit", "amount": "100"})
    assert pending.status_code == 202
    assert (pending.json()["status"], pending.json()["entry"]) == ("pending", None)
    assert RemedyEntry.objects.count() == 2
    listed = api["agent"].get(f"/tickets/{ticket.pk}/remedies").json()
    assert [e["amount"] for e in listed] == ["20.00", "5.00"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"option": "credit", "amount": "-1"}, "amount"),
        ({"option": "credit", "amount": "abc"}, "amount"),
        ({"option": "credit", "amount": "１２０"}, "amount"),  # full-width digits
        ({"option": "credit", "amount": "١٢٠"}, "amount"),  # Arabic-Indic digits
        ({"option": "gold", "amount": "1"}, "option"),
        ({"option": "coupon", "amount": "1"}, "amount"),
        ({"amount": "1"}, "option"),
    ],
)
def test_bad_issues_name_the_field(api, ticket, body, field):
    assert _error(api["agent"].post(f"/tickets/{ticket.pk}/remedies", body), 422)["field"] == field
    assert not RemedyRequest.objects.exists()


def test_customers_anonymous_and_hidden_tickets_cannot_issue(api, ticket, hidden_ticket):
    customer = Api(portal_user(ticket.requester))
    body = {"option": "credit", "amount": "5"}
    assert _error(customer.post(f"/tickets/{ticket.pk}/remedies", body), 403)
    assert (
        Client()
        .post(f"/api/v1/tickets/{ticket.pk}/remedies", body, content_type="application/json")
        .status_code
        == 401
    )
    assert _error(api["agent"].post(f"/tickets/{hidden_ticket.pk}/remedies", body), 404)
    assert _error(api["agent"].get(f"/tickets/{hidden_ticket.pk}/remedies/options"), 404)
    assert _error(api["agent"].post("/tickets/-1/remedies", body), 404)
    assert not RemedyRequest.objects.exists()


def test_approve_and_reject_through_the_api(api, people, ticket):
    first = _issue(people["agent"], ticket, "150")
    second = _issue(people["agent"], ticket, "120")
    assert [r["id"] for r in api["supervisor"].get("/remedies/requests", status="pending").json()] == [
        second.pk,
        first.pk,
    ]
    refused = api["agent"].post(f"/remedies/requests/{first.pk}/approve", {"reason": "me"})
    assert _error(refused, 403)["code"] == "forbidden"
    assert RemedyRequest.objects.get(pk=first.pk).status == "pending"
    approved = api["supervisor"].post(f"/remedies/requests/{first.pk}/approve", {"reason": "fair"})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["entry"]["approved_by_id"]) == (
        "approved",
        people["supervisor"].pk,
    )
    assert (
        _error(api["supervisor"].post(f"/remedies/requests/{second.pk}/reject", {"reason": ""}), 422)["field"]
        == "reason"
    )
    rejected = api["supervisor"].post(
        f"/remedies/requests/{second.pk}/reject", {"reason": "already compensated"}
    )
    assert rejected.json()["status"] == "rejected"
    assert _error(api["supervisor"].post(f"/remedies/requests/{second.pk}/approve", {}), 409)
    assert _error(api["supervisor"].post("/remedies/requests/-1/approve", {}), 404)
    assert _error(api["agent"].get("/remedies/requests", status="maybe"), 422)["field"] == "status"


def test_approvals_on_hidden_tickets_are_not_found(api, people, hidden_ticket):
    request = _issue(
        people["admin"], hidden_ticket, "5000", option="refund"
    )  # admin: issued, no request pending
    assert request.status == "issued"
    pending = _issue(staff(Role.AGENT, teams=[hidden_ticket.team]), hidden_ticket, "50")
    assert _error(api["agent"].post(f"/remedies/requests/{pending.pk}/approve", {}), 404)
    assert _error(Api(portal_user(hidden_ticket.requester)).get("/remedies/requests"), 403)


def test_reverse_and_fulfilment_through_the_api(api, people, ticket):
    entry = _issue(people["agent"], ticket, "20").entry
    assert _error(api["agent"].post(f"/remedies/{entry.pk}/reverse", {"reason": "oops"}), 403)
    assert _error(api["supervisor"].post(f"/remedies/{entry.pk}/reverse", {}), 422)["field"] == "reason"
    reversed_ = api["supervisor"].post(f"/remedies/{entry.pk}/reverse", {"reason": "duplicate"})
    assert reversed_.status_code == 201
    assert (reversed_.json()["amount"], reversed_.json()["reverses_id"]) == ("-20.00", entry.pk)
    assert (
        api["agent"].get(f"/tickets/{ticket.pk}/remedies").json()[0]["reversed_by_id"]
        == reversed_.json()["id"]
    )
    assert _error(api["supervisor"].post(f"/remedies/{entry.pk}/reverse", {"reason": "again"}), 409)

    other = _issue(people["agent"], ticket, "10").entry
    assert (
        _error(api["agent"].post(f"/remedies/{other.pk}/fulfilment", {"status": "lost"}), 422)["field"]
        == "status"
    )
    done = api["agent"].post(
        f"/remedies/{other.pk}/fulfilment", {"status": "fulfilled", "reference": "SHOP-9"}
    )
    assert (done.status_code, done.json()["fulfilment_status"], done.json()["fulfilment_reference"]) == (
        200,
        "fulfilled",
        "SHOP-9",
    )
    assert _error(api["agent"].post(f"/remedies/{other.pk}/fulfilment", {"status": "failed"}), 409)
    assert _error(api["agent"].post("/remedies/-1/fulfilment", {"status": "failed"}), 404)
    customer = Api(portal_user(ticket.requester))
    assert _error(customer.post(f"/remedies/{other.pk}/fulfilment", {"status": "failed"}), 403)


def test_the_ledger_exports_to_csv_and_xlsx_safe_from_formula_injection(
    api, people, ticket, django_assert_max_num_queries
):
    for text in ('=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"):
        _issue(people["supervisor"], ticket, "1", item=text, note=text)
    entry = RemedyEntry.objects.order_by("id").first()
    services.remedy_reverse(actor=people["supervisor"], entry=entry, reason="=1+1")

    csv_response = api["supervisor"].get("/remedies/ledger", format="csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    import csv as csv_module

    rows = list(csv_module.reader(io.StringIO(csv_response.content.decode())))
    header, body = rows[0], rows[1:]
    assert len(body) == 7
    for row in body:
        for name in ("item", "note"):
            value = row[header.index(name)]
            assert value == "" or value[0] not in "=+-@\t\r", value
    assert body[-1][header.index("amount")] == "-1.00"  # numbers stay numbers

    xlsx = api["supervisor"].get("/remedies/ledger", format="xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert all(not (isinstance(c.value, str) and c.value[:1] in "=+-@\t\r\n") for c in cells)
    amounts = [row[header.index("amount")].value for row in sheet.iter_rows(min_row=2)]
    assert amounts[-1] == -1

    assert _error(api["agent"].get("/remedies/ledger", format="csv"), 403)
    assert _error(api["supervisor"].get("/remedies/ledger", format="pdf"), 422)["field"] == "format"
    with django_assert_max_num_queries(8):
        listed = api["agent"].get("/remedies/ledger").json()
    assert len(listed) == 7
    assert _error(Api(portal_user(ticket.requester)).get("/remedies/ledger"), 403)


def test_remedy_cost_report_needs_a_supervisor(api, people, ticket):
    services.complaint_mark(actor=None, ticket=ticket, reason="delivery")
    _issue(people["agent"], ticket, "20")
    rows = api["supervisor"].get("/reports/remedy-cost").json()
    assert rows == [
        {
            "reason": "delivery",
            "product": "Range hood",
            "currency": "PHP",
            "complaints": 1,
            "remedies": 1,
            "total": "20.00",
            "per_complaint": "20.00",
        }
    ]
    assert _error(api["agent"].get("/reports/remedy-cost"), 403)
    assert (
        _error(
            api["supervisor"].get(
                "/reports/remedy-cost", since="2025-01-02T00:00:00Z", until="2025-01-01T00:00:00Z"
            ),
            422,
        )["field"]
        == "until"
    )
    assert Decimal(rows[0]["total"]) == Decimal("20")


def test_an_amount_in_other_digits_than_0_9_is_refused_with_how_to_write_it(api, ticket):
    error = _error(
        api["agent"].post(f"/tickets/{ticket.pk}/remedies", {"option": "credit", "amount": "２０"}), 422
    )
    assert error["message"] == "amount: write the amount with the digits 0-9 and a point, e.g. 1250.50"
    assert not RemedyRequest.objects.exists()
