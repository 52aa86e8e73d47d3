"""Opaque keyset-pagination cursors: (timestamp, id) packed into a URL-safe token."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class InvalidCursor(ValueError):
    """A cursor that was not produced by `encode`."""


def encode(at: datetime, pk: int) -> str:
    if at.tzinfo is None:
        raise ValueError("cursor timestamps must be timezone-aware")
    micros = (at - _EPOCH) // _MICRO
    raw = f"{micros}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[datetime, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        micros_text, pk_text = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        micros, pk = int(micros_text), int(pk_text)
        return _EPOCH + micros * _MICRO, pk
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError, OSError) as exc:
        raise InvalidCursor("invalid cursor") from exc
