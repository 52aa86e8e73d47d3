"""Issuing remedies: limits per role, budgets, approvals, idempotency, reversals, the immutable ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.core.errors import Conflict, Forbidden, Invalid
from frontline.escalations import services as escalations
from frontline.escalations.models import EscalationChain, EscalationRun
from frontline.events.models import Event
from frontline.notifications.models import Notification
from frontline.remedies import coupons, selectors, services
from frontline.remedies.models import ApprovalLimit, Complaint, ImmutableEntry, RemedyEntry, RemedyRequest

pytestmark = pytest.mark.django_db
D = Decimal
Status = RemedyRequest.Status


def issue(actor, ticket, amount, option="credit", **kwargs):
    request, _ = services.remedy_issue(actor=actor, ticket=ticket, option=option, amount=amount, **kwargs)
    return request


def test_limits_per_role(people, limits, catalogue, ticket):
    """agent up to 25, supervisor up to 200, admin unlimited; a personal limit wins over the role's."""
    assert issue(people["agent"], ticket, "25").status == Status.ISSUED
    over = issue(people["agent"], ticket, "25.01")
    assert (over.status, over.approval_reasons) == (Status.PENDING, ["over_limit"])
    assert not RemedyEntry.objects.filter(request=over).exists()
    assert issue(people["supervisor"], ticket, "200").status == Status.ISSUED
    assert issue(people["supervisor"], ticket, "201").status == Status.PENDING
    assert issue(people["admin"], ticket, "999").status == Status.ISSUED

    trusted = staff(Role.AGENT, email="trusted@staff.example.test")
    ApprovalLimit.objects.create(user=trusted, currency="PHP", max_amount=D("60"))
    assert issue(trusted, ticket, "60").status == Status.ISSUED
    assert issue(trusted, ticket, "61").status == Status.PENDING
    assert selectors.approval_limit_of(user=people["agent"], currency="USD") == D("0")


def test_an_issue_is_a_ledger_entry_with_its_event(people, limits, catalogue, ticket):
    request = issue(people["agent"], ticket, "20", note="sorry for the dent")
    entry = request.entry
    assert (entry.amount, entry.currency, entry.kind, entry.customer_id, entry.team_id) == (
        D("20.00"),
        "PHP",
        "account_credit",
        ticket.requester_id,
        ticket.team_id,
    )
    assert entry.fulfilment_status == "pending"
    event = Event.objects.get(verb="remedy.issued")
    assert (event.target_type, event.target_id) == ("ticket", ticket.pk)
    assert event.after["entry"] == entry.pk
    assert event.after["amount"] == "20.00"


def test_a_coupon_gets_a_generated_code(people, limits, catalogue, ticket):
    entry = issue(people["agent"], ticket, "10", option="coupon").entry
    assert coupons.is_well_formed(entry.coupon_code)
    assert issue(people["agent"], ticket, "10").entry.coupon_code == ""


@pytest.mark.parametrize(
    ("option", "amount", "field"),
    [
        ("nope", "10", "option"),
        ("coupon", "4", "amount"),
        ("coupon", "501", "amount"),
        ("credit", "0", "amount"),
        ("credit", "1.005", "amount"),
    ],
)
def test_bad_remedies_are_refused_and_nothing_is_written(
    people, limits, catalogue, ticket, option, amount, field
):
    with pytest.raises(Invalid) as caught:
        issue(people["agent"], ticket, amount, option=option)
    assert caught.value.field == field
    assert not RemedyRequest.objects.exists()


