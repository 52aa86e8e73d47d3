"""The mailbox's HTTP secret is set or rotated in the admin and through the API, and shown once.

Only its SHA-256 is stored; the old secret stops working at once; events and the admin's change
record never hold it.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client

from frontline.accounts.factories import staff
from frontline.accounts.models import ApiToken, Role
from frontline.accounts.testing import Api
from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.connectors.email.tests.conftest import MAILBOX_SECRET, mail
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event

pytestmark = pytest.mark.django_db

NEW_SECRET = "a-new-secret-of-enough-length-0123"


def post_mime(mailbox, secret):
    return Client().post(
        f"/inbound/email/{mailbox.pk}", data=mail(), content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip


def no_secret_in_events(secret):
    return not any(secret in json.dumps([e.before, e.after]) for e in Event.objects.all())


def test_rotating_gives_a_new_random_secret_once_and_the_old_one_stops_working(mailbox):
    admin_user = staff(Role.ADMIN)

    mailbox, secret = services.mailbox_secret_rotate(actor=admin_user, mailbox=mailbox)

    assert len(secret) >= 40
    assert mailbox.inbound_secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert post_mime(mailbox, MAILBOX_SECRET).status_code == 404
    assert post_mime(mailbox, secret).status_code == 202
    event = Event.objects.get(verb="email.mailbox_secret_rotated")
    assert (event.actor_id, event.after) == (admin_user.pk, {"mailbox": mailbox.pk})
    assert no_secret_in_events(secret)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("short", "the secret must be 24 to 256 characters long"),
        ("x" * 257, "the secret must be 24 to 256 characters long"),
        ("has spaces in it but is long enough", "the secret may hold printable ASCII characters only"),
        ("ñ" * 30, "the secret may hold printable ASCII characters only"),
    ],
)
def test_a_weak_or_unsendable_secret_is_refused_and_nothing_changes(mailbox, secret, problem):
    before = mailbox.inbound_secret_digest

    with pytest.raises(Invalid, match=problem) as refused:
        services.mailbox_secret_rotate(actor=None, mailbox=mailbox, secret=secret)

    assert refused.value.field == "secret"
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == before
    assert not Event.objects.filter(verb__startswith="email.mailbox_secret").exists()


# --- the API ------------------------------------------------------------------------------------------------


def test_an_admin_sets_a_chosen_secret_through_the_api(mailbox):
    api = Api(staff(Role.ADMIN))

    response = api.post(f"/email/mailboxes/{mailbox.pk}/secret", {"secret": NEW_SECRET})

    assert response.status_code == 201
    assert response.json() == {
        "mailbox": mailbox.pk,
        "secret": NEW_SECRET,
        "inbound_url": f"http://testserver/inbound/email/{mailbox.pk}",
    }
    assert post_mime(mailbox, NEW_SECRET).status_code == 202
    assert InboundEmail.objects.count() == 1


def test_an_admin_gets_a_random_secret_through_the_api(mailbox):
    response = Api(staff(Role.ADMIN)).post(f"/email/mailboxes/{mailbox.pk}/secret", {})

    assert response.status_code == 201
    secret = response.json()["secret"]
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert no_secret_in_events(secret)


@pytest.mark.parametrize("body", [{"secret": "short"}, {"secret": 12345}, {"secret": ["x"]}])
def test_bad_input_is_a_clear_error_and_nothing_changes(mailbox, body):
    before = mailbox.inbound_secret_digest

    response = Api(staff(Role.ADMIN)).post(f"/email/mailboxes/{mailbox.pk}/secret", body)

    assert response.status_code in (400, 422)
    assert "error" in response.json()
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_staff_who_are_not_admins_get_404_and_nothing_changes(mailbox, role):
    before = mailbox.inbound_secret_digest

    response = Api(staff(role)).post(f"/email/mailboxes/{mailbox.pk}/secret", {"secret": NEW_SECRET})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == before


def test_a_customer_gets_404_and_an_unknown_mailbox_is_404(mailbox):
    customer = portal_user(CustomerFactory())
    assert Api(customer).post(f"/email/mailboxes/{mailbox.pk}/secret", {}).status_code == 404
    assert Api(staff(Role.ADMIN)).post("/email/mailboxes/-1/secret", {}).status_code == 404


def test_a_read_only_admin_token_cannot_rotate(mailbox):
    before = mailbox.inbound_secret_digest

    response = Api(staff(Role.ADMIN), scope=ApiToken.Scope.READ).post(
        f"/email/mailboxes/{mailbox.pk}/secret", {}
    )

    assert response.status_code == 403
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == before


# --- the admin ----------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = staff(Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def form_of(mailbox, **changes):
    values = {
        "name": mailbox.name,
        "address": mailbox.address,
        "display_name": mailbox.display_name,
        "team": mailbox.team_id,
        "is_active": "on",
        "reopen_grace_days": mailbox.reopen_grace_days,
        "acknowledgement_text": mailbox.acknowledgement_text,
        "imap_port": mailbox.imap_port,
        "imap_security": mailbox.imap_security,
        "imap_folder": mailbox.imap_folder,
        "new_inbound_secret": "",
    }
    return {**values, **changes}


def test_the_admin_form_sets_the_secret_and_never_shows_or_records_it(mailbox, admin_client):
    url = f"/admin/email_connector/mailbox/{mailbox.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="new_inbound_secret"' in page
    assert mailbox.inbound_secret_digest not in page

    response = admin_client.post(url, form_of(mailbox, new_inbound_secret=NEW_SECRET))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == hashlib.sha256(NEW_SECRET.encode()).hexdigest()
    assert no_secret_in_events(NEW_SECRET)
    assert NEW_SECRET not in admin_client.get(url).content.decode()


def test_the_admin_form_refuses_a_short_secret(mailbox, admin_client):
    before = mailbox.inbound_secret_digest

    response = admin_client.post(
        f"/admin/email_connector/mailbox/{mailbox.pk}/change/", form_of(mailbox, new_inbound_secret="short")
    )

    assert response.status_code == 200
    assert "the secret must be 24 to 256 characters long" in response.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.inbound_secret_digest == before


def test_an_empty_secret_field_keeps_the_current_secret(mailbox, admin_client):
    before = mailbox.inbound_secret_digest

    admin_client.post(f"/admin/email_connector/mailbox/{mailbox.pk}/change/", form_of(mailbox, name="Help"))

    mailbox.refresh_from_db()
    assert (mailbox.name, mailbox.inbound_secret_digest) == ("Help", before)


def test_the_admin_action_generates_a_secret_and_shows_it_once(mailbox, admin_client):
    response = admin_client.post(
        "/admin/email_connector/mailbox/",
        {"action": "generate_inbound_secret", "_selected_action": [mailbox.pk]},
        follow=True,
    )

    page = response.content.decode()
    mailbox.refresh_from_db()
    shown = page.split("the new HTTP secret is ", 1)[1].split(" ", 1)[0]
    assert mailbox.inbound_secret_digest == hashlib.sha256(shown.encode()).hexdigest()
    assert shown not in admin_client.get("/admin/email_connector/mailbox/").content.decode()
    assert Mailbox.objects.get().pk == mailbox.pk
