"""Every write of complaints and remedies; each records its events.

Issuing a remedy: the request row (with its idempotency key) is written first, so a double click or
a retry finds it; then the team's budget row for the month is locked (`select_for_update`) and the
month's net spending summed from the ledger, so concurrent issues against one budget never overspend.
Within the giver's approval limit and the remaining budget the remedy is issued at once; otherwise
the request waits for someone with the authority, who hears of it through the `remedy_over_limit`
escalation chains and a notification.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontline.accounts.models import Role, Team, User
from frontline.accounts.selectors import user_role
from frontline.core.amounts import MESSAGE as AMOUNT_MESSAGE
from frontline.core.amounts import NotAnAmount, parse_amount
from frontline.core.errors import Conflict, Forbidden, Invalid
from frontline.escalations.models import EscalationChain
from frontline.escalations.services import escalation_trigger
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.notifications.services import notify
from frontline.plans.models import PlanVersion
from frontline.remedies import authority, coupons, selectors
from frontline.remedies.models import (
    ApprovalLimit,
    BudgetMonth,
    Complaint,
    ComplaintReason,
    RemedyEntry,
    RemedyKind,
    RemedyOption,
    RemedyRequest,
    TeamBudget,
)
from frontline.tickets.models import Ticket

logger = logging.getLogger(__name__)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
IDEMPOTENCY_KEY_MAX = 100


def money(value: Decimal | str | int, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places, written in the digits 0-9."""
    try:
        amount = parse_amount(value)
    except (NotAnAmount, InvalidOperation, ValueError, TypeError) as exc:
        raise Invalid(f"not an amount: {AMOUNT_MESSAGE}", field=field) from exc
    if not amount.is_finite() or amount <= 0:
        raise Invalid("the amount must be more than zero", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("at most two decimal places", field=field)
    if amount >= Decimal("10000000000"):
        raise Invalid("the amount is too large", field=field)
    return amount.quantize(Decimal("0.01"))


def currency_code(value: str, *, field: str = "currency") -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise Invalid("a currency is a three-letter ISO 4217 code, e.g. PHP", field=field)
    return code


# --- Complaints


def _reason(code: str) -> ComplaintReason:
    reason = ComplaintReason.objects.filter(code=code, is_active=True).first()
    if reason is None:
        codes = ", ".join(ComplaintReason.objects.filter(is_active=True).values_list("code", flat=True))
        raise Invalid(f"unknown reason {code!r}; reasons are {codes}", field="reason")
    return reason


def _severity(value: str) -> str:
    if value not in Complaint.Severity.values:
        raise Invalid(f"severity is one of {', '.join(Complaint.Severity.values)}", field="severity")
    return value


def _complaint_data(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint": complaint.pk,
        "ticket": complaint.ticket_id,
        "customer": complaint.customer_id,
        "reason": complaint.reason.code,
        "severity": complaint.severity,
        "status": complaint.status,
        "product": complaint.product,
    }


@transaction.atomic
def complaint_mark(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str,
    severity: str = Complaint.Severity.MEDIUM,
    description: str = "",
    at: datetime | None = None,
) -> Complaint:
    """Mark the ticket a complaint (once) with a reason code and severity."""
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if Complaint.objects.filter(ticket=ticket).exists():
        raise Conflict(f"ticket {ticket.pk} is a complaint already", code="complaint_exists")
    complaint = Complaint.objects.create(
        ticket=ticket,
        customer_id=ticket.requester_id,
        reason=_reason(reason),
        severity=_severity(severity),
        product=ticket.product,
        description=description.strip(),
        created_by=actor,
        created_at=at or timezone.now(),
    )
    event_record(
        actor=actor,
        verb="complaint.marked",
        target=ticket,
        after=_complaint_data(complaint),
        at=complaint.created_at,
    )
    return complaint


@transaction.atomic
def complaint_update(
    *,
    actor: User | None,
    complaint: Complaint,
    reason: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    description: str | None = None,
) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("reason").get(pk=complaint.pk)
    )
    before = _complaint_data(complaint)
    if reason is not None:
        complaint.reason = _reason(reason)
    if severity is not None:
        complaint.severity = _severity(severity)
    if status is not None:
        if status not in Complaint.Status.values:
            raise Invalid(f"status is one of {', '.join(Complaint.Status.values)}", field="status")
        if status != complaint.status:
            complaint.resolved_at = timezone.now() if status == Complaint.Status.RESOLVED else None
        complaint.status = status
    if description is not None:
        complaint.description = description.strip()
    complaint.save()
    after = _complaint_data(complaint)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        event_record(
            actor=actor,
            verb="complaint.updated",
            target=complaint.ticket,
            before={k: before[k] for k in changed},
            after={**changed, "complaint": complaint.pk, "ticket": complaint.ticket_id},
        )
    return complaint


