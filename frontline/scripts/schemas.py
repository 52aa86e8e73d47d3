from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class CheckIn(Schema):
    text: str = Field(max_length=100_000, description="The reply as the agent is about to send it.")
    language: str | None = Field(
        None, max_length=16, description="Default: the ticket's requester's language (else en)."
    )
    channel: str | None = Field(None, max_length=10, description="Default: the ticket's channel.")
    ticket_id: int | None = Field(None, description="The ticket the reply is for, if any.")
    is_first_reply: bool | None = Field(
        None, description="Default: whether no agent has replied on the ticket yet (true without a ticket)."
    )


class FindingOut(Schema):
    kind: str = Field(description="forbidden_phrase, missing_greeting or missing_closing.")
    start: int = Field(description="Offset of the first character concerned in `text`.")
    end: int = Field(description="Offset just after the last one; start == end for what is missing.")
    phrase: str
    excerpt: str = Field(description="The text as written at start:end.")
    suggestion: str
    note: str


class CheckOut(Schema):
    language: str
    channel: str
    is_first_reply: bool
    findings: list[FindingOut]


class GreetingOut(Schema):
    text: str
    language: str
    salutation: str
    surname: str
    formal_name: str = Field(description='"Mr. Reyes", "王先生"; empty when no name is known.')
    script_id: int | None


class ScriptIn(Schema):
    language: str = Field(max_length=16)
    kind: str = Field(max_length=20)
    text: str = Field(max_length=5000)
    step: int = Field(1, ge=1, le=100)
    wait_seconds: int | None = Field(None, ge=1, le=600)
    plan_version_id: int | None = Field(None, description="Empty: the default for every plan.")
    active: bool = True


class ScriptPatch(Schema):
    text: str | None = Field(None, max_length=5000)
    step: int | None = Field(None, ge=1, le=100)
    wait_seconds: int | None = Field(None, ge=1, le=600, description="Send null to wait for an event.")
    active: bool | None = None


class ScriptOut(Schema):
    id: int
    language: str
    kind: str
    step: int
    text: str
    wait_seconds: int | None
    plan_version_id: int | None
    active: bool
    created_at: datetime
    updated_at: datetime


class PhraseIn(Schema):
    language: str = Field(max_length=16)
    phrase: str = Field(min_length=1, max_length=200)
    alternative: str = Field(min_length=1, max_length=500)
    note: str = Field("", max_length=300)
    active: bool = True


class PhrasePatch(Schema):
    language: str | None = Field(None, max_length=16)
    phrase: str | None = Field(None, min_length=1, max_length=200)
    alternative: str | None = Field(None, min_length=1, max_length=500)
    note: str | None = Field(None, max_length=300)
    active: bool | None = None


class PhraseOut(Schema):
    id: int
    language: str
    phrase: str
    alternative: str
    note: str
    active: bool
    created_at: datetime
    updated_at: datetime


class ProtocolStepOut(Schema):
    step: int
    action: str = Field(description="say, or end (hang up).")
    line: str
    starts_at_seconds: float | None = Field(
        description="Seconds after the branch starts if no event comes first; null: after an event."
    )
    wait_seconds: float | None = Field(description="The pause after the line; null: wait for an event.")


class SilentCallOut(Schema):
    language: str
    branches: dict[str, list[ProtocolStepOut]] = Field(
        description="silent (where every call starts), low_volume, noise, foreign_language."
    )
    route_line: str = Field(
        description="Said before transferring to an agent who speaks the customer's language."
    )
    total_seconds: float | None = Field(description="From the first prompt to the hang-up of a silent call.")
    agents_speaking: list[int] = Field(
        description="With `customer_language`: ids of active staff who speak it (to route to)."
    )


class ComplianceFindingOut(Schema):
    id: int
    message_id: int
    agent_id: int | None
    kind: str
    phrase: str
    excerpt: str
    suggestion: str
    start: int
    end: int
    created_at: datetime
