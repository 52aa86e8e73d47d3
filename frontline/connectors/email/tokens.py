"""Pure helpers for threading mail: the subject token, signed reply addresses and our Message-IDs.

An agent who answers a notification by email is recognised only through an HMAC-signed token
(in the reply address or in a Message-ID of ours that the reply references) together with a From
that is the agent's own address; From alone is never enough.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
_REPLY_LOCAL = re.compile(
    r"^(?P<base>[^+@]+)\+r(?P<ticket>\d{1,12})\.(?P<user>\d{1,12})\.(?P<sig>[0-9a-f]{20})@", re.I
)
_AGENT_MESSAGE_ID = re.compile(
    r"^<fl\.a(?P<ticket>\d{1,12})\.(?P<user>\d{1,12})\.(?P<sig>[0-9a-f]{20})\.", re.I
)


def subject_token(ticket_id: int) -> str:
    return f"[#{ticket_id}]"


def subject_with_token(subject: str, ticket_id: int) -> str:
    """`Re: <subject> [#id]`, once, on one line."""
    clean = " ".join(subject.replace("\r", " ").replace("\n", " ").split())
    token = subject_token(ticket_id)
    if token not in clean:
        clean = f"{clean} {token}".strip()
    return clean if clean.lower().startswith("re:") else f"Re: {clean}"


def find_subject_token(subject: str) -> int | None:
    match = _SUBJECT_TOKEN.search(subject)
    return int(match.group(1)) if match else None


def _signature(key: bytes, ticket_id: int, user_id: int) -> str:
    return hmac.new(key, f"agent-reply:{ticket_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]


def agent_reply_address(mailbox_address: str, ticket_id: int, user_id: int, key: bytes) -> str:
    """support+r<ticket>.<user>.<sig>@domain: where an agent's emailed answer goes."""
    local, _, domain = mailbox_address.partition("@")
    return f"{local}+r{ticket_id}.{user_id}.{_signature(key, ticket_id, user_id)}@{domain}"


def agent_message_id(ticket_id: int, user_id: int, domain: str, key: bytes) -> str:
    """A Message-ID for mail to an agent; a reply that references it carries the signed token."""
    return (
        f"<fl.a{ticket_id}.{user_id}.{_signature(key, ticket_id, user_id)}.{secrets.token_hex(6)}@{domain}>"
    )


def message_id(ticket_id: int, domain: str) -> str:
    return f"<fl.t{ticket_id}.{secrets.token_hex(10)}@{domain}>"


def automatic_message_id(domain: str) -> str:
    """A Message-ID of ours for automatic mail that belongs to no ticket (a sign-in link, a page)."""
    return f"<fl.m.{secrets.token_hex(12)}@{domain}>"


def read_agent_token(candidates: list[str], key: bytes) -> tuple[int, int] | None:
    """(ticket id, user id) from the first validly signed reply address or Message-ID among `candidates`."""
    for candidate in candidates:
        match = _REPLY_LOCAL.match(candidate) or _AGENT_MESSAGE_ID.match(candidate)
        if not match:
            continue
        ticket_id, user_id = int(match.group("ticket")), int(match.group("user"))
        if hmac.compare_digest(match.group("sig").lower(), _signature(key, ticket_id, user_id)):
            return ticket_id, user_id
    return None


#: The mailbox's HTTP secret (a Bearer token for raw MIME posted to /inbound/email/<id>).
MIN_SECRET_LENGTH = 24
MAX_SECRET_LENGTH = 256
_SECRET_CHARACTERS = re.compile(r"[!-~]+")  # printable ASCII, no spaces: it travels in a header


def new_inbound_secret() -> str:
    return secrets.token_urlsafe(32)


def inbound_secret_problem(secret: str) -> str | None:
    """Why `secret` cannot be a mailbox's HTTP secret, or None when it can."""
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        return f"the secret must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters long"
    if not _SECRET_CHARACTERS.fullmatch(secret):
        return "the secret may hold printable ASCII characters only, without spaces"
    return None


def inbound_secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