def test_an_exhausted_budget_turns_an_issue_into_an_approval_request(
    people, limits, catalogue, ticket, budget
):
    supervisor, admin = people["supervisor"], people["admin"]
    issue(supervisor, ticket, "60")
    second = issue(supervisor, ticket, "50")
    assert (second.status, second.approval_reasons) == (Status.PENDING, ["over_budget"])
    assert selectors.budget_remaining(budget=budget, month=second.created_at.date().replace(day=1)) == D("40")
    assert [u.pk for u in selectors.approvers_for(amount=D("50"), currency="PHP", budget_left=D("40"))] == [
        admin.pk
    ]
    with pytest.raises(Forbidden):
        services.remedy_request_approve(actor=supervisor, request=second)
    approved = services.remedy_request_approve(actor=admin, request=second, reason="loyal customer")
    assert approved.status == Status.APPROVED
    assert (approved.entry.approved_by, approved.entry.issued_by) == (admin, supervisor)
    month = approved.entry.month
    assert selectors.budget_spent(team_id=budget.team_id, currency="PHP", month=month) == D("110")
    with pytest.raises(Conflict):
        services.remedy_request_approve(actor=admin, request=second)


def test_a_request_over_the_limit_notifies_approvers_and_starts_the_chain(people, limits, catalogue, ticket):
    chain = escalations.chain_create(
        actor=None,
        name="Remedy approvals",
        trigger=EscalationChain.Trigger.REMEDY_OVER_LIMIT,
        steps=[escalations.StepSpec(action="notify_team_lead")],
    )
    request = issue(people["agent"], ticket, "150")
    run = EscalationRun.objects.get(ticket=ticket, chain=chain)
    assert run.trigger == "remedy_over_limit"
    assert f"remedy request {request.pk}" in run.reason
    notified = set(
        Notification.objects.filter(title__startswith="Remedy needs approval").values_list(
            "user_id", flat=True
        )
    )
    assert notified == {people["supervisor"].pk, people["admin"].pk}
    assert Event.objects.filter(verb="remedy.approval_requested", target_id=ticket.pk).count() == 1


def test_rejection_needs_a_reason_and_authority(people, limits, catalogue, ticket):
    request = issue(people["agent"], ticket, "150")
    with pytest.raises(Invalid):
        services.remedy_request_reject(actor=people["supervisor"], request=request, reason=" ")
    with pytest.raises(Forbidden):
        services.remedy_request_reject(actor=people["agent"], request=request, reason="no")
    rejected = services.remedy_request_reject(
        actor=people["supervisor"], request=request, reason="not our fault"
    )
    assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
        Status.REJECTED,
        "not our fault",
        people["supervisor"],
    )
    assert not RemedyEntry.objects.exists()


