"""Who is calling: a personal API token (Bearer) or the browser session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from frontline.accounts.models import ApiToken, User
from frontline.accounts.principal import Principal
from frontline.accounts.selectors import api_token_get_active, request_passed_second_factor
from frontline.core.errors import Forbidden, Unauthenticated
from frontline.customers.selectors import principal_for_user

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer fl_…`. Read tokens may only read."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        api_token = api_token_get_active(secret=token)
        if api_token is None:
            return None
        if api_token.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise Forbidden(
                "this token may only read; create a token with the write scope", code="token_scope"
            )
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            # Bookkeeping, not a business change: no event, and at most one write per token every few minutes.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return principal_for_user(api_token.user, can_write=api_token.scope == ApiToken.Scope.WRITE)


class SessionPrincipalAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked on writes); with the second factor, if the user has one."""

    def authenticate(self, request: HttpRequest, key: Any) -> Principal | None:
        user = request.user
        if not (isinstance(user, User) and user.is_authenticated and user.is_active):
            return None
        if not request_passed_second_factor(request):
            raise Unauthenticated(
                "this session has not passed the second factor: sign in at /desk/login/ with your code",
                code="second_factor_required",
            )
        return principal_for_user(user)
