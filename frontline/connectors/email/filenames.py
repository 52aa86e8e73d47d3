"""Attachment file names safe to show and to store under."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from typing import Final

from frontline.connectors.email.charsets import decode_words, valid_unicode

# --- attachment file names ----------------------------------------------------------------------------------

_FILENAME_JUNK = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_WINDOWS_RESERVED_CHARS = re.compile(r'[<>:"|?*]')
_FILENAME_EDGES = re.compile(r"^[\s.]+|[\s.]+$")
_WINDOWS_DEVICES: Final = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
_EXTENSIONS: Final = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "application/ms-tnef": ".dat",
    "application/vnd.ms-tnef": ".dat",
    "application/zip": ".zip",
}
_MIME_TYPES = mimetypes.MimeTypes()  # the built-in table only: the same answer on every machine
MAX_FILENAME_BYTES: Final = 200


def safe_filename(raw: str | None, number: int, content_type: str) -> str:
    """A name safe to show and to store under: one path component, no control or bidi characters."""
    name = raw or ""
    if "=?" in name:
        name = decode_words(name)
    name = _FILENAME_JUNK.sub("", unicodedata.normalize("NFC", valid_unicode(name)))
    components = [c for c in re.split(r"[/\\]", name) if _FILENAME_EDGES.sub("", c)]
    name = _FILENAME_EDGES.sub("", _WINDOWS_RESERVED_CHARS.sub("_", components[-1] if components else ""))
    stem, dot, extension = name.rpartition(".")
    if (stem if dot else extension).lower() in _WINDOWS_DEVICES:
        name = f"_{name}"
    if len(name.encode("utf-8")) > MAX_FILENAME_BYTES:
        suffix = f".{extension}" if dot and 0 < len(extension) <= 16 else ""
        budget = MAX_FILENAME_BYTES - len(suffix.encode("utf-8"))
        stem = name.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
        name = _FILENAME_EDGES.sub("", stem) + suffix
    if not name:
        guessed = _EXTENSIONS.get(content_type) or _MIME_TYPES.guess_extension(content_type) or ""
        name = f"attachment-{number}{guessed}"
    return name
