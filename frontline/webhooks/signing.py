"""Signing webhook bodies, and checking a signature the way a recipient does (see docs/webhooks.md).

The header reads `Frontline-Signature: t=<unix seconds>,v1=<hex>` where the hex is
HMAC-SHA256 keyed with the subscription's secret (its UTF-8 bytes, `whsec_` prefix included) over
`<t>.` followed by the raw request body. A recipient recomputes it, compares in constant time and
refuses timestamps too far from its own clock, which stops replays of an old, captured request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Frontline-Signature"
EVENT_ID_HEADER = "Frontline-Event-Id"
EVENT_TYPE_HEADER = "Frontline-Event-Type"
#: How far (seconds) a signature's timestamp may be from the recipient's clock.
DEFAULT_TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105  # a prefix that marks secrets, not a secret


class SignatureError(ValueError):
    """The signature header is malformed, does not match the body, or is too old."""


def secret_generate() -> str:
    """A new signing secret: 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` keyed with the secret."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `Frontline-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check a `Frontline-Signature` header against the raw body; return its timestamp.

    Raises SignatureError when the header is malformed, no `v1` signature matches, or the
    timestamp is more than `tolerance` seconds away from `now` (default: the current time).
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise SignatureError("the timestamp is not a whole number") from exc
        elif key == "v1":
            candidates.append(value)
    if timestamp is None:
        raise SignatureError("the header has no timestamp (t=)")
    if not candidates:
        raise SignatureError("the header has no v1 signature")
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches the body")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("the timestamp is outside the tolerance")
    return timestamp
