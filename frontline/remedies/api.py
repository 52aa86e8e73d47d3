"""Complaints and remedies over HTTP: staff on the tickets they may see; approvals need authority."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid
from frontline.remedies import authority, exports, selectors, services
from frontline.remedies.models import ApprovalLimit, Complaint, ComplaintReason, RemedyOption, TeamBudget
from frontline.remedies.schemas import (
    ApprovalLimitIn,
    ApprovalLimitOut,
    ApprovalLimitPatch,
    ComplaintIn,
    ComplaintOut,
    ComplaintPatch,
    ComplaintReasonAdminOut,
    ComplaintReasonIn,
    ComplaintReasonOut,
    ComplaintReasonPatch,
    CostRowOut,
    DecisionIn,
    FulfilmentIn,
    RemedyEntryOut,
    RemedyIn,
    RemedyOptionAdminOut,
    RemedyOptionIn,
    RemedyOptionOut,
    RemedyOptionPatch,
    RemedyOptionsOut,
    RemedyRequestOut,
    ReverseIn,
    TeamBudgetIn,
    TeamBudgetOut,
    TeamBudgetPatch,
)
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["remedies"])


def _staff_ticket(principal: Principal, ticket_id: int) -> Ticket:
    require_staff(principal, "only staff may handle complaints and remedies")
    return ticket_get_for_principal(principal=principal, ticket_id=ticket_id)


def _window(since: datetime | None, until: datetime | None, days: int = 30) -> tuple[datetime, datetime]:
    end = until or timezone.now()
    start = since or end - timedelta(days=days)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise Invalid("give times with their UTC offset", field="since")
    if end <= start or end - start > timedelta(days=731):
        raise Invalid("the range must end after it starts and span at most two years", field="until")
    return start, end


# --- Complaints


def _limit(limit: int) -> int:
    if not 1 <= limit <= 200:
        raise Invalid("limit is 1 to 200", field="limit")
    return limit


@router.get("/complaints/reasons", response=list[ComplaintReasonOut], summary="Complaint reason codes")
def complaint_reasons(request: HttpRequest) -> Any:
    require_staff(principal_of(request))
    return selectors.complaint_reason_list()


@router.get("/complaints", response=list[ComplaintOut], summary="The complaint register")
def complaint_register(
    request: HttpRequest,
    reason: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    product: str | None = None,
    team_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Complaint]:
    filters = selectors.ComplaintFilters(
        reason=reason,
        severity=severity,
        status=status,
        product=product,
        team_id=team_id,
        since=since,
        until=until,
    )
    return selectors.complaint_list_for_principal(
        principal=principal_of(request), filters=filters, limit=_limit(limit), before_id=before_id
    )


@router.get("/tickets/{ticket_id}/complaint", response=ComplaintOut, summary="A ticket's complaint")
def complaint_get(request: HttpRequest, ticket_id: int) -> Complaint:
    ticket = _staff_ticket(principal_of(request), ticket_id)
    return selectors.complaint_get_for_ticket(ticket=ticket)


@router.post(
    "/tickets/{ticket_id}/complaint", response={201: ComplaintOut}, summary="Mark a ticket a complaint"
)
def complaint_mark(request: HttpRequest, ticket_id: int, body: ComplaintIn) -> Status[Complaint]:
    principal = principal_of(request)
    ticket = _staff_ticket(principal, ticket_id)
    complaint = services.complaint_mark(
        actor=principal.user,
        ticket=ticket,
        reason=body.reason,
        severity=body.severity,
        description=body.description,
    )
    return Status(201, complaint)


@router.patch(
    "/tickets/{ticket_id}/complaint", response=ComplaintOut, summary="Change or resolve a complaint"
)
def complaint_update(request: HttpRequest, ticket_id: int, body: ComplaintPatch) -> Complaint:
    principal = principal_of(request)
    ticket = _staff_ticket(principal, ticket_id)
    complaint = selectors.complaint_get_for_ticket(ticket=ticket)
    return services.complaint_update(
        actor=principal.user,
        complaint=complaint,
        reason=body.reason,
        severity=body.severity,
        status=body.status,
        description=body.description,
    )


# --- Remedies


@router.get(
    "/tickets/{ticket_id}/remedies/options",
    response=RemedyOptionsOut,
    summary="The remedy catalogue for a ticket, with your limit and the team's remaining budget",
)
def remedy_options(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    principal = principal_of(request)
    ticket = _staff_ticket(principal, ticket_id)
    options = selectors.remedy_options_for_ticket(ticket=ticket)
    month = authority.month_of(timezone.now())
    currencies = sorted({option.currency for option in options})
    return {
        "options": [RemedyOptionOut.of(option) for option in options],
        "authority": [
            {
                "currency": currency,
                "limit": selectors.approval_limit_of(user=principal.user, currency=currency),
                "budget_remaining": selectors.budget_remaining(
                    budget=selectors.team_budget_of(team=ticket.team, currency=currency), month=month
                ),
            }
            for currency in currencies
        ],
    }


@router.post(
    "/tickets/{ticket_id}/remedies",
    response={200: RemedyRequestOut, 201: RemedyRequestOut, 202: RemedyRequestOut},
    summary="Give a remedy: 201 issued, 202 waiting for approval, 200 a repeat of the same idempotency key",
)
def remedy_issue(request: HttpRequest, ticket_id: int, body: RemedyIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    ticket = _staff_ticket(principal, ticket_id)
    key = body.idempotency_key or request.headers.get("Idempotency-Key", "")
    remedy_request, created = services.remedy_issue(
        actor=principal.user,
        ticket=ticket,
        option=body.option,
        amount=body.amount,
        item=body.item,
        note=body.note,
        idempotency_key=key,
    )
    status = 200 if not created else (202 if remedy_request.status == remedy_request.Status.PENDING else 201)
    return Status(status, RemedyRequestOut.of(remedy_request))


@router.get(
    "/tickets/{ticket_id}/remedies", response=list[RemedyEntryOut], summary="A ticket's ledger entries"
)
def ticket_remedies(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    principal = principal_of(request)
    ticket = _staff_ticket(principal, ticket_id)
    return [
        RemedyEntryOut.of(e)
        for e in selectors.remedy_entry_list_for_ticket(principal=principal, ticket=ticket)
    ]


@router.get(
    "/remedies/requests", response=list[RemedyRequestOut], summary="Remedy requests, e.g. those pending"
)
def remedy_requests(request: HttpRequest, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    rows = selectors.remedy_request_list_for_principal(
        principal=principal_of(request), status=status, limit=_limit(limit)
    )
    return [RemedyRequestOut.of(row) for row in rows]


@router.post(
    "/remedies/requests/{request_id}/approve", response=RemedyRequestOut, summary="Approve and issue"
)
def remedy_approve(request: HttpRequest, request_id: int, body: DecisionIn) -> dict[str, Any]:
    principal = principal_of(request)
    found = selectors.remedy_request_get_for_principal(principal=principal, request_id=request_id)
    decided = services.remedy_request_approve(actor=principal.user, request=found, reason=body.reason)
    return RemedyRequestOut.of(decided)


@router.post(
    "/remedies/requests/{request_id}/reject", response=RemedyRequestOut, summary="Reject, with a reason"
)
def remedy_reject(request: HttpRequest, request_id: int, body: DecisionIn) -> dict[str, Any]:
    principal = principal_of(request)
    found = selectors.remedy_request_get_for_principal(principal=principal, request_id=request_id)
    decided = services.remedy_request_reject(actor=principal.user, request=found, reason=body.reason)
    return RemedyRequestOut.of(decided)


@router.post("/remedies/{entry_id}/reverse", response={201: RemedyEntryOut}, summary="Reverse a ledger entry")
def remedy_reverse(request: HttpRequest, entry_id: int, body: ReverseIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    entry = selectors.remedy_entry_get_for_principal(principal=principal, entry_id=entry_id)
    reversal = services.remedy_reverse(actor=principal.user, entry=entry, reason=body.reason)
    return Status(201, RemedyEntryOut.of(reversal))


@router.post("/remedies/{entry_id}/fulfilment", response=RemedyEntryOut, summary="Set the fulfilment status")
def remedy_fulfilment(request: HttpRequest, entry_id: int, body: FulfilmentIn) -> dict[str, Any]:
    principal = principal_of(request)
    entry = selectors.remedy_entry_get_for_principal(principal=principal, entry_id=entry_id)
    updated = services.remedy_fulfilment_set(
        actor=principal.user, entry=entry, status=body.status, note=body.note, reference=body.reference
    )
    return RemedyEntryOut.of(updated)


@router.get(
    "/remedies/ledger",
    response=list[RemedyEntryOut],
    summary="The remedy ledger (format=csv or xlsx for the billing or shop system)",
)
def remedy_ledger(
    request: HttpRequest,
    since: datetime | None = None,
    until: datetime | None = None,
    currency: str | None = None,
    fulfilment_status: str | None = None,
    format: str = "json",
) -> Any:
    principal = principal_of(request)
    require_staff(principal)
    if format not in ("json", "csv", "xlsx"):
        raise Invalid("format is json, csv or xlsx", field="format")
    if format != "json" and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may export the ledger")
    entries = selectors.remedy_ledger(
        principal=principal,
        filters=selectors.LedgerFilters(
            since=since, until=until, currency=currency, fulfilment_status=fulfilment_status
        ),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if format == "csv":
        response = HttpResponse(exports.as_csv(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="remedies-{stamp}.csv"'
        return response
    if format == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(entries),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="remedies-{stamp}.xlsx"'
        return response
    return [RemedyEntryOut.of(entry) for entry in entries]


@router.get(
    "/reports/remedy-cost",
    response=list[CostRowOut],
    summary="Remedy cost per complaint by reason and product",
)
def remedy_cost_report(
    request: HttpRequest, since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    start, end = _window(since, until)
    rows = selectors.remedy_cost_by_reason(principal=principal_of(request), since=start, until=end)
    return [CostRowOut.of(row) for row in rows]


# --- Configuration: complaint reasons, the catalogue, approval limits, team budgets (supervisors, admins)


@router.get(
    "/remedies/config/reasons",
    response=list[ComplaintReasonAdminOut],
    summary="Every complaint reason, retired ones included",
)
def config_reasons(request: HttpRequest) -> list[ComplaintReason]:
    return selectors.complaint_reason_list_all(principal=principal_of(request))


@router.post(
    "/remedies/config/reasons", response={201: ComplaintReasonAdminOut}, summary="Add a complaint reason"
)
def config_reason_create(request: HttpRequest, body: ComplaintReasonIn) -> Status[ComplaintReason]:
    principal = principal_of(request)
    selectors.require_config_access(principal)  # before the body is checked
    reason = services.complaint_reason_create(
        actor=principal.user, code=body.code, name=body.name, position=body.position
    )
    return Status(201, reason)


@router.patch(
    "/remedies/config/reasons/{code}",
    response=ComplaintReasonAdminOut,
    summary="Rename, reorder or retire a complaint reason",
)
def config_reason_update(request: HttpRequest, code: str, body: ComplaintReasonPatch) -> ComplaintReason:
    principal = principal_of(request)
    reason = selectors.complaint_reason_get(principal=principal, code=code)
    return services.complaint_reason_update(
        actor=principal.user,
        reason=reason,
        name=body.name,
        position=body.position,
        is_active=body.is_active,
    )


@router.get(
    "/remedies/config/options",
    response=list[RemedyOptionAdminOut],
    summary="The remedy catalogue of every plan version, retired entries included",
)
def config_options(request: HttpRequest) -> list[RemedyOption]:
    return selectors.remedy_option_list(principal=principal_of(request))


@router.post(
    "/remedies/config/options", response={201: RemedyOptionAdminOut}, summary="Add to the remedy catalogue"
)
def config_option_create(request: HttpRequest, body: RemedyOptionIn) -> Status[RemedyOption]:
    principal = principal_of(request)
    selectors.require_config_access(principal)
    plan_version = (
        selectors.plan_version_for_catalogue(plan_version_id=body.plan_version_id)
        if body.plan_version_id is not None
        else None
    )
    option = services.remedy_option_create(
        actor=principal.user,
        code=body.code,
        name=body.name,
        kind=body.kind,
        currency=body.currency,
        min_value=body.min_value,
        max_value=body.max_value,
        plan_version=plan_version,
    )
    return Status(201, option)


@router.patch(
    "/remedies/config/options/{option_id}",
    response=RemedyOptionAdminOut,
    summary="Rename, change the value range or retire a catalogue entry (max_value null: no cap)",
)
def config_option_update(request: HttpRequest, option_id: int, body: RemedyOptionPatch) -> RemedyOption:
    principal = principal_of(request)
    option = selectors.remedy_option_get(principal=principal, option_id=option_id)
    extra: dict[str, Any] = {}
    if "max_value" in body.model_fields_set:
        extra["max_value"] = body.max_value
    return services.remedy_option_update(
        actor=principal.user,
        option=option,
        name=body.name,
        min_value=body.min_value,
        is_active=body.is_active,
        **extra,
    )


@router.get("/remedies/config/limits", response=list[ApprovalLimitOut], summary="Approval limits")
def config_limits(request: HttpRequest) -> list[ApprovalLimit]:
    return selectors.approval_limit_list(principal=principal_of(request))


@router.post(
    "/remedies/config/limits",
    response={200: ApprovalLimitOut, 201: ApprovalLimitOut},
    summary="Set the approval limit of a role or a person (201 new, 200 changed)",
)
def config_limit_set(request: HttpRequest, body: ApprovalLimitIn) -> Status[ApprovalLimit]:
    principal = principal_of(request)
    selectors.require_config_access(principal)
    user = selectors.staff_user_for_limit(user_id=body.user_id) if body.user_id is not None else None
    limit, created = services.approval_limit_set(
        actor=principal.user, currency=body.currency, max_amount=body.max_amount, role=body.role, user=user
    )
    return Status(201 if created else 200, limit)


@router.patch("/remedies/config/limits/{limit_id}", response=ApprovalLimitOut, summary="Change a limit")
def config_limit_update(request: HttpRequest, limit_id: int, body: ApprovalLimitPatch) -> ApprovalLimit:
    principal = principal_of(request)
    limit = selectors.approval_limit_get(principal=principal, limit_id=limit_id)
    changed, _ = services.approval_limit_set(
        actor=principal.user,
        currency=limit.currency,
        max_amount=body.max_amount,
        role=limit.role,
        user=limit.user,
    )
    return changed


@router.delete("/remedies/config/limits/{limit_id}", response={204: None}, summary="Remove a limit")
def config_limit_delete(request: HttpRequest, limit_id: int) -> Status[None]:
    principal = principal_of(request)
    limit = selectors.approval_limit_get(principal=principal, limit_id=limit_id)
    services.approval_limit_delete(actor=principal.user, limit=limit)
    return Status(204, None)


def _budget_out(budget: TeamBudget) -> dict[str, Any]:
    month = authority.month_of(timezone.now())
    spent = selectors.budget_spent(team_id=budget.team_id, currency=budget.currency, month=month)
    return {
        "id": budget.pk,
        "team_id": budget.team_id,
        "team": budget.team.name,
        "currency": budget.currency,
        "monthly_amount": budget.monthly_amount,
        "spent_this_month": spent,
        "remaining_this_month": budget.monthly_amount - spent,
    }


@router.get(
    "/remedies/config/budgets",
    response=list[TeamBudgetOut],
    summary="Team budgets with this month's spending",
)
def config_budgets(request: HttpRequest) -> list[dict[str, Any]]:
    return [_budget_out(budget) for budget in selectors.team_budget_list(principal=principal_of(request))]


@router.post(
    "/remedies/config/budgets",
    response={200: TeamBudgetOut, 201: TeamBudgetOut},
    summary="Set a team's monthly budget in a currency (201 new, 200 changed)",
)
def config_budget_set(request: HttpRequest, body: TeamBudgetIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    selectors.require_config_access(principal)
    team = selectors.team_for_budget(team_id=body.team_id)
    budget, created = services.team_budget_set(
        actor=principal.user, team=team, currency=body.currency, monthly_amount=body.monthly_amount
    )
    return Status(201 if created else 200, _budget_out(budget))


@router.patch("/remedies/config/budgets/{budget_id}", response=TeamBudgetOut, summary="Change a budget")
def config_budget_update(request: HttpRequest, budget_id: int, body: TeamBudgetPatch) -> dict[str, Any]:
    principal = principal_of(request)
    budget = selectors.team_budget_get(principal=principal, budget_id=budget_id)
    changed, _ = services.team_budget_set(
        actor=principal.user, team=budget.team, currency=budget.currency, monthly_amount=body.monthly_amount
    )
    return _budget_out(changed)


@router.delete("/remedies/config/budgets/{budget_id}", response={204: None}, summary="Remove a budget")
def config_budget_delete(request: HttpRequest, budget_id: int) -> Status[None]:
    principal = principal_of(request)
    budget = selectors.team_budget_get(principal=principal, budget_id=budget_id)
    services.team_budget_delete(actor=principal.user, budget=budget)
    return Status(204, None)