# --- Issuing remedies


def _entry_data(entry: RemedyEntry) -> dict[str, Any]:
    return {
        "entry": entry.pk,
        "request": entry.request_id,
        "reverses": entry.reverses_id,
        "ticket": entry.ticket_id,
        "customer": entry.customer_id,
        "complaint": entry.complaint_id,
        "team": entry.team_id,
        "option": entry.option.code,
        "kind": entry.kind,
        "amount": entry.amount,
        "currency": entry.currency,
        "item": entry.item,
        "coupon_code": entry.coupon_code,
        "issued_by": entry.issued_by_id,
        "approved_by": entry.approved_by_id,
        "fulfilment_status": entry.fulfilment_status,
    }


def _request_data(request: RemedyRequest) -> dict[str, Any]:
    return {
        "request": request.pk,
        "ticket": request.ticket_id,
        "customer": request.customer_id,
        "option": request.option.code,
        "amount": request.amount,
        "currency": request.currency,
        "status": request.status,
        "approval_reasons": request.approval_reasons,
    }


def _lock_budget(ticket: Ticket, currency: str, at: datetime) -> tuple[TeamBudget | None, Decimal | None]:
    """Lock the team's budget row for the month (first creating it) and say what is left of it."""
    budget = selectors.team_budget_of(team=ticket.team, currency=currency)
    if budget is None:
        return None, None
    month = authority.month_of(at)
    row, _ = BudgetMonth.objects.get_or_create(budget=budget, month=month)
    BudgetMonth.objects.select_for_update(of=("self",)).get(pk=row.pk)
    return budget, selectors.budget_remaining(budget=budget, month=month)


def _entry_create(*, request: RemedyRequest, approved_by: User | None, at: datetime) -> RemedyEntry:
    ticket = request.ticket
    complaint = Complaint.objects.filter(ticket=ticket).first()
    fields: dict[str, Any] = {
        "request": request,
        "ticket": ticket,
        "customer_id": request.customer_id,
        "complaint": complaint,
        "team_id": ticket.team_id,
        "option": request.option,
        "kind": request.option.kind,
        "amount": request.amount,
        "currency": request.currency,
        "item": request.item,
        "note": request.note,
        "issued_by": request.requested_by,
        "approved_by": approved_by,
        "month": authority.month_of(at),
        "issued_at": at,
    }
    if request.option.kind != RemedyKind.COUPON:
        entry = RemedyEntry.objects.create(**fields)
    else:
        for _ in range(5):  # a collision among 27**12 codes is all but impossible; retry anyway
            try:
                with transaction.atomic():
                    entry = RemedyEntry.objects.create(**fields, coupon_code=coupons.coupon_code())
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five collisions in a row
            raise Conflict("no free coupon code could be generated", code="coupon_code")
    event_record(
        actor=request.requested_by, verb="remedy.issued", target=ticket, after=_entry_data(entry), at=at
    )
    return entry


def _ask_for_approval(request: RemedyRequest, budget_left: Decimal | None) -> None:
    """Tell the people who can approve, and start the ticket's `remedy_over_limit` chains."""
    ticket = request.ticket
    title = f"Remedy needs approval: {request.amount} {request.currency} on #{ticket.pk}"
    body = (
        f"{request.option.name} requested by {request.requested_by.get_username()} "
        f"({', '.join(request.approval_reasons)}). {request.note}".strip()
    )
    for user in selectors.approvers_for(
        amount=request.amount,
        currency=request.currency,
        budget_left=budget_left if authority.OVER_BUDGET in request.approval_reasons else None,
    ):
        notify(user=user, title=title, body=body, ticket=ticket, kind=Notification.Kind.ESCALATION)
    try:
        with transaction.atomic():
            escalation_trigger(
                ticket=ticket,
                trigger=EscalationChain.Trigger.REMEDY_OVER_LIMIT,
                reason=f"remedy request {request.pk}: {request.amount} {request.currency}",
            )
    except Exception:  # the request stands; the escalation's failure is in the log
        logger.exception("remedy request %s could not start its escalation", request.pk)


