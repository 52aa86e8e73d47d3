from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ninja import Field, Schema

from frontline.escalations.models import (
    EscalationChain,
    EscalationRun,
    OnCallOverride,
    OnCallRoster,
    OnCallShift,
)
from frontline.escalations.selectors import OnCallAnswer


class OnCallOut(Schema):
    roster_id: int
    roster: str
    name: str
    phone: str
    email: str
    user_id: int | None
    source: str = Field(description='"shift" or "override"')
    until: datetime | None = Field(description="When someone else takes over; null: not within a week.")

    @staticmethod
    def of(answer: OnCallAnswer) -> dict[str, Any]:
        return {
            "roster_id": answer.roster.pk,
            "roster": answer.roster.name,
            "name": answer.name,
            "phone": answer.phone,
            "email": answer.email,
            "user_id": answer.user.pk if answer.user else None,
            "source": answer.source,
            "until": answer.until,
        }


class PersonIn(Schema):
    name: str = Field("", max_length=120, description="Empty: the staff user's full name.")
    user_id: int | None = None
    phone: str = Field("", max_length=32, description="E.164, e.g. +639171234567.")
    email: str = Field("", max_length=254)


class ShiftIn(PersonIn):
    weekdays: list[str | int] = Field(description='e.g. ["mon", "tue"]')
    start: time
    end: time = Field(description="At or before start: past midnight; 00:00–00:00 is the whole day.")
    position: int | None = None


class OverrideIn(PersonIn):
    starts_at: datetime
    ends_at: datetime
    reason: str = Field("", max_length=200)


class ShiftOut(Schema):
    id: int
    name: str
    user_id: int | None
    phone: str
    email: str
    weekdays: list[str]
    start: time
    end: time
    position: int

    @staticmethod
    def of(shift: OnCallShift) -> dict[str, Any]:
        return {
            f: getattr(shift, f)
            for f in ("name", "user_id", "phone", "email", "weekdays", "start", "end", "position")
        } | {"id": shift.pk}


class OverrideOut(Schema):
    id: int
    name: str
    user_id: int | None
    phone: str
    email: str
    starts_at: datetime
    ends_at: datetime
    reason: str

    @staticmethod
    def of(override: OnCallOverride) -> dict[str, Any]:
        fields = ("name", "user_id", "phone", "email", "starts_at", "ends_at", "reason")
        return {f: getattr(override, f) for f in fields} | {"id": override.pk}


class RosterIn(Schema):
    name: str = Field(max_length=100)
    timezone: str = Field("UTC", max_length=64)
    description: str = ""


class RosterPatch(Schema):
    name: str | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=64)


class RosterOut(Schema):
    id: int
    name: str
    timezone: str
    description: str
    shifts: list[ShiftOut]
    overrides: list[OverrideOut]

    @staticmethod
    def of(roster: OnCallRoster) -> dict[str, Any]:
        return {
            "id": roster.pk,
            "name": roster.name,
            "timezone": roster.timezone,
            "description": roster.description,
            "shifts": [ShiftOut.of(s) for s in roster.shifts.all()],
            "overrides": [OverrideOut.of(o) for o in roster.overrides.all()],
        }


class StepIn(Schema):
    action: str = Field(
        description="notify_assignee, notify_team_lead, reassign, raise_priority, page_on_call"
    )
    delay_minutes: float = Field(0, description="After the trigger.")
    business_time: bool = False
    team_id: int | None = Field(None, description="For reassign.")
    priority: str = Field("", description="For raise_priority: the level to reach (empty: one up).")
    message: str = Field("", max_length=300)


class StepOut(StepIn):
    position: int


class ChainIn(Schema):
    name: str = Field(max_length=100)
    trigger: str = Field(
        description="sla_at_risk, sla_breached, urgent, negative_feedback, remedy_over_limit, manual"
    )
    steps: list[StepIn]
    plan_version_id: int | None = None
    team_id: int | None = None
    calendar_id: int | None = None
    roster_id: int | None = None
    position: int = 100
    active: bool = True


class ChainPatch(Schema):
    name: str | None = Field(None, max_length=100)
    trigger: str | None = None
    steps: list[StepIn] | None = None
    team_id: int | None = None
    calendar_id: int | None = None
    roster_id: int | None = None
    position: int | None = None
    active: bool | None = None


class ChainOut(Schema):
    id: int
    name: str
    trigger: str
    plan_version_id: int | None
    team_id: int | None
    calendar_id: int | None
    roster_id: int | None
    position: int
    active: bool
    steps: list[StepOut]

    @staticmethod
    def of(chain: EscalationChain) -> dict[str, Any]:
        fields = (
            "name",
            "trigger",
            "plan_version_id",
            "team_id",
            "calendar_id",
            "roster_id",
            "position",
            "active",
        )
        return {f: getattr(chain, f) for f in fields} | {
            "id": chain.pk,
            "steps": [
                {
                    "position": s.position,
                    "action": s.action,
                    "delay_minutes": s.delay.total_seconds() / 60,
                    "business_time": s.business_time,
                    "team_id": s.team_id,
                    "priority": s.priority,
                    "message": s.message,
                }
                for s in chain.steps.all()
            ],
        }


class RunIn(Schema):
    chain_id: int
    reason: str = Field("", max_length=200)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class RunOut(Schema):
    id: int
    chain_id: int
    chain: str
    trigger: str
    reason: str
    state: str
    triggered_at: datetime
    steps_done: int
    steps_total: int
    next_due_at: datetime | None
    ended_at: datetime | None
    end_reason: str

    @staticmethod
    def of(run: EscalationRun) -> dict[str, Any]:
        return {
            "id": run.pk,
            "chain_id": run.chain_id,
            "chain": run.chain.name,
            "trigger": run.trigger,
            "reason": run.reason,
            "state": run.state,
            "triggered_at": run.triggered_at,
            "steps_done": run.steps_done,
            "steps_total": len(run.due_times),
            "next_due_at": run.next_due_at,
            "ended_at": run.ended_at,
            "end_reason": run.end_reason,
        }
