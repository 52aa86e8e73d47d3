"""Portal test helpers: customers with portal logins, tickets with a thread, links read from the outbox."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.connectors.email.services import outbound_reconcile
from frontline.customers.factories import CustomerFactory, OrganizationFactory, portal_user
from frontline.tickets import services as tickets
from frontline.tickets.models import Message

BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _portal_settings(settings):
    settings.FRONTLINE_BASE_URL = BASE
    settings.FRONTLINE_DEFAULT_COUNTRY_CODE = "63"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def agent():
    return staff(Role.AGENT, first_name="Pat")


@pytest.fixture
def ana():
    """A customer who has a portal login."""
    customer = CustomerFactory(first_name="Ana", last_name="Reyes", email="ana@example.ph")
    portal_user(customer)
    return customer


@pytest.fixture
def ben():
    customer = CustomerFactory(first_name="Ben", last_name="Cruz", email="ben@example.ph")
    portal_user(customer)
    return customer


@pytest.fixture
def ana_client(client, ana):
    client.force_login(ana.user)
    return client


def open_ticket(customer, subject="Aircon not cooling", body="It blows warm air.", agent=None, note=None):
    ticket = tickets.ticket_create(
        actor=None, requester=customer, subject=subject, body_text=body, channel="web_form"
    )
    if agent is not None:
        tickets.message_add(
            actor=agent,
            ticket=ticket,
            direction=Message.Direction.OUTBOUND,
            body_text="Please clean the filter.",
        )
    if note is not None:
        tickets.message_add(actor=agent, ticket=ticket, direction=Message.Direction.NOTE, body_text=note)
    return ticket


def sent() -> list[mail.EmailMessage]:
    """The mail sent so far, once the worker has sent what the outbox holds (as its minute pass does;
    in these tests the commit that would queue the sending never comes)."""
    outbound_reconcile()
    return list(mail.outbox)


def link_in_outbox(pattern: str, index: int = -1) -> str:
    """The path of the first link in the `index`th sent mail that matches `pattern`."""
    body = sent()[index].body
    found = re.search(rf"{re.escape(BASE)}({pattern})", body)
    assert found, body
    return found.group(1)


__all__ = ["BASE", "OrganizationFactory", "link_in_outbox", "open_ticket", "sent"]
