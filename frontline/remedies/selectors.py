"""Reads of complaints, the catalogue, authority, budgets, requests and the ledger, scoped to the caller."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from frontline.accounts.models import Role, Team, User
from frontline.accounts.principal import Principal, require_staff
from frontline.accounts.selectors import user_role
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.plans.models import PlanVersion
from frontline.remedies import authority
from frontline.remedies.models import (
    ApprovalLimit,
    Complaint,
    ComplaintReason,
    RemedyEntry,
    RemedyOption,
    RemedyRequest,
    TeamBudget,
)
from frontline.tickets.models import Ticket
from frontline.tickets.selectors import ticket_visibility

_CENT = Decimal("0.01")


def _visible_tickets(principal: Principal) -> QuerySet[Ticket]:
    return Ticket.objects.filter(ticket_visibility(principal))


# --- Complaints


def complaint_reason_list() -> QuerySet[ComplaintReason]:
    return ComplaintReason.objects.filter(is_active=True).order_by("position", "code")


def complaint_get_for_ticket(*, ticket: Ticket) -> Complaint:
    complaint = Complaint.objects.select_related("reason").filter(ticket=ticket).first()
    if complaint is None:
        raise NotFound(f"ticket {ticket.pk} is not a complaint")
    return complaint


@dataclass(frozen=True)
class ComplaintFilters:
    reason: str | None = None
    severity: str | None = None
    status: str | None = None
    product: str | None = None
    team_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def complaint_list_for_principal(
    *, principal: Principal, filters: ComplaintFilters, limit: int = 50, before_id: int | None = None
) -> list[Complaint]:
    """The complaint register: newest first, complaints on tickets the caller may see."""
    require_staff(principal, "only staff may see the complaint register")
    complaints = Complaint.objects.filter(ticket__in=_visible_tickets(principal))
    if filters.reason:
        complaints = complaints.filter(reason__code=filters.reason)
    if filters.severity:
        if filters.severity not in Complaint.Severity.values:
            raise Invalid(f"unknown severity {filters.severity!r}", field="severity")
        complaints = complaints.filter(severity=filters.severity)
    if filters.status:
        if filters.status not in Complaint.Status.values:
            raise Invalid(f"unknown status {filters.status!r}", field="status")
        complaints = complaints.filter(status=filters.status)
    if filters.product:
        complaints = complaints.filter(product__iexact=filters.product)
    if filters.team_id is not None:
        complaints = complaints.filter(ticket__team_id=filters.team_id)
    if filters.since:
        complaints = complaints.filter(created_at__gte=filters.since)
    if filters.until:
        complaints = complaints.filter(created_at__lt=filters.until)
    if before_id is not None:
        complaints = complaints.filter(pk__lt=before_id)
    return list(
        complaints.select_related("reason", "ticket", "customer")
        .annotate(remedy_entries_count=Count("remedy_entries"))
        .order_by("-id")[:limit]
    )


# --- Catalogue, authority and budgets


def remedy_options_for_ticket(*, ticket: Ticket) -> list[RemedyOption]:
    """The catalogue under the ticket's plan version; its own entries win over global ones of a code."""
    options = RemedyOption.objects.filter(is_active=True).filter(
        Q(plan_version__isnull=True) | Q(plan_version_id=ticket.plan_version_id)
    )
    chosen: dict[str, RemedyOption] = {}
    for option in options.order_by("code"):
        if option.code not in chosen or option.plan_version_id is not None:
            chosen[option.code] = option
    return list(chosen.values())


def remedy_option_for_ticket(*, ticket: Ticket, code: str) -> RemedyOption:
    for option in remedy_options_for_ticket(ticket=ticket):
        if option.code == code:
            return option
    raise Invalid(f"{code!r} is not in the remedy catalogue of this ticket's plan", field="option")


