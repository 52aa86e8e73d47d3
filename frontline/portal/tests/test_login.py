"""Sign-in by magic link (single use, expiring, rate-limited, silent about unknown addresses) or password."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from frontline.accounts.models import User
from frontline.customers.factories import CustomerFactory
from frontline.customers.selectors import principal_for_user
from frontline.portal.models import MagicLink
from frontline.portal.services import LIMITS
from frontline.portal.tests.conftest import link_in_outbox, sent

pytestmark = pytest.mark.django_db

LINK = r"/portal/login/[^/\s]+/"


def ask_link(client, email, **extra):
    return client.post("/portal/login/", {"action": "link", "link-email": email}, **extra)


def test_a_known_address_gets_a_link_and_an_unknown_one_the_same_answer_without_mail(client, ana):
    known = ask_link(client, "ANA@example.ph")
    unknown = ask_link(client, "nobody@example.ph")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/portal/login/sent/"
    [message] = sent()
    assert message.to == ["ana@example.ph"]
    assert "15 minutes" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["X-Auto-Response-Suppress"] == "All"
    assert MagicLink.objects.get().customer == ana
    page = client.get("/portal/login/sent/")
    assert "If the address belongs to a customer account" in page.content.decode()


def test_a_first_sign_in_creates_the_portal_user_linked_to_the_customer(client):
    customer = CustomerFactory(first_name="Carla", email="carla@example.ph")
    assert customer.user is None
    ask_link(client, "carla@example.ph")
    path = link_in_outbox(LINK)

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert not User.objects.filter(customer=customer).exists()  # a GET (a mail scanner) signs no one in
    signed_in = client.post(path)

    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/portal/"
    customer.refresh_from_db()
    assert customer.user is not None
    assert not customer.user.has_usable_password()
    assert principal_for_user(customer.user).customer_id == customer.pk
    assert client.get("/portal/").status_code == 200


def test_a_link_works_once(client, ana):
    ask_link(client, "ana@example.ph")
    path = link_in_outbox(LINK)
    assert client.post(path).status_code == 302
    client.post("/portal/logout/")

    again = client.post(path)
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert client.get("/portal/").status_code == 302  # not signed in
    assert client.get(path).status_code == 410


def test_a_link_expires_after_fifteen_minutes(client, ana):
    ask_link(client, "ana@example.ph")
    path = link_in_outbox(LINK)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
        late = client.post(path)
    assert late.status_code == 410
    assert "expired" in late.content.decode()
    assert MagicLink.objects.get().used_at is None


def test_a_forged_or_altered_link_is_refused(client, ana):
    ask_link(client, "ana@example.ph")
    path = link_in_outbox(LINK)
    assert client.post(path[:-3] + "x/").status_code == 410
    assert client.post("/portal/login/not-a-token/").status_code == 410


def test_links_are_rate_limited_per_address_even_for_unknown_addresses(client, ana):
    allowed, _window = LIMITS["login-address"]
    for _ in range(allowed):
        assert ask_link(client, "ana@example.ph").status_code == 302
        assert ask_link(client, "ghost@example.ph").status_code == 302
    assert ask_link(client, "ana@example.ph").status_code == 429
    assert ask_link(client, "ghost@example.ph").status_code == 429
    assert len(sent()) == allowed


def test_links_are_rate_limited_per_client_address(client, ana):
    allowed, _window = LIMITS["login-ip"]
    for n in range(allowed):
        ask_link(client, f"someone{n}@example.ph", REMOTE_ADDR="203.0.113.9")
    refused = ask_link(client, "ana@example.ph", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert sent() == []
    assert ask_link(client, "ana@example.ph", REMOTE_ADDR="203.0.113.10").status_code == 302


def test_a_malformed_address_is_refused_naming_the_field(client):
    response = ask_link(client, "not an address")
    assert response.status_code == 400
    assert "Email address: Enter a valid email address." in response.content.decode()
    assert sent() == []


def test_password_sign_in_works_only_once_a_password_is_set(client, ana):
    form = {"action": "password", "password-email": "ana@example.ph", "password-password": "a-long-secret-9"}
    refused = client.post("/portal/login/", form)
    assert refused.status_code == 400
    assert "The email address or password is not right." in refused.content.decode()

    ana.user.set_password("a-long-secret-9")
    ana.user.save()
    assert client.post("/portal/login/", form)["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    wrong = client.post("/portal/login/", {**form, "password-password": "nope"})
    assert wrong.status_code == 400


def test_a_staff_user_cannot_use_the_portal(client, agent):
    client.force_login(agent)
    assert client.get("/portal/")["Location"].startswith("/portal/login/")


def test_sign_out_is_a_post(ana_client):
    assert ana_client.get("/portal/logout/").status_code == 405
    assert ana_client.post("/portal/logout/")["Location"] == "/portal/login/"
    assert ana_client.get("/portal/").status_code == 302


def test_next_keeps_to_this_site(client, ana):
    ana.user.set_password("a-long-secret-9")
    ana.user.save()
    form = {"action": "password", "password-email": "ana@example.ph", "password-password": "a-long-secret-9"}
    assert client.post("/portal/login/", {**form, "next": "https://evil.example/"})["Location"] == "/portal/"
    client.post("/portal/logout/")
    assert (
        client.post("/portal/login/", {**form, "next": "/portal/profile/"})["Location"] == "/portal/profile/"
    )


def test_a_disabled_portal_user_is_not_signed_in_and_the_link_stays_unused(client, ana):
    ana.user.is_active = False
    ana.user.save()
    ask_link(client, "ana@example.ph")
    response = client.post(link_in_outbox(LINK))
    assert response.status_code == 410
    assert MagicLink.objects.get().used_at is None
    assert client.get("/portal/").status_code == 302


def test_password_guessing_in_the_portal_is_stopped_with_when_to_try_again(client, ana):
    from frontline.accounts.sign_in_limits import ACCOUNT_AT_ADDRESS

    ana.user.set_password("a-long-secret-9")
    ana.user.save()
    form = {"action": "password", "password-email": "ana@example.ph", "password-password": "guess"}
    for _ in range(ACCOUNT_AT_ADDRESS):
        assert client.post("/portal/login/", form, REMOTE_ADDR="198.51.100.66").status_code == 400

    refused = client.post(
        "/portal/login/", {**form, "password-password": "a-long-secret-9"}, REMOTE_ADDR="198.51.100.66"
    )

    assert refused.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 min." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    at_home = client.post(
        "/portal/login/", {**form, "password-password": "a-long-secret-9"}, REMOTE_ADDR="203.0.113.7"
    )
    assert at_home["Location"] == "/portal/"