@transaction.atomic
def remedy_issue(
    *,
    actor: User,
    ticket: Ticket,
    option: str,
    amount: Decimal | str,
    item: str = "",
    note: str = "",
    idempotency_key: str = "",
    at: datetime | None = None,
) -> tuple[RemedyRequest, bool]:
    """Give the ticket's customer a remedy from the catalogue; returns (request, created).

    Within the actor's approval limit and the team's remaining budget the request is `issued` with its
    ledger entry; otherwise it is `pending` approval. The same idempotency key again returns the
    first request (created=False) and issues nothing.
    """
    key = idempotency_key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise Invalid(f"the idempotency key is longer than {IDEMPOTENCY_KEY_MAX}", field="idempotency_key")
    if key:
        existing = RemedyRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
        if existing is not None:
            return _replayed(existing, ticket=ticket, option=option, amount=amount), False
    chosen = selectors.remedy_option_for_ticket(ticket=ticket, code=option)
    value = money(amount)
    if value < chosen.min_value:
        raise Invalid(f"{chosen.name} is at least {chosen.min_value} {chosen.currency}", field="amount")
    if chosen.max_value is not None and value > chosen.max_value:
        raise Invalid(f"{chosen.name} is at most {chosen.max_value} {chosen.currency}", field="amount")
    if ticket.merged_into_id:
        raise Conflict(f"ticket {ticket.pk} was merged into {ticket.merged_into_id}", code="ticket_merged")
    now = at or timezone.now()
    try:
        with transaction.atomic():
            request = RemedyRequest.objects.create(
                ticket=ticket,
                customer_id=ticket.requester_id,
                option=chosen,
                amount=value,
                currency=chosen.currency,
                item=item.strip()[:200],
                note=note.strip(),
                requested_by=actor,
                idempotency_key=key,
                status=RemedyRequest.Status.PENDING,
                created_at=now,
            )
    except IntegrityError:  # the same key, a moment ago, in another transaction
        existing = RemedyRequest.objects.get(requested_by=actor, idempotency_key=key)
        return _replayed(existing, ticket=ticket, option=option, amount=amount), False
    _, left = _lock_budget(ticket, chosen.currency, now)
    decision = authority.decide(
        amount=value,
        limit=selectors.approval_limit_of(user=actor, currency=chosen.currency),
        budget_remaining=left,
    )
    if decision.is_allowed:
        request.status = RemedyRequest.Status.ISSUED
        request.save(update_fields=["status"])
        _entry_create(request=request, approved_by=None, at=now)
        return request, True
    request.approval_reasons = list(decision.reasons)
    request.save(update_fields=["approval_reasons"])
    event_record(
        actor=actor, verb="remedy.approval_requested", target=ticket, after=_request_data(request), at=now
    )
    _ask_for_approval(request, left)
    return request, True


def _replayed(request: RemedyRequest, *, ticket: Ticket, option: str, amount: Decimal | str) -> RemedyRequest:
    same = request.ticket_id == ticket.pk and request.option.code == option
    try:
        same = same and Decimal(amount) == request.amount
    except (InvalidOperation, ValueError, TypeError):
        same = False
    if not same:
        raise Conflict(
            "this idempotency key was used for a different remedy",
            field="idempotency_key",
            code="idempotency_key_reused",
        )
    return request


def _pending(request: RemedyRequest) -> RemedyRequest:
    locked = (
        RemedyRequest.objects.select_for_update(of=("self",))
        .select_related("option", "ticket", "requested_by")
        .get(pk=request.pk)
    )
    if locked.status != RemedyRequest.Status.PENDING:
        raise Conflict(f"the request is {locked.status} already", code="request_decided")
    return locked


