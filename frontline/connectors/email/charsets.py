"""Bytes of mail as valid, inert Unicode: declared charsets leniently, RFC 2047 encoded words, clean-up."""

from __future__ import annotations

import binascii
import codecs
import re
from typing import Final

from frontline.connectors.email.transfer import base64_lenient

# --- text clean-up ------------------------------------------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def valid_unicode(value: str) -> str:
    """No lone surrogates (UTF-7 and codec escapes make them): pairs are joined, the rest replaced."""
    if _SURROGATES.search(value) is None:
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def one_line(value: str) -> str:
    """Inert one-line text: no control or bidi-override characters, CR/LF and runs of space as one space."""
    value = _BIDI_CONTROLS.sub("", valid_unicode(value))
    return " ".join(LINE_CONTROLS.sub(" ", value).split())


def clean_body(value: str) -> str:
    value = valid_unicode(value).replace("\r\n", "\n").replace("\r", "\n")
    return _BODY_CONTROLS.sub("", value).strip()


# --- charsets -----------------------------------------------------------------------------------------------

# What mail really means by a label (the WHATWG encoding standard does the same): decode with the superset.
_SUPERSETS: Final = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "shift_jis": ("cp932", "shift_jis"),
    "euc_jp": ("euc_jis_2004", "euc_jp"),
    "big5": ("cp950", "big5hkscs"),
    "euc_kr": ("cp949",),
    "iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2"),
    "iso8859-1": ("cp1252", "iso8859-1"),
    "iso8859-11": ("cp874",),
    "tis-620": ("cp874",),
}
_LABELS: Final = {
    "ks_c_5601-1987": "euc_kr",
    "ks_c_5601": "euc_kr",
    "x-gbk": "gbk",
    "iso-8859-8-i": "iso8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "x-mac-cyrillic": "mac-cyrillic",
    "windows-874": "cp874",
}
# Codecs that are not charsets: a declared "unicode_escape" must not reach bytes.decode.
_REFUSED_CODECS: Final = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
_SINGLE_BYTE = re.compile(r"^(ascii|iso8859-\d+|cp12\d\d|koi8-[a-z]|mac-[a-z]+|cp874|tis-620)$")


def _codecs_for(charset: str | None, defects: list[str]) -> tuple[list[str], bool]:
    """(codecs to try in order, whether the declared charset is a single-byte one)."""
    label = (charset or "us-ascii").strip().strip("\"'").lower()
    label = _LABELS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        defects.append(f"unknown charset {label[:40]!r}; decoded as UTF-8 or Windows-1252")
        return [], False
    if name in _REFUSED_CODECS:
        defects.append(f"charset {label[:40]!r} is not a text charset; decoded as UTF-8 or Windows-1252")
        return [], False
    return list(_SUPERSETS.get(name, (name,))), bool(_SINGLE_BYTE.match(name))


def decode_text(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Bytes of a text part as str: the declared charset, then UTF-8, then Windows-1252; never raises."""
    candidates, single_byte = _codecs_for(charset, defects)
    if single_byte and not data.isascii():
        # A single-byte label on bytes that are valid UTF-8 is a mislabel: real Latin-1 or KOI8-R
        # text almost never forms valid multi-byte UTF-8 sequences.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if charset:
                defects.append(f"declared charset {charset[:40]!r} but the text is UTF-8")
            return valid_unicode(text.removeprefix("\ufeff"))
    label = (charset or "us-ascii")[:40]
    for codec in [*candidates, "utf-8"]:
        try:
            text = data.decode(codec)
        except Exception:  # noqa: S112 - a codec may raise anything on hostile bytes; try the next
            continue
        if codec == "utf-8" and candidates and candidates[0] != "utf-8":
            defects.append(f"text is not valid {label}; decoded as UTF-8")
        return valid_unicode(text.removeprefix("\ufeff"))
    declared = f"{label} nor UTF-8" if candidates and candidates[0] != "utf-8" else "UTF-8"
    defects.append(f"text is not valid {declared}; decoded as Windows-1252")
    return valid_unicode(data.decode("cp1252", errors="replace"))


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([QqBb])\?([^?\s]*)\?=")


def decode_words(value: str) -> str:
    """RFC 2047 encoded-words, leniently: adjacent words of one charset are joined before decoding
    (a multi-byte character may be split between them), unknown charsets fall back as bodies do."""
    out: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    last_was_word = False
    pos = 0
    sink: list[str] = []

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending_charset is not None:
            out.append(decode_text(bytes(pending), pending_charset, sink))
        pending, pending_charset = bytearray(), None

    for word in _ENCODED_WORD.finditer(value):
        between = value[pos : word.start()]
        if between and not (last_was_word and between.isspace()):
            flush()
            out.append(between)
        charset = word.group(1).split("*", 1)[0].lower()  # RFC 2231 adds "*language"
        payload = word.group(3).encode("ascii", errors="ignore")
        data = base64_lenient(payload) if word.group(2) in "Bb" else binascii.a2b_qp(payload, header=True)
        if pending_charset is not None and charset != pending_charset:
            flush()
        pending += data
        pending_charset = charset
        last_was_word = True
        pos = word.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def is_suspicious(decoded: str) -> bool:
    return "\ufffd" in decoded or _SURROGATES.search(decoded) is not None
