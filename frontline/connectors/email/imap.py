"""IMAP polling: new messages by UID, stored first, then flagged \\Seen or moved."""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Callable

from frontline.connectors.email.models import InboundEmail, Mailbox

BATCH = 200
#: Messages fetched before they are stored together, in one commit, and then flagged.
STORE_CHUNK = 50
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class ImapError(Exception):
    """The server refused or did not answer as IMAP should."""


def connect(mailbox: Mailbox, timeout: float = 30) -> imaplib.IMAP4:
    if mailbox.imap_security == Mailbox.ImapSecurity.SSL:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
        if mailbox.imap_security == Mailbox.ImapSecurity.STARTTLS:
            client.starttls(ssl.create_default_context())
    client.login(mailbox.imap_username, password_of(mailbox))
    return client


def password_of(mailbox: Mailbox) -> str:
    """The IMAP password: from the environment variable the mailbox names, else as stored."""
    if not mailbox.imap_password_env:
        return mailbox.imap_password
    password = os.environ.get(mailbox.imap_password_env)
    if password is None:
        raise ImapError(
            f"the environment variable {mailbox.imap_password_env} (the IMAP password) is not set"
        )
    return password


def check(mailbox: Mailbox) -> str:
    """Log in and open the folder: what the admin's 'test connection' does."""
    client = connect(mailbox, timeout=10)
    try:
        status, data = client.select(_quote(mailbox.imap_folder), readonly=True)
        if status != "OK":
            raise ImapError(f"cannot open folder {mailbox.imap_folder!r}: {data!r}")
        return f"connected; {int(data[0] or 0)} messages in {mailbox.imap_folder}"
    finally:
        client.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_new(*, mailbox: Mailbox, store: Callable[[list[bytes]], list[InboundEmail]]) -> int:
    """Store every message with a UID above the last one seen; a new UIDVALIDITY starts over.

    Up to `STORE_CHUNK` messages are fetched, stored together (one commit), and only then flagged
    or moved. Starting over is safe: storing is idempotent on (mailbox, Message-ID or digest).
    """
    from frontline.connectors.email.services import MAX_RAW_BYTES, mailbox_set_imap_position

    client = connect(mailbox)
    stored = 0
    try:
        status, _ = client.select(_quote(mailbox.imap_folder))
        if status != "OK":
            raise ImapError(f"cannot open folder {mailbox.imap_folder!r}")
        untagged = client.response("UIDVALIDITY")[1]
        uidvalidity = int(untagged[0]) if untagged and untagged[0] else 0
        last_uid = mailbox.imap_last_uid if mailbox.imap_uidvalidity == uidvalidity else 0
        status, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise ImapError(f"search failed: {data!r}")
        uids = sorted(int(uid) for uid in (data[0] or b"").split() if int(uid) > last_uid)
        chunk: list[tuple[int, bytes]] = []
        for uid in uids[:BATCH]:
            status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            if status != "OK" or raw is None:
                raise ImapError(f"cannot fetch UID {uid}")
            if len(raw) > MAX_RAW_BYTES:  # the ones before it are stored and flagged; it is refused
                stored += _store_and_flag(client, mailbox, uidvalidity, chunk, store)
                chunk = []
            chunk.append((uid, raw))
            if len(chunk) >= STORE_CHUNK or len(raw) > MAX_RAW_BYTES:
                stored += _store_and_flag(client, mailbox, uidvalidity, chunk, store)
                chunk = []
        stored += _store_and_flag(client, mailbox, uidvalidity, chunk, store)
        if not uids:
            mailbox_set_imap_position(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last_uid)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return stored


def _store_and_flag(
    client: imaplib.IMAP4,
    mailbox: Mailbox,
    uidvalidity: int,
    chunk: list[tuple[int, bytes]],
    store: Callable[[list[bytes]], list[InboundEmail]],
) -> int:
    from frontline.connectors.email.services import mailbox_set_imap_position

    if not chunk:
        return 0
    store([raw for _, raw in chunk])  # committed before the server is told anything
    uid_set = ",".join(str(uid) for uid, _ in chunk)
    if mailbox.imap_processed_folder:
        client.uid("COPY", uid_set, _quote(mailbox.imap_processed_folder))
        client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted \Seen)")
        client.expunge()
    else:
        client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)")
    mailbox_set_imap_position(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=chunk[-1][0])
    return len(chunk)