def _tell_requester(request: RemedyRequest, *, entry: RemedyEntry | None) -> None:
    """Notify the person who asked of the decision, in their own language."""
    requester = request.requested_by
    if not requester.is_active or requester.pk == (request.decided_by_id or 0):
        return
    decider = request.decided_by
    values = {
        "amount": request.amount,
        "currency": request.currency,
        "ticket": request.ticket_id,
        "name": decider.get_full_name() or decider.get_username() if decider else "",
    }
    with translation.override(requester.language or "en"):
        if entry is not None:
            title = _("Remedy approved: %(amount)s %(currency)s on #%(ticket)s") % values
            body = _("Approved by %(name)s.") % values
            if entry.coupon_code:
                body += " " + _("Coupon code: %(code)s") % {"code": entry.coupon_code}
        else:
            title = _("Remedy rejected: %(amount)s %(currency)s on #%(ticket)s") % values
            body = _("Rejected by %(name)s.") % values
        if request.decision_reason:
            body += " " + _("Reason: %(reason)s") % {"reason": request.decision_reason}
    notify(user=requester, title=title, body=body, ticket=request.ticket, actor=decider)


@transaction.atomic
def remedy_request_approve(
    *, actor: User, request: RemedyRequest, reason: str = "", at: datetime | None = None
) -> RemedyRequest:
    """Approve and issue; the approver's limit must cover it, and going past the budget needs no limit."""
    request = _pending(request)
    now = at or timezone.now()
    _, left = _lock_budget(request.ticket, request.currency, now)
    if not authority.can_approve(
        amount=request.amount,
        limit=selectors.approval_limit_of(user=actor, currency=request.currency),
        budget_remaining=left,
    ):
        raise Forbidden("this remedy is above your authority to approve")
    request.status = RemedyRequest.Status.APPROVED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    event_record(
        actor=actor,
        verb="remedy.approved",
        target=request.ticket,
        after={**_request_data(request), "reason": request.decision_reason},
        at=now,
    )
    entry = _entry_create(request=request, approved_by=actor, at=now)
    _tell_requester(request, entry=entry)
    return request


@transaction.atomic
def remedy_request_reject(
    *, actor: User, request: RemedyRequest, reason: str, at: datetime | None = None
) -> RemedyRequest:
    """Refuse, saying why; only someone who could have approved the amount may refuse it."""
    if not reason.strip():
        raise Invalid("say why the remedy is rejected", field="reason")
    request = _pending(request)
    limit = selectors.approval_limit_of(user=actor, currency=request.currency)
    if limit is not None and request.amount > limit:
        raise Forbidden("this remedy is above your authority to decide")
    now = at or timezone.now()
    request.status = RemedyRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    event_record(
        actor=actor,
        verb="remedy.rejected",
        target=request.ticket,
        after={**_request_data(request), "reason": request.decision_reason},
        at=now,
    )
    _tell_requester(request, entry=None)
    return request


@transaction.atomic
def remedy_reverse(
    *, actor: User, entry: RemedyEntry, reason: str, at: datetime | None = None
) -> RemedyEntry:
    """Undo an entry with a new, negative one in the same budget month (supervisors and admins)."""
    if user_role(actor) not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only supervisors and admins may reverse a remedy")
    if not reason.strip():
        raise Invalid("say why the remedy is reversed", field="reason")
    entry = RemedyEntry.objects.select_for_update(of=("self",)).select_related("option").get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise Conflict("a reversal cannot be reversed", code="is_reversal")
    if RemedyEntry.objects.filter(reverses=entry).exists():
        raise Conflict(f"remedy {entry.pk} was reversed already", code="reversed")
    now = at or timezone.now()
    reversal = RemedyEntry.objects.create(
        reverses=entry,
        ticket_id=entry.ticket_id,
        customer_id=entry.customer_id,
        complaint_id=entry.complaint_id,
        team_id=entry.team_id,
        option=entry.option,
        kind=entry.kind,
        amount=-entry.amount,
        currency=entry.currency,
        item=entry.item,
        note=reason.strip(),
        issued_by=actor,
        month=entry.month,
        issued_at=now,
    )
    event_record(
        actor=actor,
        verb="remedy.reversed",
        target=entry.ticket,
        after={**_entry_data(reversal), "reason": reversal.note, "coupon_code": entry.coupon_code},
        at=now,
    )
    return reversal


