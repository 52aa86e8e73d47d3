"""Provider credentials never leave their field: not into events, the events API, logs or admin pages;
at rest they are encrypted. Every connector is created and changed through the admin, webhooks through
the API too."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.db import connection, models
from django.urls import reverse

from frontline.accounts.factories import UserFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.connectors.email.models import Mailbox
from frontline.connectors.messaging.models import MessagingAccount
from frontline.connectors.voice.models import VoiceLine
from frontline.events.models import Event
from frontline.routing.models import Queue
from frontline.security.fields import REDACTED
from frontline.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """An admin form's values for a new object: each editable field's default."""
    data: dict[str, Any] = {}
    for field in model._meta.fields:
        if field.auto_created or not field.editable:
            continue
        default = field.get_default()
        if isinstance(default, bool):
            if default:
                data[field.name] = "on"
        elif default not in (None, ""):
            data[field.name] = default
    return data


def _stored(model: type[models.Model], field: str) -> list[str]:
    """What the database column holds, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {model._meta.db_table}")  # noqa: S608  (names from the model)
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def events_api():
    return Api(staff(Role.SUPERVISOR, username="sam-reads-events"))


def _nowhere(secret: str, *, logs, api: Api, pages: list[str]) -> None:
    events = json.dumps(list(Event.objects.values("verb", "before", "after")))
    answered = api.get("/events", limit=500)
    assert answered.status_code == 200
    assert secret not in events
    assert secret not in answered.content.decode()
    assert secret not in logs.text
    assert all(secret not in page for page in pages)


CONNECTORS = [
    (
        MessagingAccount,
        {"name": "SMS PH", "kind": "sms", "account_sid": "AC123", "sender_id": "+15005550006"},
        {"signing_secret": "twilio-auth-token-0f9e8d7c6b5a"},
    ),
    (
        MessagingAccount,
        {"name": "Messenger", "kind": "messenger", "sender_id": "1234567890"},
        {
            "signing_secret": "meta-app-secret-1a2b3c4d5e6f",
            "verify_token": "meta-verify-token-77aa88bb",
            "access_token": "EAAGmeta-access-token-99ccdd",
        },
    ),
    (
        MessagingAccount,
        {"name": "X DMs", "kind": "x_dm", "sender_id": "2244994945"},
        {"signing_secret": "x-consumer-secret-5e6f7a8b", "access_token": "x-user-token-3c4d5e6f"},
    ),
    (
        Mailbox,
        {"name": "Support", "address": "support@aurora.test", "imap_host": "imap.aurora.test"},
        {"imap_password": "imap-password-Kx93!vb"},
    ),
]


def _admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    ("model", "values", "secrets"), CONNECTORS, ids=lambda v: getattr(v, "get", str)("name")
)
def test_a_connector_made_and_changed_in_the_admin_keeps_its_secrets_to_itself(
    admin_client, logs, events_api, model, values, secrets
):
    form = {**_defaults(model), **values, **{f"{name}_0": value for name, value in secrets.items()}}
    created = admin_client.post(_admin_url(model, "add"), form)
    assert created.status_code == 302, created.content.decode()[:2000]
    obj = model.objects.get()
    assert {name: getattr(obj, name) for name in secrets} == secrets  # usable by the connector
    change_page = admin_client.get(_admin_url(model, "change", obj.pk)).content.decode()

    changed_secrets = {name: value + "-rotated" for name, value in secrets.items()}
    changed = admin_client.post(
        _admin_url(model, "change", obj.pk),
        {**form, **{f"{name}_0": value for name, value in changed_secrets.items()}},
    )
    assert changed.status_code == 302
    obj.refresh_from_db()
    assert {name: getattr(obj, name) for name in secrets} == changed_secrets

    for secret in [*secrets.values(), *changed_secrets.values()]:
        _nowhere(secret, logs=logs, api=events_api, pages=[change_page])
        for name in secrets:
            assert all(secret not in value for value in _stored(model, name))  # encrypted at rest
    change_event = Event.objects.get(verb=f"{model._meta.model_name}.changed_in_admin")
    assert {name: change_event.after[name] for name in secrets} == dict.fromkeys(secrets, REDACTED)


def test_a_voice_line_token_made_in_the_admin_stays_secret(admin_client, logs, events_api):
    queue = Queue.objects.create(name="Phone", channel="voice")
    form = {
        **_defaults(VoiceLine),
        "name": "Hotline",
        "provider": "twilio",
        "phone_number": "+6328123456",
        "queue": queue.pk,
        "twilio_account_sid": "AC123",
        "twilio_auth_token_0": "voice-auth-token-31f0e2d9",
    }

    response = admin_client.post(_admin_url(VoiceLine, "add"), form)

    assert response.status_code == 302, response.content.decode()[:2000]
    line = VoiceLine.objects.get()
    assert line.auth_token() == "voice-auth-token-31f0e2d9"
    page = admin_client.get(_admin_url(VoiceLine, "change", line.pk)).content.decode()
    _nowhere("voice-auth-token-31f0e2d9", logs=logs, api=events_api, pages=[page])
    assert _stored(VoiceLine, "twilio_auth_token")[0].startswith("fernet:")


