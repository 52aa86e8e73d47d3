"""Content-Transfer-Encodings as mailers really send them."""

from __future__ import annotations

import binascii
import re

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


UUENCODINGS = frozenset({"x-uuencode", "uuencode", "x-uue", "uue"})
_UU_BEGIN = re.compile(rb"^begin(?:-base64)?\s+[0-7]{1,4}(?:\s+(.*?))?\s*$")


def uudecode(data: bytes) -> bytes:
    """uuencoded data (`begin 644 name` … `end`), as old mailers send it: lines its encoder padded
    wrongly or cut are read as far as they go, like the `uu` module did; no `begin` line: all lines."""
    lines = data.splitlines()
    start = next((k + 1 for k, line in enumerate(lines) if _UU_BEGIN.match(line.strip())), 0)
    out = bytearray()
    for line in lines[start:]:
        stripped = line.strip(b"\r\n")
        if stripped.strip() == b"end":
            break
        if not stripped:
            continue
        try:
            out += binascii.a2b_uu(stripped)
        except binascii.Error:
            # The length in the first character says how much the line holds: decode that much.
            length = ((stripped[0] - 32) & 63) * 4 // 3 + 3
            try:
                out += binascii.a2b_uu(stripped[:length])
            except binascii.Error:
                continue
    return bytes(out)


def transfer_decoded(data: bytes, encoding: str | None, defects: list[str]) -> bytes:
    encoding = (encoding or "").strip().lower()
    if encoding == "base64":
        return base64_lenient(data)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    if encoding in UUENCODINGS:
        return uudecode(data)
    if encoding and encoding not in ("7bit", "8bit", "binary"):
        defects.append(f"unknown Content-Transfer-Encoding {encoding[:40]!r}; kept as is")
    return data


def decoded_size(data: bytes, encoding: str | None) -> int:
    if (encoding or "").strip().lower() == "base64":
        return len(data.translate(None, _NOT_BASE64)) * 3 // 4
    return len(data)  # quoted-printable only shrinks