_FULFILMENT_MOVES = {
    RemedyEntry.Fulfilment.PENDING: {RemedyEntry.Fulfilment.FULFILLED, RemedyEntry.Fulfilment.FAILED},
    RemedyEntry.Fulfilment.FAILED: {RemedyEntry.Fulfilment.PENDING, RemedyEntry.Fulfilment.FULFILLED},
    RemedyEntry.Fulfilment.FULFILLED: set(),
}
_FULFILMENT_VERBS = {
    RemedyEntry.Fulfilment.PENDING: "remedy.fulfilment_retried",
    RemedyEntry.Fulfilment.FULFILLED: "remedy.fulfilled",
    RemedyEntry.Fulfilment.FAILED: "remedy.fulfilment_failed",
}


@transaction.atomic
def remedy_fulfilment_set(
    *, actor: User | None, entry: RemedyEntry, status: str, note: str = "", reference: str = ""
) -> RemedyEntry:
    """The billing or shop system reports back: pending → fulfilled or failed (failed may be retried)."""
    if status not in RemedyEntry.Fulfilment.values:
        raise Invalid(f"status is one of {', '.join(RemedyEntry.Fulfilment.values)}", field="status")
    entry = RemedyEntry.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=entry.pk)
    current = RemedyEntry.Fulfilment(entry.fulfilment_status)
    if status not in _FULFILMENT_MOVES[current]:
        raise Conflict(
            f"a {current} remedy cannot become {status}", field="status", code="invalid_transition"
        )
    entry.fulfilment_status = status
    entry.fulfilment_note = note.strip()[:300]
    if reference.strip():
        entry.fulfilment_reference = reference.strip()[:100]
    entry.fulfilled_at = timezone.now() if status == RemedyEntry.Fulfilment.FULFILLED else None
    entry.save(update_fields=["fulfilment_status", "fulfilment_note", "fulfilment_reference", "fulfilled_at"])
    event_record(
        actor=actor,
        verb=_FULFILMENT_VERBS[RemedyEntry.Fulfilment(status)],
        target=entry.ticket,
        before={"fulfilment_status": current.value},
        after={
            "entry": entry.pk,
            "ticket": entry.ticket_id,
            "fulfilment_status": status,
            "note": entry.fulfilment_note,
            "reference": entry.fulfilment_reference,
        },
    )
    return entry


# --- Configuration: the catalogue, complaint reasons, approval limits and team budgets


def _require_manager(actor: User, what: str) -> str:
    role = user_role(actor)
    if role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden(f"only supervisors and admins may {what}")
    return role


def _limit_amount(value: Decimal | str | None, *, field: str = "max_amount") -> Decimal | None:
    if value is None:
        return None
    try:
        amount = parse_amount(value)
    except (NotAnAmount, InvalidOperation, ValueError, TypeError) as exc:
        raise Invalid(f"not an amount: {AMOUNT_MESSAGE}", field=field) from exc
    if amount == 0:
        return Decimal("0.00")
    return money(amount, field=field)


def _limit_data(limit: ApprovalLimit) -> dict[str, Any]:
    return {
        "limit": limit.pk,
        "role": limit.role,
        "user": limit.user_id,
        "currency": limit.currency,
        "max_amount": limit.max_amount,
    }


