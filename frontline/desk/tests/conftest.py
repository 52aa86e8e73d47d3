from __future__ import annotations

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.tickets.models import Channel
from frontline.tickets.services import ticket_create


@pytest.fixture
def team(db):
    return TeamFactory(name="Aircon")


@pytest.fixture
def private_team(db):
    return TeamFactory(name="VIP", is_private=True)


@pytest.fixture
def agent(team):
    return staff(Role.AGENT, teams=[team], username="ana", first_name="Ana", last_name="Reyes")


@pytest.fixture
def supervisor(db):
    return staff(Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Cruz")


@pytest.fixture
def customer(db):
    return CustomerFactory(first_name="Maria", last_name="Santos", salutation="Ms", language="en")


@pytest.fixture
def make_ticket(customer):
    def make(subject="Aircon not cooling", **kwargs):
        kwargs.setdefault("channel", Channel.EMAIL)
        kwargs.setdefault("body_text", "My aircon blows warm air.")
        return ticket_create(actor=None, requester=customer, subject=subject, **kwargs)

    return make
