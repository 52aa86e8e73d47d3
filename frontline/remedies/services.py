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
from django.utils import timezone

from frontline.accounts.models import Role, User
from frontline.accounts.selectors import user_role
from frontline.core.errors import Conflict, Forbidden, Invalid
from frontline.escalations.models import EscalationChain
from frontline.escalations.services import escalation_trigger
from frontline.events.services import event_record
from frontline.notifications.models import Notification
from frontline.notifications.services import notify
from frontline.remedies import authority, coupons, selectors
from frontline.remedies.models import (
    BudgetMonth,
    Complaint,
    ComplaintReason,
    RemedyEntry,
    RemedyKind,
    RemedyRequest,
    TeamBudget,
)
from frontline.tickets.models import Ticket

logger = logging.getLogger(__name__)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
IDEMPOTENCY_KEY_MAX = 100


def money(value: Decimal | str | int, *, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise Invalid("not an amount", field=field) from exc
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
    _entry_create(request=request, approved_by=actor, at=now)
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