def test_an_empty_secret_box_keeps_the_stored_secret_and_remove_clears_it(admin_client):
    account = MessagingAccount.objects.create(
        name="SMS", provider="twilio", kind="sms", signing_secret="kept-token-123456"
    )
    form = {**_defaults(MessagingAccount), "name": "SMS renamed", "kind": "sms"}

    admin_client.post(_admin_url(MessagingAccount, "change", account.pk), form)
    account.refresh_from_db()
    assert (account.name, account.signing_secret) == ("SMS renamed", "kept-token-123456")

    admin_client.post(_admin_url(MessagingAccount, "change", account.pk), {**form, "signing_secret_1": "on"})
    account.refresh_from_db()
    assert account.signing_secret == ""
    assert Event.objects.filter(verb="messagingaccount.changed_in_admin").last().after == {
        "signing_secret": ""
    }


def test_a_webhook_secret_is_shown_once_by_the_api_and_then_nowhere(logs, events_api):

    api = Api(staff(Role.ADMIN, username="adele"))
    subscription = WebhookSubscription(name="Orders", url="https://hooks.example.test/h", event_types=["*"])
    subscription.secret = "whsec_for-this-test-only-0a1b2c"
    subscription.save()
    rotated = api.post(f"/webhooks/{subscription.pk}/rotate-secret")
    assert rotated.status_code == 200
    secret = rotated.json()["secret"]

    shown = api.get(f"/webhooks/{subscription.pk}").content.decode()

    _nowhere(secret, logs=logs, api=events_api, pages=[shown])
    assert secret not in _stored(WebhookSubscription, "secret")[0]
    subscription.refresh_from_db()
    assert subscription.secret == secret


def test_a_webhook_made_in_the_admin_keeps_its_secret_out_of_the_log(admin_client, logs, events_api):
    response = admin_client.post(
        _admin_url(WebhookSubscription, "add"),
        {"name": "Orders", "url": "http://[2606:4700:4700::1111]/h", "event_types": '["*"]', "active": "on"},
    )
    assert response.status_code == 302
    secret = WebhookSubscription.objects.get().secret
    _nowhere(secret, logs=logs, api=events_api, pages=[])


def test_values_stored_in_the_clear_before_are_encrypted_and_taken_out_of_old_events(settings):
    from django.apps import apps

    from frontline.security.migration_steps import encrypt_stored, redact_events

    account = MessagingAccount.objects.create(name="Old", provider="meta", kind="messenger")
    table = MessagingAccount._meta.db_table
    with connection.cursor() as cursor:  # as an earlier version stored it
        cursor.execute(f"UPDATE {table} SET access_token = %s", ["EAAG-plain-old-token"])  # noqa: S608
    leaked = Event.objects.create(
        occurred_at=account.created_at,
        actor_label="admin",
        verb="messagingaccount.created_in_admin",
        target_type="messagingaccount",
        target_id=account.pk,
        after={"name": "Old", "access_token": "EAAG-plain-old-token"},
    )

    encrypt_stored("messaging_connector", "messagingaccount", ["signing_secret", "access_token"])(apps, None)
    redact_events("messagingaccount", ["access_token"])(apps, None)

    assert _stored(MessagingAccount, "access_token")[0].startswith("fernet:")
    account.refresh_from_db()
    assert account.access_token == "EAAG-plain-old-token"
    leaked.refresh_from_db()
    assert leaked.after == {"name": "Old", "access_token": REDACTED}


def test_rotate_secrets_moves_every_secret_to_the_newest_key(settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    MessagingAccount.objects.create(name="SMS", provider="twilio", kind="sms", signing_secret="tok-1")
    newest = Fernet.generate_key()
    settings.FRONTLINE_ENCRYPTION_KEYS = [newest.decode()]

    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)

    assert (
        "messaging_connector.MessagingAccount: 1 row(s) with signing_secret, verify_token, access_token"
        in (out.getvalue())
    )

    stored = _stored(MessagingAccount, "signing_secret")[0]
    assert Fernet(newest).decrypt(stored.removeprefix("fernet:").encode()) == b"tok-1"


def test_a_secret_no_key_opens_reads_as_empty_and_the_log_names_the_field_not_the_value(settings, logs):
    settings.SECRET_KEY_FALLBACKS = []
    MessagingAccount.objects.create(name="SMS", provider="twilio", kind="sms", signing_secret="tok-lost")
    settings.SECRET_KEY = "a-completely-different-key-" + "Qw3rTy" * 8

    account = MessagingAccount.objects.get()

    assert account.signing_secret == ""
    assert "MessagingAccount.signing_secret cannot be decrypted" in logs.text
    assert "tok-lost" not in logs.text


def test_someone_who_may_only_view_an_account_in_the_admin_does_not_see_its_secret_fields(client):
    account = MessagingAccount.objects.create(
        name="SMS", provider="twilio", kind="sms", signing_secret="view-only-must-not-see-this"
    )
    viewer = staff(Role.SUPERVISOR, username="vic", is_staff=True)  # supervisors may view accounts
    client.force_login(viewer)

    page = client.get(_admin_url(MessagingAccount, "change", account.pk))

    assert page.status_code == 200
    content = page.content.decode()
    assert "view-only-must-not-see-this" not in content
    assert 'field-signing_secret"' not in content
    assert 'field-signing_secret_env"' in content  # the rest of the account is shown
