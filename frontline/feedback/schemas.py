"""Schemas of the surveys, feedback, purchases and satisfaction reports API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from frontline.core.amounts import AmountField
from frontline.feedback.models import SurveyInvitation, SurveyResponse


class SurveyIn(Schema):
    name: str = Field(max_length=120)
    product: str = Field(max_length=120, description="The product line the form asks about.")
    intro: str = Field("", max_length=2000)
    questions: list[dict[str, Any]] = Field(
        description='e.g. [{"key": "quality", "label": "Quality?", "kind": "scale", "low": 1, "high": 5}]'
    )


class SurveyOut(Schema):
    id: int
    name: str
    product: str
    intro: str
    questions: list[dict[str, Any]]
    is_active: bool
    created_at: datetime


class InviteIn(Schema):
    customer_id: int
    ticket_id: int | None = Field(None, description="Ask on this ticket's channel; otherwise by email.")


class InvitationOut(Schema):
    id: int
    kind: str
    survey_id: int | None
    customer_id: int
    ticket_id: int | None
    channel: str
    sent_at: datetime
    expires_at: datetime
    url: str = Field(description="The customer's single-use link; shown only in this answer.")

    @staticmethod
    def of(invitation: SurveyInvitation, url: str) -> dict[str, Any]:
        return {
            "id": invitation.pk,
            "kind": invitation.kind,
            "survey_id": invitation.survey_id,
            "customer_id": invitation.customer_id,
            "ticket_id": invitation.ticket_id,
            "channel": invitation.channel,
            "sent_at": invitation.sent_at,
            "expires_at": invitation.expires_at,
            "url": url,
        }


class ResponseOut(Schema):
    id: int
    kind: str
    survey_id: int | None
    score: int | None
    scale_high: int | None
    is_low: bool
    comment: str
    answers: dict[str, Any]
    customer_id: int
    ticket_id: int | None
    agent_id: int | None
    team_id: int | None
    channel: str
    product: str
    segments: list[str]
    received_at: datetime

    @staticmethod
    def resolve_segments(response: SurveyResponse) -> list[str]:
        return sorted(segment.name for segment in response.segments.all())


class PurchaseIn(Schema):
    external_id: str = Field(min_length=1, max_length=100, description="The shop's order id (idempotent).")
    purchased_at: datetime
    amount: AmountField = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    product: str = Field("", max_length=120)


class PurchaseOut(Schema):
    id: int
    customer_id: int
    external_id: str
    purchased_at: datetime
    amount: Decimal
    currency: str
    product: str


class SatisfactionRowOut(Schema):
    group: str
    group_id: int | None
    period: date
    responses: int
    average: Decimal | None
    csat: Decimal | None = Field(description="Percent satisfied (the top fifth of the scale).")
    nps: Decimal | None = Field(description="Percent promoters (9–10) minus percent detractors (0–6).")


class RetentionRowOut(Schema):
    reason: str
    with_remedy: bool
    customers: int
    retained: int
    waiting: int
    rate: Decimal | None
