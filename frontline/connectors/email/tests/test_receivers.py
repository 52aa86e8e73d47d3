"""The three ways mail comes in — HTTP, our SMTP receiver, IMAP polling — against real servers."""

from __future__ import annotations

import imaplib
import os
import pathlib
import shutil
import smtplib
import subprocess
import tempfile
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError

from conftest import require_service
from frontline.connectors.email import imap, services
from frontline.connectors.email.models import InboundEmail, Mailbox
from frontline.connectors.email.smtp import InboundHandler
from frontline.connectors.email.tests.conftest import MAILBOX_SECRET, free_port, mail
from frontline.core.errors import TooLarge
from frontline.tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_http_endpoint_stores_raw_mime_with_the_mailbox_secret(client, mailbox):
    raw = mail(message_id="<http@example.ph>")
    url = f"/inbound/email/{mailbox.pk}"
    response = client.post(
        url, data=raw, content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {MAILBOX_SECRET}"
    )
    assert response.status_code == 202
    assert response.json()["duplicate"] is False
    again = client.post(
        url, data=raw, content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {MAILBOX_SECRET}"
    )
    assert again.json()["duplicate"] is True
    wrong = client.post(url, data=raw, content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer nope")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (404, "not_found")
    empty = client.post(
        url, data=b"", content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {MAILBOX_SECRET}"
    )
    assert empty.status_code == 400
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_smtp_receiver_accepts_mail_for_our_mailboxes_only(mailbox):
    port = free_port()
    controller = Controller(InboundHandler(), hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            refused = smtp.sendmail(
                "maria@example.ph",
                ["nobody@aurora.test", "support+x@aurora.test"],
                mail(message_id="<smtp@example.ph>"),
            )
        assert refused == {"nobody@aurora.test": (550, b"5.1.1 No such mailbox here")}
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp,
            pytest.raises(smtplib.SMTPRecipientsRefused),
        ):
            smtp.sendmail("maria@example.ph", ["nobody@aurora.test"], mail())
    finally:
        controller.stop()
    inbound = InboundEmail.objects.get()
    assert (inbound.source, inbound.status, inbound.message_key) == ("smtp", "processed", "<smtp@example.ph>")


@pytest.fixture
def dovecot():
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    require_service("dovecot", os.path.exists(binary), "install Debian's dovecot-imapd")
    # Not pytest's tmp_path: its parents are private to root, and dovecot's processes must read it.
    root = pathlib.Path(tempfile.mkdtemp(prefix="frontline-dovecot-"))
    (root / "run").mkdir(parents=True)
    (root / "mail").mkdir()
    port = free_port()
    (root / "users").write_text("support@aurora.test:{PLAIN}secret\n")
    config = root / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/run
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
""")
    os.chmod(root, 0o755)
    subprocess.run(["chown", "-R", "dovecot:dovecot", str(root / "mail")], check=True)
    subprocess.run([binary, "-c", str(config)], check=True)
    for _ in range(50):
        try:
            imaplib.IMAP4("127.0.0.1", port, timeout=1).logout()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    subprocess.run([binary, "-c", str(config), "stop"], check=False)
    shutil.rmtree(root, ignore_errors=True)


def _append(port: int, raw: bytes) -> None:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("support@aurora.test", "secret")
    client.append("INBOX", None, None, raw)
    client.logout()


@pytest.mark.django_db(transaction=True)
def test_imap_polling_stores_then_flags_and_never_fetches_twice(dovecot, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="127.0.0.1",
        imap_port=dovecot,
        imap_security="none",
        imap_username="support@aurora.test",
        imap_password="secret",
    )
    mailbox.refresh_from_db()
    _append(dovecot, mail(message_id="<imap-1@example.ph>"))
    _append(dovecot, mail(message_id="<imap-2@example.ph>", subject="Washer leaking"))
    assert services.imap_poll(mailbox=mailbox) == 2
    assert services.imap_poll(mailbox=mailbox) == 0
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 2
    assert Ticket.objects.count() == 2
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("support@aurora.test", "secret")
    client.select("INBOX")
    assert client.search(None, "SEEN")[1][0].split() == [b"1", b"2"]
    client.logout()
    # The folder was recreated (new UIDVALIDITY): everything is seen again, and nothing is duplicated.
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=1)
    mailbox.refresh_from_db()
    assert services.imap_poll(mailbox=mailbox) == 2
    assert Ticket.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_imap_stores_a_fetch_in_chunks_each_committed_before_it_is_flagged(dovecot, mailbox, monkeypatch):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="127.0.0.1",
        imap_port=dovecot,
        imap_security="none",
        imap_username="support@aurora.test",
        imap_password="secret",
    )
    mailbox.refresh_from_db()
    monkeypatch.setattr(imap, "STORE_CHUNK", 2)
    monkeypatch.setattr(services, "MAX_RAW_BYTES", 4000)
    commits = []
    store_many = services.inbound_store_many

    def counting(**kwargs):
        commits.append(len(kwargs["raws"]))
        return store_many(**kwargs)

    monkeypatch.setattr(services, "inbound_store_many", counting)
    for number in range(1, 4):
        _append(dovecot, mail(message_id=f"<chunk-{number}@example.ph>"))
    _append(dovecot, mail(message_id="<chunk-big@example.ph>", body="x" * 6000))
    _append(dovecot, mail(message_id="<chunk-after@example.ph>"))
    with pytest.raises(TooLarge):
        services.imap_poll(mailbox=mailbox)
    # Two, then the one before the oversize mail; the oversize one is refused on its own.
    assert commits == [2, 1, 1]
    assert sorted(InboundEmail.objects.values_list("message_key", flat=True)) == [
        "<chunk-1@example.ph>",
        "<chunk-2@example.ph>",
        "<chunk-3@example.ph>",
    ]
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == 3
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("support@aurora.test", "secret")
    client.select("INBOX")
    assert client.search(None, "SEEN")[1][0].split() == [b"1", b"2", b"3"]
    client.logout()


@pytest.mark.django_db(transaction=True)
def test_imap_login_takes_the_password_from_the_environment_variable_the_mailbox_names(
    dovecot, mailbox, monkeypatch
):
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="127.0.0.1",
        imap_port=dovecot,
        imap_security="none",
        imap_username="support@aurora.test",
        imap_password="",
        imap_password_env="FRONTLINE_TEST_IMAP_PASSWORD",
    )
    mailbox.refresh_from_db()
    monkeypatch.setenv("FRONTLINE_TEST_IMAP_PASSWORD", "secret")
    _append(dovecot, mail(message_id="<imap-env@example.ph>"))
    assert services.imap_poll(mailbox=mailbox) == 1


def test_the_environment_password_wins_and_a_missing_variable_is_named(monkeypatch):
    mailbox = Mailbox(imap_password="stored", imap_password_env="FRONTLINE_TEST_IMAP_PASSWORD")
    monkeypatch.setenv("FRONTLINE_TEST_IMAP_PASSWORD", "from-env")
    assert imap.password_of(mailbox) == "from-env"
    monkeypatch.delenv("FRONTLINE_TEST_IMAP_PASSWORD")
    with pytest.raises(imap.ImapError, match="FRONTLINE_TEST_IMAP_PASSWORD"):
        imap.password_of(mailbox)
    assert imap.password_of(Mailbox(imap_password="stored")) == "stored"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"imap_password_env": "NOT A NAME"}, "imap_password_env"),
        ({"imap_password_env": "FRONTLINE_IMAP", "imap_password": "also stored"}, "imap_password"),
    ],
)
def test_a_mailbox_names_a_valid_variable_and_does_not_also_store_the_password(values, field):
    with pytest.raises(ValidationError) as caught:
        Mailbox(**values).clean()
    assert field in caught.value.message_dict