def approval_limit_of(*, user: User, currency: str) -> Decimal | None:
    """The most one remedy this person may give without approval; None: unlimited."""
    limits = list(
        ApprovalLimit.objects.filter(currency=currency).filter(
            Q(user=user) | Q(user__isnull=True, role__gt="")
        )
    )
    own = [limit for limit in limits if limit.user_id == user.pk]
    role = user_role(user)
    by_role = [limit for limit in limits if limit.user_id is None and limit.role == role]
    if not own and not by_role and role == Role.ADMIN:
        return None  # admins are unlimited unless a limit says otherwise
    return authority.effective_limit(
        user_limit=own[0].max_amount if own else None,
        has_user_limit=bool(own),
        role_limit=by_role[0].max_amount if by_role else None,
        has_role_limit=bool(by_role) and role is not None,
    )


def team_budget_of(*, team: Team | None, currency: str) -> TeamBudget | None:
    if team is None:
        return None
    return TeamBudget.objects.filter(team=team, currency=currency).first()


def budget_spent(*, team_id: int, currency: str, month: date) -> Decimal:
    """Net spending (reversals subtract) of a team in a month, summed from the ledger."""
    total = RemedyEntry.objects.filter(team_id=team_id, currency=currency, month=month).aggregate(
        total=Sum("amount")
    )["total"]
    return (total or Decimal("0")).quantize(_CENT)


def budget_remaining(*, budget: TeamBudget | None, month: date) -> Decimal | None:
    if budget is None:
        return None
    return budget.monthly_amount - budget_spent(team_id=budget.team_id, currency=budget.currency, month=month)


def approvers_for(*, amount: Decimal, currency: str, budget_left: Decimal | None) -> list[User]:
    """Active staff who could approve this remedy (their limit covers it, and the budget if it is short)."""
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name__in=(Role.SUPERVISOR, Role.ADMIN))
            | Q(pk__in=ApprovalLimit.objects.filter(currency=currency, user__isnull=False).values("user_id"))
        )
        .distinct()
        .order_by("id")[:200]
    )
    return [
        user
        for user in candidates
        if authority.can_approve(
            amount=amount,
            limit=approval_limit_of(user=user, currency=currency),
            budget_remaining=budget_left,
        )
    ][:50]


# --- Requests and the ledger


def remedy_request_list_for_principal(
    *, principal: Principal, status: str | None = None, limit: int = 50
) -> list[RemedyRequest]:
    require_staff(principal, "only staff may see remedy requests")
    requests = RemedyRequest.objects.filter(ticket__in=_visible_tickets(principal))
    if status:
        if status not in RemedyRequest.Status.values:
            raise Invalid(f"unknown status {status!r}", field="status")
        requests = requests.filter(status=status)
    return list(requests.select_related("option", "entry__option", "entry__reversal").order_by("-id")[:limit])


def remedy_request_get_for_principal(*, principal: Principal, request_id: int) -> RemedyRequest:
    require_staff(principal, "only staff may see remedy requests")
    found = (
        RemedyRequest.objects.filter(pk=request_id, ticket__in=_visible_tickets(principal))
        .select_related("option", "ticket")
        .first()
    )
    if found is None:
        raise NotFound(f"remedy request {request_id} not found")
    return found


def remedy_entry_get_for_principal(*, principal: Principal, entry_id: int) -> RemedyEntry:
    require_staff(principal, "only staff may see remedies")
    entry = RemedyEntry.objects.filter(pk=entry_id, ticket__in=_visible_tickets(principal)).first()
    if entry is None:
        raise NotFound(f"remedy {entry_id} not found")
    return entry


def remedy_entry_list_for_ticket(*, principal: Principal, ticket: Ticket) -> list[RemedyEntry]:
    require_staff(principal, "only staff may see remedies")
    return list(RemedyEntry.objects.filter(ticket=ticket).select_related("option", "reversal").order_by("id"))


@dataclass(frozen=True)
class LedgerFilters:
    since: datetime | None = None
    until: datetime | None = None
    currency: str | None = None
    fulfilment_status: str | None = None


