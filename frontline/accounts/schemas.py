from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from frontline.accounts.models import AgentProfile
from frontline.core.amounts import AmountField


class TeamOut(Schema):
    id: int
    name: str
    description: str
    is_private: bool
    lead_id: int | None
    created_at: datetime


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    is_private: bool = False
    lead_id: int | None = None


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    is_private: bool | None = None
    lead_id: int | None = None


class SkillOut(Schema):
    name: str
    proficiency: int


class AgentOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    email: str
    role: str | None
    team_ids: list[int]
    languages: list[str]
    capacity: dict[str, int]
    cost_per_hour: Decimal
    currency: str
    skills: list[SkillOut]

    @staticmethod
    def resolve_username(agent: AgentProfile) -> str:
        return agent.user.username

    @staticmethod
    def resolve_name(agent: AgentProfile) -> str:
        return agent.user.get_full_name() or agent.user.username

    @staticmethod
    def resolve_email(agent: AgentProfile) -> str:
        return agent.user.email

    @staticmethod
    def resolve_role(agent: AgentProfile) -> str | None:
        names = {g.name for g in agent.user.groups.all()}
        if agent.user.is_superuser or "admin" in names:
            return "admin"
        return next((r for r in ("supervisor", "agent") if r in names), None)

    @staticmethod
    def resolve_team_ids(agent: AgentProfile) -> list[int]:
        return sorted(t.pk for t in agent.teams.all())

    @staticmethod
    def resolve_skills(agent: AgentProfile) -> list[dict[str, object]]:
        return [{"name": s.skill.name, "proficiency": s.proficiency} for s in agent.skills.all()]


class AgentPatch(Schema):
    team_ids: list[int] | None = Field(None, max_length=100)
    languages: list[str] | None = Field(None, max_length=50)
    capacity: dict[str, int] | None = None
    cost_per_hour: AmountField | None = Field(None, max_digits=10, decimal_places=2)
    skills: dict[str, int] | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once; store it now.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scope: str = "read"
    expires_at: datetime | None = None


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str | None
    team_ids: list[int]
    customer_id: int | None
    language: str
    timezone: str
