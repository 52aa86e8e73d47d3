"""Coupon codes: short, unambiguous when read aloud or typed, and unguessable."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L, 5/S or 2/Z: codes are read out on the phone.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
GROUPS = 3
GROUP_LENGTH = 4


def coupon_code(prefix: str = "FL") -> str:
    """e.g. FL-7KQM-C3XA-HT9P: 12 random symbols (about 57 bits)."""
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)]
    return "-".join([prefix, *groups])


def is_well_formed(code: str, prefix: str = "FL") -> bool:
    parts = code.split("-")
    return (
        len(parts) == GROUPS + 1
        and parts[0] == prefix
        and all(len(p) == GROUP_LENGTH and all(c in ALPHABET for c in p) for p in parts[1:])
    )