def remedy_ledger(*, principal: Principal, filters: LedgerFilters, limit: int = 10_000) -> list[RemedyEntry]:
    """Ledger entries on visible tickets, oldest first (the hand-off order for billing and shop systems)."""
    require_staff(principal, "only staff may see the remedy ledger")
    entries = RemedyEntry.objects.filter(ticket__in=_visible_tickets(principal))
    if filters.since:
        entries = entries.filter(issued_at__gte=filters.since)
    if filters.until:
        entries = entries.filter(issued_at__lt=filters.until)
    if filters.currency:
        entries = entries.filter(currency=filters.currency.upper())
    if filters.fulfilment_status:
        if filters.fulfilment_status not in RemedyEntry.Fulfilment.values:
            raise Invalid(
                f"unknown fulfilment status {filters.fulfilment_status!r}", field="fulfilment_status"
            )
        entries = entries.filter(fulfilment_status=filters.fulfilment_status)
    return list(
        entries.select_related(
            "option", "reversal", "customer", "issued_by", "approved_by", "complaint__reason"
        ).order_by("issued_at", "id")[:limit]
    )


# --- Reports


@dataclass(frozen=True)
class CostRow:
    reason: str
    product: str
    currency: str | None
    complaints: int
    remedies: int
    total: Decimal
    per_complaint: Decimal


def remedy_cost_by_reason(*, principal: Principal, since: datetime, until: datetime) -> list[CostRow]:
    """Net remedy cost per complaint, by reason and product, for complaints made in [since, until).

    Complaints without a remedy count in the denominator; each currency is its own row.
    """
    require_staff(principal, "only staff may see reports")
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may see remedy costs")
    complaints = Complaint.objects.filter(created_at__gte=since, created_at__lt=until)
    counts = {
        (row["reason__code"], row["product"]): row["n"]
        for row in complaints.values("reason__code", "product").annotate(n=Count("id"))
    }
    money: dict[tuple[str, str], list[tuple[str | None, Decimal, int]]] = defaultdict(list)
    for row in (
        RemedyEntry.objects.filter(complaint__in=complaints)
        .values("complaint__reason__code", "complaint__product", "currency")
        .annotate(total=Sum("amount"), n=Count("id", filter=Q(reverses__isnull=True)))
        .order_by("currency")
    ):
        key = (row["complaint__reason__code"], row["complaint__product"])
        money[key].append((row["currency"], (row["total"] or Decimal("0")).quantize(_CENT), row["n"]))
    rows = []
    for (reason, product), n in sorted(counts.items()):
        for currency, total, given in money.get((reason, product)) or [(None, Decimal("0"), 0)]:
            rows.append(
                CostRow(
                    reason=reason,
                    product=product,
                    currency=currency,
                    complaints=n,
                    remedies=given,
                    total=total,
                    per_complaint=(total / n).quantize(_CENT),
                )
            )
    return rows


# --- The desk: a customer's remedy history and the approvals queue


def remedy_history_for_customer(
    *, principal: Principal, customer_id: int, limit: int = 50
) -> list[RemedyEntry]:
    """The customer's ledger entries (reversals included) on tickets the caller may see, newest first."""
    require_staff(principal, "only staff may see remedies")
    return list(
        RemedyEntry.objects.filter(customer_id=customer_id, ticket__in=_visible_tickets(principal))
        .select_related("option", "reversal", "reverses", "issued_by", "approved_by")
        .order_by("-issued_at", "-id")[:limit]
    )


def remedy_request_list_for_customer(
    *, principal: Principal, customer_id: int, statuses: tuple[str, ...], limit: int = 20
) -> list[RemedyRequest]:
    """The customer's requests in these states (e.g. pending, rejected) on tickets the caller may see."""
    require_staff(principal, "only staff may see remedy requests")
    return list(
        RemedyRequest.objects.filter(
            customer_id=customer_id, status__in=statuses, ticket__in=_visible_tickets(principal)
        )
        .select_related("option", "requested_by", "decided_by")
        .order_by("-created_at", "-id")[:limit]
    )