@transaction.atomic
def approval_limit_set(
    *,
    actor: User,
    currency: str,
    max_amount: Decimal | str | None,
    role: str = "",
    user: User | None = None,
) -> tuple[ApprovalLimit, bool]:
    """Set how much one remedy a role, or one person, may give without approval (None: unlimited).

    Admins set any limit. A supervisor may not change their own limit or the supervisor and admin
    roles', and may not hand out more authority than they hold themselves.
    """
    actor_role = _require_manager(actor, "set approval limits")
    code = currency_code(currency)
    amount = _limit_amount(max_amount)
    if bool(role) == (user is not None):
        raise Invalid("give either a role or a user", field="role")
    if role and role not in Role.values:
        raise Invalid(f"role is one of {', '.join(Role.values)}", field="role")
    if user is not None and user_role(user) is None:
        raise Invalid("approval limits are for staff", field="user_id")
    if actor_role != Role.ADMIN:
        if user is not None and user.pk == actor.pk:
            raise Forbidden("you cannot change your own approval limit")
        if role in (Role.SUPERVISOR, Role.ADMIN):
            raise Forbidden("only admins may set the limits of supervisors and admins")
        own = selectors.approval_limit_of(user=actor, currency=code)
        if own is not None and (amount is None or amount > own):
            raise Forbidden(f"you may not give more authority than your own ({own} {code})")
    lookup: dict[str, Any] = {"user": user} if user is not None else {"role": role, "user": None}
    limit = ApprovalLimit.objects.select_for_update(of=("self",)).filter(currency=code, **lookup).first()
    before = _limit_data(limit) if limit is not None else None
    created = limit is None
    if limit is None:
        limit = ApprovalLimit(currency=code, role=role, user=user)
    limit.max_amount = amount
    limit.save()
    event_record(
        actor=actor,
        verb="remedy_limit.set",
        target=limit,
        before=before,
        after=_limit_data(limit),
    )
    return limit, created


@transaction.atomic
def approval_limit_delete(*, actor: User, limit: ApprovalLimit) -> None:
    actor_role = _require_manager(actor, "remove approval limits")
    if actor_role != Role.ADMIN and (
        limit.user_id == actor.pk or limit.role in (Role.SUPERVISOR, Role.ADMIN)
    ):
        raise Forbidden("only admins may remove this limit")
    event_record(actor=actor, verb="remedy_limit.deleted", target=limit, before=_limit_data(limit))
    limit.delete()


def _budget_data(budget: TeamBudget) -> dict[str, Any]:
    return {
        "budget": budget.pk,
        "team": budget.team_id,
        "currency": budget.currency,
        "monthly_amount": budget.monthly_amount,
    }


@transaction.atomic
def team_budget_set(
    *, actor: User, team: Team, currency: str, monthly_amount: Decimal | str
) -> tuple[TeamBudget, bool]:
    """Set a team's monthly remedy budget in a currency (zero: nothing without approval)."""
    _require_manager(actor, "set team budgets")
    code = currency_code(currency)
    amount = _limit_amount(monthly_amount, field="monthly_amount")
    if amount is None:
        raise Invalid("give the monthly amount", field="monthly_amount")
    budget = TeamBudget.objects.select_for_update(of=("self",)).filter(team=team, currency=code).first()
    before = _budget_data(budget) if budget is not None else None
    created = budget is None
    if budget is None:
        budget = TeamBudget(team=team, currency=code)
    budget.monthly_amount = amount
    budget.save()
    event_record(
        actor=actor, verb="remedy_budget.set", target=budget, before=before, after=_budget_data(budget)
    )
    return budget, created


@transaction.atomic
def team_budget_delete(*, actor: User, budget: TeamBudget) -> None:
    """Remove a budget; the months already spent stay in the ledger."""
    _require_manager(actor, "remove team budgets")
    event_record(actor=actor, verb="remedy_budget.deleted", target=budget, before=_budget_data(budget))
    budget.delete()


def _option_data(option: RemedyOption) -> dict[str, Any]:
    return {
        "option": option.pk,
        "plan_version": option.plan_version_id,
        "code": option.code,
        "name": option.name,
        "kind": option.kind,
        "currency": option.currency,
        "min_value": option.min_value,
        "max_value": option.max_value,
        "is_active": option.is_active,
    }


_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _code(value: str, *, field: str = "code") -> str:
    code = value.strip()
    if not _CODE.match(code):
        raise Invalid("a code is 1 to 40 lower-case letters, digits, _ or -", field=field)
    return code


def _name(value: str, *, field: str = "name", max_length: int = 100) -> str:
    name = value.strip()
    if not name:
        raise Invalid("give a name", field=field)
    if len(name) > max_length:
        raise Invalid(f"the name is longer than {max_length}", field=field)
    return name


def _option_values(option: RemedyOption) -> None:
    if option.kind not in RemedyKind.values:
        raise Invalid(f"kind is one of {', '.join(RemedyKind.values)}", field="kind")
    if option.min_value < 0:
        raise Invalid("the minimum cannot be negative", field="min_value")
    if option.max_value is not None and option.max_value < option.min_value:
        raise Invalid("the maximum is below the minimum", field="max_value")


