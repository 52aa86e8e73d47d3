"""Proving a webhook came from the provider: Twilio, Meta and X signatures and handshakes.

Standard library only. Every comparison of a secret-derived value is constant-time.

- Twilio (`X-Twilio-Signature`): base64(HMAC-SHA1(auth token, full URL + each POST parameter's
  name and value, parameters sorted by name)), the URL exactly as Twilio requested it.
- Meta (`X-Hub-Signature-256`): "sha256=" + hex(HMAC-SHA256(app secret, raw body)); subscribing a
  callback URL is a GET with hub.mode=subscribe, hub.verify_token and hub.challenge, answered with
  the challenge when the token is ours.
- X Account Activity (`x-twitter-webhooks-signature`): "sha256=" + base64(HMAC-SHA256(consumer
  secret, raw body)); the CRC check is a GET with crc_token answered with
  {"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio computes for a POST of `params` to `url`."""
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    # As Twilio's own validators do: names sorted, each name's distinct values sorted.
    data = url + "".join(name + value for name in sorted(grouped) for value in sorted(set(grouped[name])))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with its default port added or removed (Twilio signs either form)."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    variants = [url]
    if parts.hostname and default is not None:
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is None:
            variants.append(urlunsplit(parts._replace(netloc=f"{host}:{default}")))
        elif parts.port == default:
            variants.append(urlunsplit(parts._replace(netloc=host)))
    return variants


def twilio_signature_valid(
    url: str, params: Iterable[tuple[str, str]], auth_token: str, signature: str
) -> bool:
    """Whether `signature` is Twilio's for this request; False for an empty token or signature."""
    if not auth_token or not signature:
        return False
    items = list(params)
    return any(
        hmac.compare_digest(twilio_signature(variant, items, auth_token), signature)
        for variant in _url_variants(url)
    )


def meta_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signature_valid(body: bytes, app_secret: str, header: str) -> bool:
    """Whether the X-Hub-Signature-256 header matches the raw body."""
    if not app_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(meta_signature(body, app_secret), header.strip().lower())


def meta_handshake(*, mode: str, verify_token: str, challenge: str, expected_token: str) -> str | None:
    """The challenge to echo when Meta subscribes our URL with our verify token; None otherwise."""
    if mode != "subscribe" or not expected_token or not challenge:
        return None
    if not hmac.compare_digest(verify_token.encode(), expected_token.encode()):
        return None
    return challenge


def x_crc_response(crc_token: str, consumer_secret: str) -> dict[str, str]:
    """The answer to X's challenge-response check (on registering and about hourly)."""
    digest = hmac.new(consumer_secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return {"response_token": "sha256=" + base64.b64encode(digest).decode("ascii")}


def x_signature(body: bytes, consumer_secret: str) -> str:
    digest = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def x_signature_valid(body: bytes, consumer_secret: str, header: str) -> bool:
    """Whether the x-twitter-webhooks-signature header matches the raw body."""
    if not consumer_secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(x_signature(body, consumer_secret).encode(), header.strip().encode())
