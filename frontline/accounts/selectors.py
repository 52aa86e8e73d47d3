from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from frontline.accounts.models import AgentProfile, ApiToken, Role, Team, User

_ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


def user_role(user: User) -> str | None:
    """The highest staff role the user holds (superusers are admins), or None."""
    if not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN.value
    names = {group.name for group in user.groups.all()}
    for role in _ROLE_ORDER:
        if role.value in names:
            return role.value
    return None


def user_team_ids(user: User) -> frozenset[int]:
    return frozenset(Team.objects.filter(agents__user=user).values_list("id", flat=True))


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_get_active(*, secret: str) -> ApiToken | None:
    """The live token with this secret, with its user, or None. One indexed lookup, no password hash."""
    if not secret or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead").order_by("name")


def agent_list(*, team_id: int | None = None) -> QuerySet[AgentProfile]:
    agents = (
        AgentProfile.objects.select_related("user")
        .prefetch_related("teams", "skills__skill", "user__groups")
        .filter(user__is_active=True)
        .order_by("user__username")
    )
    if team_id is not None:
        agents = agents.filter(teams__id=team_id)
    return agents