def remedy_request_pending_list(*, principal: Principal, limit: int = 100) -> list[RemedyRequest]:
    """Requests waiting for approval on tickets the caller may see, oldest first (the approvals queue)."""
    require_staff(principal, "only staff may see remedy requests")
    return list(
        RemedyRequest.objects.filter(
            status=RemedyRequest.Status.PENDING, ticket__in=_visible_tickets(principal)
        )
        .select_related("option", "ticket", "customer", "requested_by")
        .order_by("created_at", "id")[:limit]
    )


def remedy_request_decided_list(*, principal: Principal, limit: int = 20) -> list[RemedyRequest]:
    require_staff(principal, "only staff may see remedy requests")
    return list(
        RemedyRequest.objects.filter(
            status__in=(RemedyRequest.Status.APPROVED, RemedyRequest.Status.REJECTED),
            ticket__in=_visible_tickets(principal),
        )
        .select_related("option", "ticket", "customer", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def approvers_of_request(*, request: RemedyRequest, at: datetime) -> list[User]:
    """Who could approve this pending request now (the people it was sent to)."""
    left = None
    if authority.OVER_BUDGET in request.approval_reasons:
        left = budget_remaining(
            budget=team_budget_of(team=request.ticket.team, currency=request.currency),
            month=authority.month_of(at),
        )
    return [
        user
        for user in approvers_for(amount=request.amount, currency=request.currency, budget_left=left)
        if user.pk != request.requested_by_id
    ]


# --- Configuration reads (supervisors and admins)


def require_config_access(principal: Principal) -> None:
    """Only supervisors and admins may see and change the remedy configuration (Forbidden otherwise)."""
    require_staff(principal)
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may see and change the remedy configuration")


def approval_limit_list(*, principal: Principal) -> list[ApprovalLimit]:
    require_config_access(principal)
    return list(ApprovalLimit.objects.select_related("user").order_by("currency", "role", "user_id"))


def approval_limit_get(*, principal: Principal, limit_id: int) -> ApprovalLimit:
    require_config_access(principal)
    found = ApprovalLimit.objects.filter(pk=limit_id).first()
    if found is None:
        raise NotFound(f"approval limit {limit_id} not found")
    return found


def team_budget_list(*, principal: Principal) -> list[TeamBudget]:
    require_config_access(principal)
    return list(TeamBudget.objects.select_related("team").order_by("team__name", "currency"))


def team_budget_get(*, principal: Principal, budget_id: int) -> TeamBudget:
    require_config_access(principal)
    found = TeamBudget.objects.filter(pk=budget_id).select_related("team").first()
    if found is None:
        raise NotFound(f"team budget {budget_id} not found")
    return found


def remedy_option_list(*, principal: Principal) -> list[RemedyOption]:
    """The whole catalogue, every plan version's and the global one, retired entries included."""
    require_config_access(principal)
    return list(RemedyOption.objects.order_by("plan_version_id", "code"))


def remedy_option_get(*, principal: Principal, option_id: int) -> RemedyOption:
    require_config_access(principal)
    found = RemedyOption.objects.filter(pk=option_id).first()
    if found is None:
        raise NotFound(f"remedy option {option_id} not found")
    return found


def complaint_reason_list_all(*, principal: Principal) -> list[ComplaintReason]:
    require_config_access(principal)
    return list(ComplaintReason.objects.order_by("position", "code"))


def complaint_reason_get(*, principal: Principal, code: str) -> ComplaintReason:
    require_config_access(principal)
    found = ComplaintReason.objects.filter(code=code).first()
    if found is None:
        raise NotFound(f"complaint reason {code!r} not found")
    return found


def team_for_budget(*, team_id: int) -> Team:
    found = Team.objects.filter(pk=team_id).first()
    if found is None:
        raise Invalid(f"team {team_id} not found", field="team_id")
    return found


def staff_user_for_limit(*, user_id: int) -> User:
    found = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise Invalid(f"user {user_id} not found", field="user_id")
    return found


def plan_version_for_catalogue(*, plan_version_id: int) -> PlanVersion:
    found = PlanVersion.objects.filter(pk=plan_version_id).first()
    if found is None:
        raise Invalid(f"plan version {plan_version_id} not found", field="plan_version_id")
    return found
