from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from frontline.sla.selectors import ClockView


class SlaClockOut(Schema):
    id: int
    metric: str
    state: str
    policy_id: int | None
    target_minutes: int
    business_time: bool
    calendar_id: int | None
    started_at: datetime
    due_at: datetime | None = Field(description="When a running clock breaches; null unless running.")
    at_risk_at: datetime | None
    paused_at: datetime | None
    met_at: datetime | None = Field(description="When the target was fulfilled, even if late.")
    breached_at: datetime | None
    elapsed_seconds: float = Field(description="Business (or calendar) time counted so far.")
    remaining_seconds: float = Field(description="Target minus elapsed; negative when late.")

    @staticmethod
    def of(view: ClockView) -> dict[str, Any]:
        clock = view.clock
        return {
            "id": clock.pk,
            "metric": clock.metric,
            "state": clock.state,
            "policy_id": clock.policy_id,
            "target_minutes": clock.target_minutes,
            "business_time": clock.business_time,
            "calendar_id": clock.calendar_id,
            "started_at": clock.started_at,
            "due_at": clock.due_at,
            "at_risk_at": clock.at_risk_at,
            "paused_at": clock.paused_at,
            "met_at": clock.met_at,
            "breached_at": clock.breached_at,
            "elapsed_seconds": view.elapsed_seconds,
            "remaining_seconds": view.remaining_seconds,
        }


class Condition(Schema):
    field: str
    op: str
    value: Any


class SlaPolicyIn(Schema):
    name: str = Field(max_length=120)
    plan_version_id: int | None = Field(
        None, description="Empty: a global policy, tried after plan versions'."
    )
    position: int = 0
    conditions: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    business_time: bool = True
    calendar_id: int | None = None
    paused_statuses: list[str] | None = None
    at_risk_ratio: float = 0.75


class SlaPolicyOut(Schema):
    id: int
    name: str
    plan_version_id: int | None
    position: int
    conditions: list[Condition]
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_time: bool
    calendar_id: int | None
    paused_statuses: list[str]
    at_risk_ratio: float
    created_at: datetime
    updated_at: datetime


class BusinessCalendarIn(Schema):
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64, description="IANA name, e.g. Asia/Manila.")
    weekly_hours: dict[str, Any] = Field(
        description='Weekday (0 = Monday) to intervals: {"0": [["09:00", "18:00"]]}.'
    )
    holiday_country: str = Field("", max_length=2)
    holiday_subdivision: str = Field("", max_length=10)
    extra_holidays: list[str] = Field(default_factory=list, max_length=1000)
    overrides: dict[str, Any] = Field(default_factory=dict)


class BusinessCalendarOut(Schema):
    id: int
    name: str
    timezone: str
    weekly_hours: dict[str, Any]
    holiday_country: str
    holiday_subdivision: str
    extra_holidays: list[str]
    overrides: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ChannelHoursIn(Schema):
    channel: str = Field(description="A ticket channel: email, chat, voice, sms, social, web_form, …")
    calendar_id: int
    outside_hours: str = Field(
        description="voice: voicemail, callback or both; chat: leave_message or callback; else acknowledge."
    )
    plan_version_id: int | None = Field(None, description="Empty: the default for every plan.")


class ChannelHoursPatch(Schema):
    calendar_id: int | None = None
    outside_hours: str | None = None


class ChannelHoursOut(Schema):
    id: int
    plan_version_id: int | None
    channel: str
    calendar_id: int
    outside_hours: str
    created_at: datetime
    updated_at: datetime


class AvailabilitySource(Schema):
    """Staff only: which configuration decided the availability."""

    channel_hours_id: int | None
    calendar_id: int | None
    plan_version_id: int | None


class ChannelAvailabilityOut(Schema):
    """Every field but `source` is meant for customers (the portal shows them); `source` is staff only."""

    channel: str
    is_open: bool
    is_always_open: bool = Field(description="No hours are configured for the channel.")
    opens_at: datetime | None = Field(description="The next opening while closed; null while open.")
    closes_at: datetime | None = Field(
        description="When the current (while closed, the next) open stretch ends; null: not within a week."
    )
    offers: list[str] = Field(
        description="Outside hours: voicemail, callback, leave_message or acknowledge; empty while open."
    )
    timezone: str | None = Field(description="The zone of the hours' calendar.")
    source: AvailabilitySource | None = Field(None, description="Staff only; null for customers.")
