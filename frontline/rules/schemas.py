from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class RuleIn(Schema):
    name: str = Field(max_length=120)
    description: str = ""
    kind: str = Field(description="trigger (on events) or automation (every ten minutes).")
    events: list[str] = Field(
        default_factory=list, max_length=20, description="A trigger's events, e.g. ticket.created."
    )
    conditions: dict[str, Any] = Field(
        default_factory=dict, description='{"all": [{"field", "op", "value"}, ...], "any": [...]}'
    )
    actions: list[dict[str, Any]] = Field(max_length=20)
    position: int | None = Field(None, description="Empty: after the others of its kind.")
    is_active: bool = True
    plan_version_id: int | None = Field(None, description="Only tickets opened under this plan version.")
    calendar_id: int | None = Field(None, description="For business hours conditions.")


class RulePatch(Schema):
    name: str | None = Field(None, max_length=120)
    description: str | None = None
    events: list[str] | None = Field(None, max_length=20)
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = Field(None, max_length=20)
    position: int | None = None
    is_active: bool | None = None
    plan_version_id: int | None = None
    calendar_id: int | None = None


class RuleOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    events: list[str]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    position: int
    is_active: bool
    plan_version_id: int | None
    calendar_id: int | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class ReorderIn(Schema):
    kind: str
    rule_ids: list[int] = Field(max_length=1000)


class RuleRunOut(Schema):
    id: int
    rule_id: int | None
    rule_name: str
    ticket_id: int
    event_id: int | None = Field(description="The event that triggered it; null for automations.")
    trigger: str
    at: datetime
    outcome: str = Field(description="matched, skipped, capped or failed.")
    actions: list[dict[str, Any]]
    error: str


class DryRunIn(Schema):
    ticket_id: int


class ConditionResultOut(Schema):
    path: str
    field: str
    op: str
    value: Any
    actual: Any
    matched: bool


class DryRunOut(Schema):
    matched: bool = Field(description="Whether the rule would act on the ticket now.")
    applies_to_ticket: bool = Field(description="False when the rule is limited to another plan version.")
    conditions: list[ConditionResultOut]
    facts: dict[str, Any]
