from __future__ import annotations

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api

__all__ = ["Api"]


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
