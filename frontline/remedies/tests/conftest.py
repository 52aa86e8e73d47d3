"""Remedy test set-up: a team with a lead, its agent, limits in PHP and a small catalogue."""

from decimal import Decimal

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.remedies.models import ApprovalLimit, RemedyKind, RemedyOption, TeamBudget
from frontline.tickets.services import ticket_create


@pytest.fixture
def team():
    return TeamFactory(name="Front line")


@pytest.fixture
def people(team):
    lead = staff(Role.SUPERVISOR, teams=[team], email="lead@staff.example.test")
    team.lead = lead
    team.save()
    return {
        "agent": staff(Role.AGENT, teams=[team], email="agent@staff.example.test"),
        "supervisor": lead,
        "admin": staff(Role.ADMIN, email="admin@staff.example.test"),
    }


@pytest.fixture
def limits():
    ApprovalLimit.objects.create(role=Role.AGENT, currency="PHP", max_amount=Decimal("25"))
    ApprovalLimit.objects.create(role=Role.SUPERVISOR, currency="PHP", max_amount=Decimal("200"))


@pytest.fixture
def catalogue():
    return {
        "credit": RemedyOption.objects.create(
            code="credit",
            name="Account credit",
            kind=RemedyKind.ACCOUNT_CREDIT,
            currency="PHP",
            max_value=1000,
        ),
        "coupon": RemedyOption.objects.create(
            code="coupon", name="Coupon", kind=RemedyKind.COUPON, currency="PHP", min_value=5, max_value=500
        ),
        "refund": RemedyOption.objects.create(
            code="refund", name="Partial refund", kind=RemedyKind.PARTIAL_REFUND, currency="PHP"
        ),
    }


@pytest.fixture
def budget(team):
    return TeamBudget.objects.create(team=team, currency="PHP", monthly_amount=Decimal("100"))


@pytest.fixture
def ticket(team, people):
    return ticket_create(
        actor=None,
        requester=CustomerFactory(),
        subject="Range hood arrived dented",
        body_text="The box was crushed.",
        team=team,
        product="Range hood",
    )