@transaction.atomic
def remedy_option_create(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    currency: str,
    min_value: Decimal | str = Decimal("0"),
    max_value: Decimal | str | None = None,
    plan_version: PlanVersion | None = None,
) -> RemedyOption:
    """Add an entry to the catalogue (of a plan version, or of every plan without one)."""
    _require_manager(actor, "change the remedy catalogue")
    option = RemedyOption(
        plan_version=plan_version,
        code=_code(code),
        name=_name(name),
        kind=kind,
        currency=currency_code(currency),
        min_value=_limit_amount(min_value, field="min_value") or Decimal("0"),
        max_value=_limit_amount(max_value, field="max_value"),
    )
    _option_values(option)
    if RemedyOption.objects.filter(code=option.code, plan_version=plan_version).exists():
        raise Conflict(f"the catalogue has {option.code!r} already", field="code", code="option_exists")
    option.save()
    event_record(actor=actor, verb="remedy_option.created", target=option, after=_option_data(option))
    return option


_UNSET: Any = object()


@transaction.atomic
def remedy_option_update(
    *,
    actor: User,
    option: RemedyOption,
    name: str | None = None,
    min_value: Decimal | str | None = None,
    max_value: Decimal | str | None = _UNSET,
    is_active: bool | None = None,
) -> RemedyOption:
    """Rename, change the value range or (de)activate; kind, code and currency stay (the ledger uses them)."""
    _require_manager(actor, "change the remedy catalogue")
    option = RemedyOption.objects.select_for_update(of=("self",)).get(pk=option.pk)
    before = _option_data(option)
    if name is not None:
        option.name = _name(name)
    if min_value is not None:
        option.min_value = _limit_amount(min_value, field="min_value") or Decimal("0")
    if max_value is not _UNSET:
        option.max_value = _limit_amount(max_value, field="max_value")
    if is_active is not None:
        option.is_active = is_active
    _option_values(option)
    option.save()
    _changes_record(actor, "remedy_option.updated", option, before, _option_data(option))
    return option


def _changes_record(
    actor: User, verb: str, target: Any, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Record the fields that changed, before and after; an edit that changed nothing records nothing."""
    changed = {key: value for key, value in after.items() if before[key] != value}
    if changed:
        event_record(
            actor=actor,
            verb=verb,
            target=target,
            before={key: before[key] for key in changed},
            after=changed,
        )


def _reason_data(reason: ComplaintReason) -> dict[str, Any]:
    return {
        "reason": reason.pk,
        "code": reason.code,
        "name": reason.name,
        "is_active": reason.is_active,
        "position": reason.position,
    }


@transaction.atomic
def complaint_reason_create(*, actor: User, code: str, name: str, position: int = 100) -> ComplaintReason:
    _require_manager(actor, "change complaint reasons")
    reason = ComplaintReason(code=_code(code), name=_name(name), position=max(0, position))
    if ComplaintReason.objects.filter(code=reason.code).exists():
        raise Conflict(f"the reason {reason.code!r} exists already", field="code", code="reason_exists")
    reason.save()
    event_record(actor=actor, verb="complaint_reason.created", target=reason, after=_reason_data(reason))
    return reason


@transaction.atomic
def complaint_reason_update(
    *,
    actor: User,
    reason: ComplaintReason,
    name: str | None = None,
    position: int | None = None,
    is_active: bool | None = None,
) -> ComplaintReason:
    """Rename, reorder or retire a reason (retired reasons stay on the complaints that used them)."""
    _require_manager(actor, "change complaint reasons")
    reason = ComplaintReason.objects.select_for_update(of=("self",)).get(pk=reason.pk)
    before = _reason_data(reason)
    if name is not None:
        reason.name = _name(name)
    if position is not None:
        if position < 0:
            raise Invalid("the position cannot be negative", field="position")
        reason.position = position
    if is_active is not None:
        reason.is_active = is_active
    reason.save()
    _changes_record(actor, "complaint_reason.updated", reason, before, _reason_data(reason))
    return reason
