"""PostgreSQL: concurrent remedies against one team budget never overspend; one key issues once.

Threads on their own connections race past a barrier; the row lock on the team's budget month
serialises them, so the ledger's sum never passes the budget.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from conftest import require_service
from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.remedies import services
from frontline.remedies.models import (
    ApprovalLimit,
    RemedyEntry,
    RemedyKind,
    RemedyOption,
    RemedyRequest,
    TeamBudget,
)
from frontline.tickets.services import ticket_create

THREADS = 8


@pytest.fixture
def setup(transactional_db):
    require_service(
        "postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
    )
    team = TeamFactory(name="Front line")
    ApprovalLimit.objects.create(role=Role.SUPERVISOR, currency="PHP", max_amount=Decimal("200"))
    RemedyOption.objects.create(code="credit", name="Credit", kind=RemedyKind.ACCOUNT_CREDIT, currency="PHP")
    TeamBudget.objects.create(team=team, currency="PHP", monthly_amount=Decimal("100"))
    givers = [staff(Role.SUPERVISOR, teams=[team]) for _ in range(THREADS)]
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Dented", team=team)
    return givers, ticket


def _race(work) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_issues_against_one_budget_never_overspend(setup):
    givers, ticket = setup

    def give(index: int) -> None:
        services.remedy_issue(actor=givers[index], ticket=ticket, option="credit", amount="30")

    assert _race(give) == []
    spent = sum(RemedyEntry.objects.values_list("amount", flat=True), Decimal("0"))
    assert spent == Decimal("90.00")  # three of 30 fit in 100; the fourth would make 120
    assert RemedyRequest.objects.filter(status="issued").count() == 3
    assert (
        RemedyRequest.objects.filter(status="pending", approval_reasons=["over_budget"]).count()
        == THREADS - 3
    )


def test_concurrent_retries_with_one_idempotency_key_issue_once(setup):
    givers, ticket = setup
    giver = givers[0]

    def retry(index: int) -> None:
        services.remedy_issue(
            actor=giver, ticket=ticket, option="credit", amount="10", idempotency_key="double-click"
        )

    assert _race(retry) == []
    assert RemedyRequest.objects.count() == 1
    assert RemedyEntry.objects.count() == 1
