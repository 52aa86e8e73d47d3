"""Content-Transfer-Encodings as mailers really send them."""

from __future__ import annotations

import binascii

# --- transfer encodings -------------------------------------------------------------------------------------

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_BASE64 = bytes(b for b in range(256) if b not in _BASE64_ALPHABET)


def base64_lenient(data: bytes) -> bytes:
    """Base64 as mailers really send it: stray characters skipped, padding repaired."""
    cleaned = data.translate(None, _NOT_BASE64)
    extra = len(cleaned) % 4
    if extra == 1:
        cleaned = cleaned[:-1]
    elif extra:
        cleaned += b"=" * (4 - extra)
    try:
        return binascii.a2b_base64(cleaned)
    except binascii.Error:
        return b""


def transfer_decoded(data: bytes, encoding: str | None, defects: list[str]) -> bytes:
    encoding = (encoding or "").strip().lower()
    if encoding == "base64":
        return base64_lenient(data)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    if encoding and encoding not in ("7bit", "8bit", "binary"):
        defects.append(f"unknown Content-Transfer-Encoding {encoding[:40]!r}; kept as is")
    return data


def decoded_size(data: bytes, encoding: str | None) -> int:
    if (encoding or "").strip().lower() == "base64":
        return len(data.translate(None, _NOT_BASE64)) * 3 // 4
    return len(data)  # quoted-printable only shrinks
