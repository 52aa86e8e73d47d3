"""/healthz: liveness for anyone (load balancers, uptime checks); the mail queue's counts for staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from frontline.accounts.models import User
from frontline.accounts.selectors import api_token_get_active, request_passed_second_factor
from frontline.connectors.email.selectors import email_health
from frontline.customers.selectors import principal_for_user


def _is_staff_caller(request: HttpRequest) -> bool:
    """A staff member's valid API token, or a staff session that passed its second factor."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        token = api_token_get_active(secret=secret.strip())
        return token is not None and principal_for_user(token.user).is_staff_member
    user = request.user
    if isinstance(user, User) and user.is_authenticated and request_passed_second_factor(request):
        return principal_for_user(user).is_staff_member
    return False


def health(request: HttpRequest) -> JsonResponse:
    """Liveness plus, for staff, what an operator must watch: mail waiting and mail in quarantine."""
    body: dict[str, Any] = {"status": "ok"}
    if _is_staff_caller(request):
        body["email"] = email_health()
    return JsonResponse(body)
