"""Secrets kept encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`.

Keys, newest first: FRONTLINE_ENCRYPTION_KEY (comma-separated Fernet keys; the first encrypts),
then keys derived (HKDF-SHA256) from SECRET_KEY and each of SECRET_KEY_FALLBACKS. Any of them
decrypts, so a key can be rotated: put the new one first, run `frontline rotate_secrets`, then
drop the old one.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

#: Stored values that start with this are ciphertexts; anything else is a value from before
#: encryption (read as it is; `rotate_secrets` and the migrations encrypt those).
PREFIX = "fernet:"


class SecretUndecryptable(RuntimeError):
    """A stored secret none of the configured keys opens (the key it was encrypted with is gone)."""


def derived_key(secret: str) -> bytes:
    """A Fernet key derived from a signing key; the same secret always gives the same key."""
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"frontline", info=b"frontline.security.secret-fields"
    )
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def configured_keys() -> tuple[bytes, ...]:
    explicit = tuple(str(key).encode() for key in settings.FRONTLINE_ENCRYPTION_KEYS)
    derived = tuple(
        derived_key(str(secret)) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    )
    return explicit + derived


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _multi_fernet(configured_keys())


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(plain: str) -> str:
    """The stored form of a secret; an empty secret stays empty (so "is it set?" needs no key)."""
    if not plain:
        return ""
    return PREFIX + _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    """The secret of a stored value; a value stored before encryption is returned as it is."""
    if not is_encrypted(stored):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUndecryptable(
            "a stored secret cannot be decrypted with the configured keys: set FRONTLINE_ENCRYPTION_KEY "
            "or FRONTLINE_SECRET_KEY_FALLBACKS to include the key it was stored with"
        ) from exc


def rotate(stored: str) -> str:
    """The value encrypted with the current first key (a plain value is encrypted)."""
    if not stored:
        return ""
    if not is_encrypted(stored):
        return encrypt(stored)
    try:
        return PREFIX + _fernet().rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUndecryptable("a stored secret cannot be decrypted with the configured keys") from exc