def test_the_same_idempotency_key_twice_issues_once(people, limits, catalogue, ticket):
    first, created = services.remedy_issue(
        actor=people["agent"], ticket=ticket, option="credit", amount="20", idempotency_key="click-1"
    )
    again, created_again = services.remedy_issue(
        actor=people["agent"], ticket=ticket, option="credit", amount="20", idempotency_key="click-1"
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert RemedyEntry.objects.count() == 1
    assert Event.objects.filter(verb="remedy.issued").count() == 1
    with pytest.raises(Conflict) as caught:
        services.remedy_issue(
            actor=people["agent"], ticket=ticket, option="credit", amount="21", idempotency_key="click-1"
        )
    assert caught.value.code == "idempotency_key_reused"
    other, created_other = services.remedy_issue(
        actor=people["supervisor"], ticket=ticket, option="credit", amount="20", idempotency_key="click-1"
    )
    assert created_other
    assert other.pk != first.pk


def test_a_reversal_is_a_new_negative_entry_and_frees_the_budget(people, limits, catalogue, ticket, budget):
    entry = issue(people["supervisor"], ticket, "80").entry
    with pytest.raises(Forbidden):
        services.remedy_reverse(actor=people["agent"], entry=entry, reason="mistake")
    reversal = services.remedy_reverse(actor=people["supervisor"], entry=entry, reason="sent twice")
    assert (reversal.amount, reversal.reverses_id, reversal.month, reversal.note) == (
        D("-80.00"),
        entry.pk,
        entry.month,
        "sent twice",
    )
    assert selectors.budget_spent(team_id=budget.team_id, currency="PHP", month=entry.month) == D("0")
    with pytest.raises(Conflict):
        services.remedy_reverse(actor=people["supervisor"], entry=entry, reason="again")
    with pytest.raises(Conflict):
        services.remedy_reverse(actor=people["supervisor"], entry=reversal, reason="undo the undo")
    assert Event.objects.filter(verb="remedy.reversed").count() == 1


def test_ledger_entries_cannot_be_changed_or_deleted(people, limits, catalogue, ticket):
    entry = issue(people["agent"], ticket, "20").entry
    entry.amount = D("1")
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete()
    entry.refresh_from_db()
    assert entry.amount == D("20.00")


def test_fulfilment_moves_from_pending_to_fulfilled_or_failed(people, limits, catalogue, ticket):
    entry = issue(people["agent"], ticket, "20").entry
    failed = services.remedy_fulfilment_set(actor=None, entry=entry, status="failed", note="card declined")
    assert failed.fulfilment_status == "failed"
    done = services.remedy_fulfilment_set(actor=None, entry=entry, status="fulfilled", reference="INV-1")
    assert (done.fulfilment_status, done.fulfilment_reference) == ("fulfilled", "INV-1")
    assert done.fulfilled_at is not None
    with pytest.raises(Conflict):
        services.remedy_fulfilment_set(actor=None, entry=entry, status="pending")
    assert [e.verb for e in Event.objects.filter(verb__startswith="remedy.f")] == [
        "remedy.fulfilment_failed",
        "remedy.fulfilled",
    ]


def test_complaints_are_marked_once_and_link_their_remedies(people, limits, catalogue, ticket):
    complaint = services.complaint_mark(
        actor=people["agent"], ticket=ticket, reason="delivery", severity="high"
    )
    assert (complaint.reason.code, complaint.severity, complaint.product) == (
        "delivery",
        "high",
        "Range hood",
    )
    with pytest.raises(Conflict):
        services.complaint_mark(actor=people["agent"], ticket=ticket, reason="delivery")
    with pytest.raises(Invalid) as caught:
        services.complaint_update(actor=people["agent"], complaint=complaint, severity="apocalyptic")
    assert caught.value.field == "severity"
    assert issue(people["agent"], ticket, "20").entry.complaint == complaint
    resolved = services.complaint_update(actor=people["agent"], complaint=complaint, status="resolved")
    assert resolved.resolved_at is not None
    assert Complaint.objects.get().status == "resolved"
    assert [e.verb for e in Event.objects.filter(verb__startswith="complaint.")] == [
        "complaint.marked",
        "complaint.updated",
    ]


def test_remedy_cost_per_complaint_by_reason_and_product(people, limits, catalogue, ticket):
    from frontline.accounts.principal import Principal
    from frontline.customers.factories import CustomerFactory
    from frontline.tickets.services import ticket_create

    services.complaint_mark(actor=None, ticket=ticket, reason="delivery")
    other = ticket_create(actor=None, requester=CustomerFactory(), subject="Late", product="Range hood")
    services.complaint_mark(actor=None, ticket=other, reason="delivery")
    entry = issue(people["agent"], ticket, "20").entry
    issue(people["agent"], ticket, "10")
    services.remedy_reverse(actor=people["supervisor"], entry=entry, reason="duplicate")
    now = entry.issued_at
    [row] = selectors.remedy_cost_by_reason(
        principal=Principal(user=people["admin"], role=Role.ADMIN),
        since=now - timedelta(days=1),
        until=now + timedelta(days=1),
    )
    assert (
        row.reason,
        row.product,
        row.currency,
        row.complaints,
        row.remedies,
        row.total,
        row.per_complaint,
    ) == (
        "delivery",
        "Range hood",
        "PHP",
        2,
        2,
        D("10.00"),
        D("5.00"),
    )


@pytest.mark.parametrize("typed", ["１２０", "１２０.５０", "१२०", "120.5０"])
def test_the_desk_form_amount_in_other_digits_is_refused_not_read(typed):
    from frontline.remedies.services import money

    with pytest.raises(Invalid) as refused:
        money(typed)
    assert refused.value.field == "amount"
    assert "digits 0-9" in refused.value.message
