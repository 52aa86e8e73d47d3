from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.models import Device

from frontline.accounts.models import AgentProfile, ApiToken, Role, Team, User

_ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)

#: How long a process trusts what it looked up about a user's role and teams. Changes made in this
#: process apply at once (see `accounts.apps`); other processes see them within this many seconds.
STAFF_SCOPE_TTL_SECONDS = 10.0
_staff_scope_cache: dict[int, tuple[float, str | None, frozenset[int]]] = {}


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


def staff_scope(user: User) -> tuple[str | None, frozenset[int]]:
    """The user's role and team ids, cached briefly: every API request needs them."""
    now = time.monotonic()
    cached = _staff_scope_cache.get(user.pk)
    if cached is not None and cached[0] > now and user.is_active:
        return cached[1], cached[2]
    role = user_role(user)
    teams = user_team_ids(user) if role is not None else frozenset()
    _staff_scope_cache[user.pk] = (now + STAFF_SCOPE_TTL_SECONDS, role, teams)
    return role, teams


def staff_scope_forget(**kwargs: object) -> None:
    """Drop cached roles and teams (connected to the signals that change them)."""
    _staff_scope_cache.clear()


def has_second_factor(*, user: User) -> bool:
    """Whether the user signs in with a one-time code too (a confirmed django-otp device of any kind)."""
    return bool(user_has_device(user, confirmed=True))


def session_passed_second_factor(*, user: User, session: Mapping[str, Any]) -> bool:
    """Whether a signed-in session may act as `user`: users with a second factor need a session that
    proved it (the desk sign-in stores the device that verified the code); others need nothing more.

    Every way in for staff asks this (desk pages, the admin, the API's session auth, staff sockets),
    so a session opened any other way (a password-only form, the portal) cannot act as them.
    """
    if not has_second_factor(user=user):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if isinstance(persistent_id, str) else None
    return device is not None and device.user_id == user.pk and bool(device.confirmed)


def request_passed_second_factor(request: Any) -> bool:
    """`session_passed_second_factor` for an HTTP request, using what django-otp's middleware found."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    return session_passed_second_factor(user=user, session=request.session)


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
