from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import ApiToken, Role, User
from frontline.accounts.services import api_token_create


class Api:
    """A test client that speaks JSON to /api/v1/ with a Bearer token."""

    def __init__(self, user: User, scope: str = ApiToken.Scope.WRITE) -> None:
        self.user = user
        _, self.secret = api_token_create(actor=user, user=user, name="tests", scope=scope)
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def send(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            f"/api/v1{path}", data=data, content_type="application/json", **self._headers()
        )

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self.send("post", path, body, raw)

    def patch(self, path: str, body: Any = None) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", **self._headers())


@pytest.fixture
def team(db):
    return TeamFactory(name="Appliances")


@pytest.fixture
def agent(team):
    return staff(Role.AGENT, teams=[team])


@pytest.fixture
def admin_api(db):
    return Api(staff(Role.ADMIN))


@pytest.fixture
def agent_api(agent):
    return Api(agent)
