from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

CtiEventName = Literal["offered", "answered", "held", "resumed", "transferred", "ended", "abandoned"]
OutcomeName = Literal["answered", "no_answer", "busy", "voicemail_left", "wrong_number", "failed"]


class CtiEventIn(Schema):
    model_config = ConfigDict(populate_by_name=True)

    line_id: int
    call_id: str = Field(
        min_length=1, max_length=128, description="The PBX's id of the call (Asterisk Linkedid)."
    )
    event: CtiEventName
    at: datetime = Field(description="When it happened, ISO 8601 with its offset.")
    from_number: str = Field("", alias="from", max_length=64, description="The caller's number.")
    to: str = Field("", max_length=64, description="The number called.")
    agent_id: int | None = Field(None, description="answered: the Frontline user id of the agent.")
    target_queue_id: int | None = Field(None, description="transferred: the queue the call moves to.")


class CallOut(Schema):
    id: int
    call_id: str = Field(alias="provider_call_id")
    line_id: int
    status: str
    interaction_id: int
    legs: int
    queued_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wrap_up_ended_at: datetime | None
    wait_seconds: float | None
    talk_seconds: float | None
    hold_seconds: float
    after_call_seconds: float | None


class CtiEventOut(Schema):
    event_id: int
    duplicate: bool
    call: CallOut | None


class CallbackIn(Schema):
    line_id: int
    phone: str = Field(min_length=3, max_length=40)
    name: str = Field("", max_length=200)
    preferred_start: datetime | None = Field(None, description="Empty: as soon as the phone line is open.")
    preferred_end: datetime | None = None
    website: str = Field("", max_length=200, description="Leave empty (a trap for robots).")


class CallbackAcceptedOut(Schema):
    status: str
    scheduled_for: datetime | None


class CallbackAttemptOut(Schema):
    number: int
    outcome: str
    note: str
    agent_id: int | None
    at: datetime


class CallbackOut(Schema):
    id: int
    line_id: int
    customer_id: int | None
    name: str
    phone: str
    source: str
    queue_id: int
    status: str
    preferred_start: datetime | None
    preferred_end: datetime | None
    keep_place_at: datetime | None
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    outcome: str
    interaction_id: int | None
    ticket_id: int | None
    created_at: datetime
    attempt_log: list[CallbackAttemptOut]

    @staticmethod
    def resolve_attempt_log(obj: object) -> list[object]:
        return list(obj.attempt_log.all())  # type: ignore[attr-defined]  # a CallbackRequest


class CallbackAttemptIn(Schema):
    outcome: OutcomeName
    note: str = Field("", max_length=2000)
