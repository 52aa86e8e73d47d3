"""PostgreSQL specifics: the search index is the one the query uses; concurrent writers do not duplicate."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from conftest import require_service
from frontline.customers.factories import CustomerFactory
from frontline.customers.models import Customer
from frontline.customers.services import customer_find_or_create
from frontline.tickets import services
from frontline.tickets.models import Ticket
from frontline.tickets.search import matching_ticket_ids


@pytest.fixture
def postgres(db):
    require_service(
        "postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
    )


def test_search_query_uses_the_gin_index(postgres):
    services.ticket_create(
        actor=None, requester=CustomerFactory(), subject="Range hood", body_text="费用 refund"
    )
    query = Ticket.objects.filter(pk__in=matching_ticket_ids("refund"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tickets_searchentry_tsv" in plan
    assert list(query.values_list("subject", flat=True)) == ["Range hood"]


def test_concurrent_contacts_from_one_address_make_one_customer(transactional_db):
    require_service(
        "postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
    )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def arrive() -> None:
        try:
            barrier.wait()
            customer_find_or_create(actor=None, email="same@example.ph")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=arrive) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.count() == 1
