"""Writes for staff, teams, agent profiles and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import AgentProfile, AgentSkill, ApiToken, Role, Skill, Team, User
from frontline.accounts.selectors import token_digest
from frontline.core.errors import Conflict, Invalid
from frontline.events.services import changes, event_record

TOKEN_PREFIX = "fl_"  # noqa: S105  (a marker for secret scanners, not a secret)


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "en",
    timezone_name: str = "UTC",
) -> User:
    """A staff user with a role and an (empty) agent profile."""
    if role not in Role.values:
        raise Invalid(f"unknown role {role!r}; roles are {', '.join(Role.values)}", field="role")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"username {username!r} is taken", field="username")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        timezone=timezone_name,
        is_staff=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    AgentProfile.objects.create(user=user)
    event_record(actor=actor, verb="staff.created", target=user, after={"username": username, "role": role})
    return user


@transaction.atomic
def staff_set_role(*, actor: User | None, user: User, role: str | None) -> User:
    """Replace the user's staff role (None removes staff access)."""
    if role is not None and role not in Role.values:
        raise Invalid(f"unknown role {role!r}", field="role")
    before = sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["is_staff"])
    event_record(
        actor=actor, verb="staff.role_changed", target=user, before={"roles": before}, after={"role": role}
    )
    return user


@transaction.atomic
def team_create(
    *,
    actor: User | None,
    name: str,
    description: str = "",
    is_private: bool = False,
    lead: User | None = None,
) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise Conflict(f"a team named {name!r} exists", field="name")
    team = Team.objects.create(name=name, description=description, is_private=is_private, lead=lead)
    event_record(
        actor=actor,
        verb="team.created",
        target=team,
        after={"name": name, "is_private": is_private, "lead": lead},
    )
    return team


@transaction.atomic
def team_update(*, actor: User | None, team: Team, **values: Any) -> Team:
    if "name" in values and Team.objects.exclude(pk=team.pk).filter(name__iexact=values["name"]).exists():
        raise Conflict(f"a team named {values['name']!r} exists", field="name")
    before, after = changes(team, ["name", "description", "is_private", "lead"], values)
    if after:
        team.save()
        event_record(actor=actor, verb="team.updated", target=team, before=before, after=after)
    return team


@transaction.atomic
def agent_profile_update(
    *,
    actor: User | None,
    agent: AgentProfile,
    team_ids: list[int] | None = None,
    languages: list[str] | None = None,
    capacity: dict[str, int] | None = None,
    cost_per_hour: Decimal | None = None,
    skills: dict[str, int] | None = None,
) -> AgentProfile:
    """Change an agent's teams, languages, capacity per channel, cost and skills (name -> 1..5)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if team_ids is not None:
        teams = list(Team.objects.filter(pk__in=team_ids))
        if len(teams) != len(set(team_ids)):
            raise Invalid("unknown team id", field="team_ids")
        before["team_ids"] = sorted(agent.teams.values_list("id", flat=True))
        agent.teams.set(teams)
        after["team_ids"] = sorted(t.pk for t in teams)
    if capacity is not None and any((not isinstance(v, int)) or v < 0 for v in capacity.values()):
        raise Invalid("capacity must be whole numbers of at least 0", field="capacity")
    if cost_per_hour is not None and cost_per_hour < 0:
        raise Invalid("cost per hour cannot be negative", field="cost_per_hour")
    field_before, field_after = changes(
        agent,
        ["languages", "capacity", "cost_per_hour"],
        {
            k: v
            for k, v in {"languages": languages, "capacity": capacity, "cost_per_hour": cost_per_hour}.items()
            if v is not None
        },
    )
    before.update(field_before)
    after.update(field_after)
    if field_after:
        agent.save()
    if skills is not None:
        if any(not 1 <= level <= 5 for level in skills.values()):
            raise Invalid("proficiency is from 1 to 5", field="skills")
        before["skills"] = {s.skill.name: s.proficiency for s in agent.skills.select_related("skill")}
        agent.skills.all().delete()
        for name, level in skills.items():
            skill, _ = Skill.objects.get_or_create(name=name)
            AgentSkill.objects.create(agent=agent, skill=skill, proficiency=level)
        after["skills"] = skills
    if after:
        event_record(actor=actor, verb="agent.updated", target=agent, before=before, after=after)
    return agent


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    if scope not in ApiToken.Scope.values:
        raise Invalid(f"scope must be one of {', '.join(ApiToken.Scope.values)}", field="scope")
    if not name.strip():
        raise Invalid("a token needs a name", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid("the expiry must be in the future", field="expires_at")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:10],
        digest=token_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    event_record(
        actor=actor,
        verb="api_token.created",
        target=token,
        after={"name": token.name, "scope": scope, "user": user.pk},
    )
    return token, secret


@transaction.atomic
def user_password_change(
    *, actor: User | None, user: User, password: str | None, current_password: str | None = None
) -> User:
    """Set the user's password (None: no password sign-in), checking `current_password` when given;
    revoke all their API tokens.

    Every session signed in before stops working too: Django keys each session to the password, so
    the caller keeps its own with `update_session_auth_hash`. The password never enters the event.
    """
    if current_password is not None and not user.check_password(current_password):
        raise Invalid("the current password is not right", field="current_password")
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    user.save(update_fields=["password"])
    revoked = _api_tokens_revoke_all(actor=actor, user=user, reason="password_changed")
    event_record(
        actor=actor, verb="user.password_changed", target=user, after={"api_tokens_revoked": revoked}
    )
    return user


def _api_tokens_revoke_all(*, actor: User | None, user: User, reason: str) -> list[int]:
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        event_record(
            actor=actor, verb="api_token.revoked", target=token, after={"revoked_at": now, "reason": reason}
        )
    return [token.pk for token in tokens]


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            actor=actor, verb="api_token.revoked", target=token, after={"revoked_at": token.revoked_at}
        )
    return token
