"""Schemas of the complaints and remedies API. Money is a decimal string with its currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from frontline.core.amounts import AmountField
from frontline.remedies.models import Complaint, RemedyEntry, RemedyOption, RemedyRequest
from frontline.remedies.selectors import CostRow


class ComplaintReasonOut(Schema):
    code: str
    name: str


class ComplaintIn(Schema):
    reason: str = Field(max_length=40, description="A reason code, e.g. product_defect.")
    severity: str = Field(Complaint.Severity.MEDIUM, description="low, medium, high or critical.")
    description: str = Field("", max_length=5000)


class ComplaintPatch(Schema):
    reason: str | None = Field(None, max_length=40)
    severity: str | None = None
    status: str | None = Field(None, description="open or resolved.")
    description: str | None = Field(None, max_length=5000)


class ComplaintOut(Schema):
    id: int
    ticket_id: int
    customer_id: int
    reason: str
    severity: str
    status: str
    product: str
    description: str
    created_at: datetime
    resolved_at: datetime | None

    @staticmethod
    def resolve_reason(complaint: Complaint) -> str:
        return complaint.reason.code


class RemedyOptionOut(Schema):
    code: str
    name: str
    kind: str
    currency: str
    min_value: Decimal
    max_value: Decimal | None

    @staticmethod
    def of(option: RemedyOption) -> dict[str, Any]:
        return {
            "code": option.code,
            "name": option.name,
            "kind": option.kind,
            "currency": option.currency,
            "min_value": option.min_value,
            "max_value": option.max_value,
        }


class AuthorityOut(Schema):
    currency: str
    limit: Decimal | None = Field(description="Your approval limit per remedy; null: unlimited.")
    budget_remaining: Decimal | None = Field(description="Left of the ticket team's budget; null: no budget.")


class RemedyOptionsOut(Schema):
    options: list[RemedyOptionOut]
    authority: list[AuthorityOut]


class RemedyIn(Schema):
    option: str = Field(max_length=40, description="The catalogue code, e.g. store_credit.")
    amount: AmountField = Field(gt=0, max_digits=12, decimal_places=2)
    item: str = Field("", max_length=200, description="The product or service given, if any.")
    note: str = Field("", max_length=5000)
    idempotency_key: str = Field(
        "",
        max_length=100,
        description="The same key again returns the first result (or the Idempotency-Key header).",
    )


class RemedyEntryOut(Schema):
    id: int
    request_id: int | None
    reverses_id: int | None
    reversed_by_id: int | None
    ticket_id: int
    customer_id: int
    complaint_id: int | None
    team_id: int | None
    option: str
    kind: str
    amount: Decimal
    currency: str
    item: str
    coupon_code: str
    note: str
    issued_by_id: int
    approved_by_id: int | None
    issued_at: datetime
    fulfilment_status: str
    fulfilment_note: str
    fulfilment_reference: str
    fulfilled_at: datetime | None

    @staticmethod
    def of(entry: RemedyEntry) -> dict[str, Any]:
        reversal = getattr(entry, "reversal", None)  # select_related("reversal") on lists
        return {
            **{name: getattr(entry, name) for name in RemedyEntryOut.model_fields if hasattr(entry, name)},
            "id": entry.pk,
            "option": entry.option.code,
            "reversed_by_id": reversal.pk if reversal is not None else None,
        }


class RemedyRequestOut(Schema):
    id: int
    status: str
    ticket_id: int
    customer_id: int
    option: str
    amount: Decimal
    currency: str
    item: str
    note: str
    requested_by_id: int
    approval_reasons: list[str]
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
    created_at: datetime
    entry: RemedyEntryOut | None

    @staticmethod
    def of(request: RemedyRequest) -> dict[str, Any]:
        entry = getattr(request, "entry", None)  # select_related("entry__option") on lists
        return {
            "id": request.pk,
            "status": request.status,
            "ticket_id": request.ticket_id,
            "customer_id": request.customer_id,
            "option": request.option.code,
            "amount": request.amount,
            "currency": request.currency,
            "item": request.item,
            "note": request.note,
            "requested_by_id": request.requested_by_id,
            "approval_reasons": request.approval_reasons,
            "decided_by_id": request.decided_by_id,
            "decided_at": request.decided_at,
            "decision_reason": request.decision_reason,
            "created_at": request.created_at,
            "entry": RemedyEntryOut.of(entry) if entry is not None else None,
        }


class DecisionIn(Schema):
    reason: str = Field("", max_length=2000)


class ReverseIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class FulfilmentIn(Schema):
    status: str = Field(description="pending, fulfilled or failed.")
    note: str = Field("", max_length=300)
    reference: str = Field("", max_length=100, description="The billing or shop system's id.")


class CostRowOut(Schema):
    reason: str
    product: str
    currency: str | None
    complaints: int
    remedies: int
    total: Decimal
    per_complaint: Decimal

    @staticmethod
    def of(row: CostRow) -> dict[str, Any]:
        return row.__dict__


# --- Configuration (supervisors and admins)


class ComplaintReasonIn(Schema):
    code: str = Field(max_length=40, description="Lower-case letters, digits, _ or -, e.g. late_refund.")
    name: str = Field(max_length=100)
    position: int = Field(100, ge=0, le=100_000)


class ComplaintReasonPatch(Schema):
    name: str | None = Field(None, max_length=100)
    position: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None


class ComplaintReasonAdminOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    position: int


class ApprovalLimitIn(Schema):
    role: str = Field("", description="agent, supervisor or admin; or give user_id instead.")
    user_id: int | None = Field(None, description="A person's own limit, which wins over the role's.")
    currency: str = Field(max_length=3)
    max_amount: AmountField | None = Field(
        max_digits=12, decimal_places=2, ge=0, description="Per remedy; null: unlimited."
    )


class ApprovalLimitPatch(Schema):
    max_amount: AmountField | None = Field(
        max_digits=12, decimal_places=2, ge=0, description="null: unlimited."
    )


class ApprovalLimitOut(Schema):
    id: int
    role: str
    user_id: int | None
    currency: str
    max_amount: Decimal | None


class TeamBudgetIn(Schema):
    team_id: int
    currency: str = Field(max_length=3)
    monthly_amount: AmountField = Field(max_digits=12, decimal_places=2, ge=0)


class TeamBudgetPatch(Schema):
    monthly_amount: AmountField = Field(max_digits=12, decimal_places=2, ge=0)


class TeamBudgetOut(Schema):
    id: int
    team_id: int
    team: str
    currency: str
    monthly_amount: Decimal
    spent_this_month: Decimal
    remaining_this_month: Decimal


class RemedyOptionIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    kind: str = Field(description="account_credit, coupon, free_product, replacement, … (see RemedyKind).")
    currency: str = Field(max_length=3)
    min_value: AmountField = Field(Decimal("0"), max_digits=12, decimal_places=2, ge=0)
    max_value: AmountField | None = Field(None, max_digits=12, decimal_places=2, ge=0)
    plan_version_id: int | None = Field(None, description="null: offered under every plan.")


class RemedyOptionPatch(Schema):
    name: str | None = Field(None, max_length=100)
    min_value: AmountField | None = Field(None, max_digits=12, decimal_places=2, ge=0)
    max_value: AmountField | None = Field(
        None, max_digits=12, decimal_places=2, ge=0, description="null: no cap."
    )
    is_active: bool | None = None


class RemedyOptionAdminOut(Schema):
    id: int
    plan_version_id: int | None
    code: str
    name: str
    kind: str
    currency: str
    min_value: Decimal
    max_value: Decimal | None
    is_active: bool
