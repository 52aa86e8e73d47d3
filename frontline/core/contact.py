"""Normalising contact points (email addresses, phone numbers, social handles) for de-duplication."""

from __future__ import annotations

import re

_EMAIL = re.compile(
    # A dot-atom local part, or a quoted one ("Test test"@example.com) as RFC 5321 allows.
    r"^(?:[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+|\"(?:[ !#-\[\]-~]|\\[ -~])+\")"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class InvalidContact(ValueError):
    """A contact point that cannot be a real address or number."""


def normalize_email(value: str) -> str:
    """Lower-cased, trimmed address; raises InvalidContact when it is not an address."""
    email = value.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidContact(f"not a valid email address: {value!r}")
    local, _, domain = email.rpartition("@")
    # The domain is case-insensitive; real mail systems also treat the local part so.
    return f"{local.lower()}@{domain.lower()}"


def normalize_phone(value: str, default_country_code: str = "") -> str:
    """E.164 form: '0917 123 4567' with country code '63' is '+639171234567'; without a code, as dialled."""
    raw = value.strip()
    digits = re.sub(r"[\s().\-/]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d{5,15}", digits):
        raise InvalidContact(f"not a valid phone number: {value!r}")
    if digits.startswith("+"):
        return digits
    if default_country_code and digits.startswith("0"):
        return f"+{default_country_code}{digits[1:]}"
    return digits  # a national number whose country we do not know: kept as dialled


def normalize_handle(value: str) -> str:
    """A social handle without the leading '@', lower-cased."""
    handle = value.strip().lstrip("@").lower()
    if not handle or len(handle) > 100 or any(ch.isspace() for ch in handle):
        raise InvalidContact(f"not a valid handle: {value!r}")
    return handle
