from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class PlanVersionOut(Schema):
    id: int
    plan_id: int
    number: int
    status: str
    summary: str
    settings: dict[str, Any]
    effective_from: datetime | None
    effective_until: datetime | None
    created_at: datetime


class PlanOut(Schema):
    id: int
    name: str
    description: str
    segment_id: int | None
    precedence: int
    versions: list[PlanVersionOut]

    @staticmethod
    def resolve_versions(plan: Any) -> list[Any]:
        return sorted(plan.versions.all(), key=lambda v: v.number)


class PlanIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    segment_id: int | None = None
    precedence: int = Field(100, ge=0, le=100_000)


class VersionIn(Schema):
    summary: str = Field("", max_length=5000)
    settings: dict[str, Any] | None = None


class ActivateIn(Schema):
    at: datetime | None = None


class ResolvedOut(Schema):
    customer_id: int
    at: datetime
    version: PlanVersionOut | None
