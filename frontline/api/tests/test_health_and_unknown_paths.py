"""/healthz answers anyone that the server lives, and staff what the mail queue holds; unknown API
paths answer the API's JSON error."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user

pytestmark = pytest.mark.django_db

COUNTS = {"quarantined": 0, "waiting": 0, "outbox_queued": 0, "outbox_failed": 0}


def test_anyone_learns_the_server_is_alive_and_nothing_more(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_staff_by_token_or_session_see_the_mail_queue():
    agent = staff(Role.AGENT)
    assert Api(agent).client.get("/healthz").json() == {"status": "ok", "email": COUNTS}
    session = Client()
    session.force_login(agent)
    assert session.get("/healthz").json() == {"status": "ok", "email": COUNTS}


def test_customers_bad_tokens_and_sessions_without_their_second_factor_see_no_counts():
    customer = Client()
    customer.force_login(portal_user(CustomerFactory()))
    admin = staff(Role.ADMIN)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    unverified = Client()
    unverified.force_login(admin)
    callers = {
        "customer": customer,
        "customer token": Api(portal_user(CustomerFactory())).client,
        "wrong token": Client(HTTP_AUTHORIZATION="Bearer fl_not-a-token"),
        "no second factor": unverified,
    }
    answers = {who: c.get("/healthz").json() for who, c in callers.items()}
    assert answers == {who: {"status": "ok"} for who in callers}


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/tickets/1/nope/", "/api/v1/"])
def test_an_unknown_api_path_answers_the_apis_json_error(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
