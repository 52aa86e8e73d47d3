"""Teams, agents, personal API tokens and 'who am I' over HTTP."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from frontline.accounts import selectors, services
from frontline.accounts.models import AgentProfile, ApiToken, Team, User
from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.accounts.schemas import (
    AgentOut,
    AgentPatch,
    MeOut,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from frontline.core.errors import Forbidden, Invalid, NotFound

router = Router(tags=["staff"])


def _staff(principal: Principal) -> None:
    require_staff(principal, "only staff may see teams and agents")


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Invalid(f"user {user_id} does not exist", field=field)
    return user


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    principal = principal_of(request)
    user = principal.user
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "role": principal.role,
        "team_ids": sorted(principal.team_ids),
        "customer_id": principal.customer_id,
        "language": user.language,
        "timezone": user.timezone,
    }


@router.get("/teams", response=list[TeamOut], summary="List teams")
def team_list(request: HttpRequest) -> QuerySet[Team]:
    _staff(principal_of(request))
    return selectors.team_list()


@router.post("/teams", response={201: TeamOut}, summary="Create a team")
def team_create(request: HttpRequest, body: TeamIn) -> Status[Team]:
    principal = principal_of(request)
    if not principal.is_admin:
        raise Forbidden("only admins may create teams")
    return Status(
        201,
        services.team_create(
            actor=principal.user,
            name=body.name,
            description=body.description,
            is_private=body.is_private,
            lead=_user(body.lead_id, "lead_id"),
        ),
    )


def _team(team_id: int) -> Team:
    team = selectors.team_list().filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


@router.get("/teams/{team_id}", response=TeamOut, summary="Get a team")
def team_get(request: HttpRequest, team_id: int) -> Team:
    _staff(principal_of(request))
    return _team(team_id)


@router.patch("/teams/{team_id}", response=TeamOut, summary="Change a team")
def team_update(request: HttpRequest, team_id: int, body: TeamPatch) -> Team:
    principal = principal_of(request)
    _staff(principal)
    team = _team(team_id)
    if not principal.is_admin:
        raise Forbidden("only admins may change teams")
    values = body.dict(exclude_unset=True)
    if "lead_id" in values:
        values["lead"] = _user(values.pop("lead_id"), "lead_id")
    return services.team_update(
        actor=principal.user, team=team, **{k: v for k, v in values.items() if v is not None or k == "lead"}
    )


@router.get("/agents", response=list[AgentOut], summary="List agents")
def agent_list(request: HttpRequest, team_id: int | None = None) -> QuerySet[AgentProfile]:
    _staff(principal_of(request))
    return selectors.agent_list(team_id=team_id)


def _agent(agent_id: int) -> AgentProfile:
    agent = selectors.agent_list().filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


@router.get("/agents/{agent_id}", response=AgentOut, summary="Get an agent")
def agent_get(request: HttpRequest, agent_id: int) -> AgentProfile:
    _staff(principal_of(request))
    return _agent(agent_id)


@router.patch(
    "/agents/{agent_id}", response=AgentOut, summary="Change an agent's teams, skills, capacity, cost"
)
def agent_update(request: HttpRequest, agent_id: int, body: AgentPatch) -> AgentProfile:
    principal = principal_of(request)
    _staff(principal)
    agent = _agent(agent_id)
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change agents")
    services.agent_profile_update(actor=principal.user, agent=agent, **body.dict(exclude_unset=True))
    return _agent(agent_id)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def token_list(request: HttpRequest) -> QuerySet[ApiToken]:
    return selectors.api_token_list_for_user(user=principal_of(request).user)


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def token_create(request: HttpRequest, body: TokenIn) -> Status[dict[str, Any]]:
    principal = principal_of(request)
    token, secret = services.api_token_create(
        actor=principal.user,
        user=principal.user,
        name=body.name,
        scope=body.scope,
        expires_at=body.expires_at,
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    principal = principal_of(request)
    token = selectors.api_token_list_for_user(user=principal.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"token {token_id} not found")
    return services.api_token_revoke(actor=principal.user, token=token)
