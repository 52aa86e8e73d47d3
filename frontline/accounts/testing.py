"""Test support shared by every app's API tests (kept low in the layers so any app may use it)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from frontline.accounts.models import ApiToken, User
from frontline.accounts.services import api_token_create


class Api:
    """A test client that speaks JSON to /api/v1/ with a Bearer token."""

    def __init__(self, user: User, scope: str = ApiToken.Scope.WRITE) -> None:
        self.user = user
        _, self.secret = api_token_create(actor=user, user=user, name="tests", scope=scope)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}")

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def send(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(f"/api/v1{path}", data=data, content_type="application/json")

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self.send("post", path, body, raw)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}")


def session_cookie(user: User) -> bytes:
    """A signed-in session's cookie header value, for websocket tests through the ASGI app."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def force_login_verified(client: Client, user: User) -> None:
    """Sign the test client in as a user with a second factor, as if the code had been given."""
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    device = next(devices_for_user(user, confirmed=True))
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
