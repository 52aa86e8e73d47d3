"""The desk's remedies panel and the supervisor's approvals page, through the test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.notifications.models import Notification
from frontline.remedies import services
from frontline.remedies.models import (
    ApprovalLimit,
    Complaint,
    RemedyEntry,
    RemedyKind,
    RemedyOption,
    RemedyRequest,
    TeamBudget,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def limits(db):
    ApprovalLimit.objects.create(role=Role.AGENT, currency="PHP", max_amount=Decimal("25"))
    ApprovalLimit.objects.create(role=Role.SUPERVISOR, currency="PHP", max_amount=Decimal("200"))


@pytest.fixture
def catalogue(db):
    return {
        "credit": RemedyOption.objects.create(
            code="credit",
            name="Account credit",
            kind=RemedyKind.ACCOUNT_CREDIT,
            currency="PHP",
            max_value=1000,
        ),
        "coupon": RemedyOption.objects.create(
            code="coupon", name="Coupon", kind=RemedyKind.COUPON, currency="PHP", min_value=5, max_value=500
        ),
    }


@pytest.fixture
def ticket(make_ticket, team, agent, supervisor, limits, catalogue):
    return make_ticket("Range hood arrived dented", team=team, product="Range hood")


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _issue(client, ticket, amount, option="credit", key="k-1", **extra):
    body = {"option": option, "amount": amount, "idempotency_key": key, **extra}
    return client.post(f"/desk/tickets/{ticket.pk}/remedies/issue/", body, **HX)


# --- The panel


def test_the_ticket_page_loads_the_panel_and_the_panel_shows_catalogue_and_authority(as_agent, ticket, team):
    TeamBudget.objects.create(team=team, currency="PHP", monthly_amount=Decimal("300"))

    page = as_agent.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    panel = as_agent.get(f"/desk/tickets/{ticket.pk}/remedies/", **HX)

    assert f'hx-get="/desk/tickets/{ticket.pk}/remedies/"' in page
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "<html" not in html  # a partial
    assert "Account credit (PHP, at most 1000.00)" in html
    assert "your limit: 25.00" in html
    assert "team budget left this month: 300.00" in html
    assert 'name="idempotency_key" value="' in html
    assert "No remedies given yet." in html
    full = as_agent.get(f"/desk/tickets/{ticket.pk}/remedies/")
    assert full.status_code == 200
    assert "<html" in full.content.decode()


def test_marking_a_complaint_then_changing_it(as_agent, ticket, agent):
    marked = as_agent.post(
        f"/desk/tickets/{ticket.pk}/remedies/complaint/",
        {"reason": "product_defect", "severity": "high", "description": "Dented on arrival"},
        **HX,
    )
    assert "Marked as a complaint." in marked.content.decode()
    complaint = Complaint.objects.get(ticket=ticket)
    assert (complaint.reason.code, complaint.severity, complaint.status, complaint.created_by) == (
        "product_defect",
        "high",
        "open",
        agent,
    )

    changed = as_agent.post(
        f"/desk/tickets/{ticket.pk}/remedies/complaint/",
        {"reason": "delivery", "severity": "critical", "status": "resolved", "description": "Crushed box"},
        **HX,
    )

    assert "Complaint updated." in changed.content.decode()
    complaint.refresh_from_db()
    assert (complaint.reason.code, complaint.severity, complaint.status, complaint.description) == (
        "delivery",
        "critical",
        "resolved",
        "Crushed box",
    )
    assert complaint.resolved_at is not None


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"reason": "weather", "severity": "high"}, "unknown reason"),
        ({"reason": "", "severity": "high"}, "unknown reason"),
        ({"reason": "billing", "severity": "dire"}, "severity is one of"),
    ],
)
def test_a_bad_complaint_is_refused_with_a_message_and_nothing_stored(as_agent, ticket, body, text):
    response = as_agent.post(f"/desk/tickets/{ticket.pk}/remedies/complaint/", body, **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed:" in html
    assert text in html
    assert not Complaint.objects.exists()


def test_a_remedy_within_the_limit_is_issued_with_its_coupon_code(as_agent, ticket):
    response = _issue(as_agent, ticket, "20", option="coupon", note="Sorry for the dent")

    entry = RemedyEntry.objects.get()
    html = response.content.decode()
    assert (entry.amount, entry.kind, entry.note) == (Decimal("20.00"), "coupon", "Sorry for the dent")
    assert len(entry.coupon_code) > 8
    assert f"Issued: Coupon, 20.00 PHP. Coupon code: {entry.coupon_code}" in html
    assert f"<code>{entry.coupon_code}</code>" in html  # and in the customer's history


def test_a_remedy_above_the_limit_is_sent_for_approval_to_the_supervisor(as_agent, ticket, supervisor):
    response = _issue(as_agent, ticket, "100", note="Third time broken")

    request = RemedyRequest.objects.get()
    assert (request.status, request.approval_reasons) == (RemedyRequest.Status.PENDING, ["over_limit"])
    assert not RemedyEntry.objects.exists()
    html = response.content.decode()
    why = "above the requester&#x27;s approval limit"
    assert f"Account credit, 100.00 PHP sent for approval to Sam Cruz ({why})." in html
    assert "Waiting for approval" in html  # in the customer's pending requests
    assert Notification.objects.filter(user=supervisor, title__startswith="Remedy needs approval").exists()


def test_a_remedy_above_the_team_budget_is_sent_for_approval(as_agent, ticket, team):
    TeamBudget.objects.create(team=team, currency="PHP", monthly_amount=Decimal("10"))

    response = _issue(as_agent, ticket, "20")

    assert RemedyRequest.objects.get().approval_reasons == ["over_budget"]
    assert "above the team&#x27;s remaining budget" in response.content.decode()
    assert not RemedyEntry.objects.exists()


def test_a_double_submit_of_one_form_issues_once(as_agent, ticket):
    first = _issue(as_agent, ticket, "20", key="same-form")
    second = _issue(as_agent, ticket, "20", key="same-form")

    assert "Issued: Account credit, 20.00 PHP." in first.content.decode()
    assert "This form was sent already; nothing more was issued." in second.content.decode()
    assert RemedyRequest.objects.count() == 1
    assert RemedyEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"option": "credit", "amount": "lots"}, "not an amount"),
        ({"option": "credit", "amount": "-5"}, "more than zero"),
        ({"option": "credit", "amount": "1.234"}, "at most two decimal places"),
        ({"option": "credit", "amount": "1001"}, "at most 1000.00 PHP"),
        ({"option": "coupon", "amount": "2"}, "at least 5.00 PHP"),
        ({"option": "spa_day", "amount": "10"}, "not in the remedy catalogue"),
        ({"option": "credit", "amount": ""}, "Choose a remedy and give its value."),
    ],
)
def test_bad_remedy_input_is_refused_with_a_message_and_nothing_stored(as_agent, ticket, body, text):
    response = as_agent.post(
        f"/desk/tickets/{ticket.pk}/remedies/issue/", {**body, "idempotency_key": "k"}, **HX
    )

    assert response.status_code == 200
    assert text in response.content.decode()
    assert not RemedyRequest.objects.exists()
    assert not RemedyEntry.objects.exists()


def test_without_javascript_a_post_redirects_to_the_panel_page_with_a_message(as_agent, ticket):
    response = as_agent.post(
        f"/desk/tickets/{ticket.pk}/remedies/issue/",
        {"option": "credit", "amount": "5", "idempotency_key": "x"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{ticket.pk}/remedies/"
    assert _messages(response) == ["Issued: Account credit, 5.00 PHP."]


def test_a_ticket_outside_the_agents_teams_is_not_found_and_nothing_is_stored(
    as_agent, make_ticket, private_team, limits, catalogue
):
    hidden = make_ticket("Private", team=private_team)

    assert as_agent.get(f"/desk/tickets/{hidden.pk}/remedies/", **HX).status_code == 404
    assert _issue(as_agent, hidden, "5").status_code == 404
    complaint = {"reason": "billing", "severity": "low"}
    assert as_agent.post(f"/desk/tickets/{hidden.pk}/remedies/complaint/", complaint, **HX).status_code == 404
    assert not RemedyRequest.objects.exists()
    assert not Complaint.objects.exists()


def test_customers_are_refused_and_visitors_sent_to_sign_in(client, ticket):
    path = f"/desk/tickets/{ticket.pk}/remedies/"
    assert client.get(path)["Location"] == f"/desk/login/?next={path}"
    client.force_login(portal_user(CustomerFactory()))
    assert client.get(path).status_code == 403
    assert _issue(client, ticket, "5").status_code == 403
    assert not RemedyRequest.objects.exists()


def test_the_history_shows_reversals_of_the_customers_remedies(as_agent, ticket, supervisor):
    request, _ = services.remedy_issue(actor=supervisor, ticket=ticket, option="credit", amount="50")
    services.remedy_reverse(actor=supervisor, entry=request.entry, reason="Issued twice")

    html = as_agent.get(f"/desk/tickets/{ticket.pk}/remedies/", **HX).content.decode()

    assert "-50.00 PHP" in html
    assert f"Reversal of entry {request.entry.pk}: Issued twice" in html
    assert "Reversed" in html


# --- Approvals


@pytest.fixture
def pending(ticket, agent):
    request, _ = services.remedy_issue(
        actor=agent, ticket=ticket, option="credit", amount="100", note="Angry"
    )
    return request


def test_the_approvals_page_lists_pending_requests_and_is_linked_from_the_console(
    client, supervisor, pending
):
    client.force_login(supervisor)

    html = client.get("/desk/supervisor/approvals/").content.decode()

    assert 'href="/desk/supervisor/approvals/"' in client.get("/desk/supervisor/").content.decode()
    assert f"#{pending.ticket_id} Range hood arrived dented" in html
    assert "Maria Santos" in html
    assert "100.00 PHP" in html
    assert "Ana Reyes" in html
    assert "above the requester&#x27;s approval limit" in html
    assert "Angry" in html


def test_a_supervisor_approves_and_the_requester_is_told(client, supervisor, agent, pending):
    client.force_login(supervisor)

    response = client.post(
        f"/desk/supervisor/approvals/{pending.pk}/", {"decision": "approve", "reason": "Loyal customer"}
    )

    assert response["Location"] == "/desk/supervisor/approvals/"
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by, pending.decision_reason) == (
        "approved",
        supervisor,
        "Loyal customer",
    )
    entry = RemedyEntry.objects.get()
    assert (entry.amount, entry.approved_by, entry.issued_by) == (Decimal("100.00"), supervisor, agent)
    assert _messages(response) == [
        f"Request {pending.pk} on #{pending.ticket_id} approved. Issued: Account credit, 100.00 PHP."
    ]
    told = Notification.objects.get(user=agent)
    assert told.title == f"Remedy approved: 100.00 PHP on #{pending.ticket_id}"
    assert told.body == "Approved by Sam Cruz. Reason: Loyal customer"


def test_a_rejection_needs_a_reason_and_tells_the_requester(client, supervisor, agent, pending):
    client.force_login(supervisor)
    path = f"/desk/supervisor/approvals/{pending.pk}/"

    refused = client.post(path, {"decision": "reject", "reason": " "})
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert _messages(refused) == ["Nothing was changed: say why the remedy is rejected"]
    assert not Notification.objects.filter(user=agent).exists()

    client.post(path, {"decision": "reject", "reason": "Outside the warranty"})

    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == ("rejected", "Outside the warranty")
    assert not RemedyEntry.objects.exists()
    told = Notification.objects.get(user=agent)
    assert told.title == f"Remedy rejected: 100.00 PHP on #{pending.ticket_id}"
    assert "Outside the warranty" in told.body
    page = client.get("/desk/supervisor/approvals/").content.decode()
    assert "Nothing is waiting for approval." in page
    assert "Outside the warranty" in page


def test_above_the_supervisors_authority_the_error_is_shown_and_nothing_changes(
    client, supervisor, agent, ticket
):
    big, _ = services.remedy_issue(actor=agent, ticket=ticket, option="credit", amount="500")
    client.force_login(supervisor)

    assert "Above your own approval limit." in client.get("/desk/supervisor/approvals/").content.decode()
    response = client.post(f"/desk/supervisor/approvals/{big.pk}/", {"decision": "approve"})

    big.refresh_from_db()
    assert big.status == "pending"
    assert not RemedyEntry.objects.exists()
    assert _messages(response) == ["Nothing was changed: this remedy is above your authority to approve"]


def test_agents_cannot_open_or_decide_approvals(as_agent, pending):
    assert as_agent.get("/desk/supervisor/approvals/").status_code == 403
    response = as_agent.post(f"/desk/supervisor/approvals/{pending.pk}/", {"decision": "approve"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not RemedyEntry.objects.exists()


def test_an_unknown_request_or_decision(client, supervisor, pending):
    client.force_login(supervisor)
    assert client.post("/desk/supervisor/approvals/-1/", {"decision": "approve"}).status_code == 404
    assert client.post("/desk/supervisor/approvals/999999/", {"decision": "approve"}).status_code == 404
    response = client.post(f"/desk/supervisor/approvals/{pending.pk}/", {"decision": "maybe"})
    assert _messages(response) == ["Choose approve or reject."]
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_second_supervisor_deciding_a_decided_request_gets_a_message(client, supervisor, pending):
    other = staff(Role.SUPERVISOR, username="lee", first_name="Lee", last_name="Tan")
    services.remedy_request_approve(actor=other, request=pending, reason="ok")
    client.force_login(supervisor)

    response = client.post(
        f"/desk/supervisor/approvals/{pending.pk}/", {"decision": "reject", "reason": "no"}
    )

    assert _messages(response) == ["Nothing was changed: the request is approved already"]
    assert RemedyEntry.objects.count() == 1


def test_the_panel_and_approvals_speak_the_users_language(client, agent, supervisor, ticket, pending):
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    supervisor.language = "fil"
    supervisor.save(update_fields=["language"])

    client.force_login(agent)
    panel = client.get(f"/desk/tickets/{ticket.pk}/remedies/", **HX).content.decode()
    client.force_login(supervisor)
    approvals = client.get("/desk/supervisor/approvals/").content.decode()

    assert "投诉与补偿" in panel
    assert "产品缺陷" in panel  # a complaint reason stored in the database
    assert "等待审批" in panel  # the pending request's status
    assert "Mga pag-apruba ng remedyo" in approvals
    assert "lampas sa limitasyon sa pag-apruba ng humiling" in approvals


def test_a_refused_issue_keeps_what_was_typed_and_its_key(as_agent, ticket):
    response = _issue(
        as_agent, ticket, "1.234", option="coupon", key="typed-key", note="Dent on the left side"
    )

    html = response.content.decode()
    assert 'name="idempotency_key" value="typed-key"' in html
    assert '<option value="coupon" selected>' in html
    assert 'value="1.234"' in html
    assert "Dent on the left side</textarea>" in html
    corrected = _issue(as_agent, ticket, "12", option="coupon", key="typed-key")
    assert "Issued: Coupon, 12.00 PHP." in corrected.content.decode()
    assert 'name="idempotency_key" value="typed-key"' not in corrected.content.decode()


# --- The complaint register


def test_the_complaint_register_lists_visible_complaints_with_filters(
    as_agent, agent, ticket, make_ticket, team, private_team
):
    services.complaint_mark(actor=agent, ticket=ticket, reason="product_defect", severity="high")
    late = make_ticket("Late delivery", team=team)
    services.complaint_mark(actor=agent, ticket=late, reason="delivery", severity="low")
    hidden = make_ticket("VIP complaint", team=private_team)
    services.complaint_mark(actor=None, ticket=hidden, reason="billing", severity="critical")

    everything = as_agent.get("/desk/complaints/").content.decode()
    high = as_agent.get("/desk/complaints/?severity=high").content.decode()

    assert "Range hood arrived dented" in everything
    assert "Late delivery" in everything
    assert "VIP complaint" not in everything
    assert "Range hood arrived dented" in high
    assert "Late delivery" not in high


def test_a_bad_register_filter_says_so_and_lists_everything(as_agent, agent, ticket):
    services.complaint_mark(actor=agent, ticket=ticket, reason="product_defect")

    response = as_agent.get("/desk/complaints/?severity=dire")

    assert _messages(response) == ["The filter was not applied: unknown severity 'dire'"]
    assert "Range hood arrived dented" in response.content.decode()


def test_customers_cannot_open_the_complaint_register(client):
    client.force_login(portal_user(CustomerFactory()))
    assert client.get("/desk/complaints/").status_code == 403
