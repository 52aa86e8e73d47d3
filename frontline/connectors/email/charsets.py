"""Bytes of mail as valid, inert Unicode: declared charsets leniently, RFC 2047 encoded words, clean-up."""

from __future__ import annotations

import binascii
import codecs
import re
from typing import Final

from charset_normalizer import from_bytes

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
    # CP50221: what Windows and most Japanese mailers write under this label (see decode_cp50221)
    "iso2022_jp": ("cp50221", "iso2022_jp_2", "iso2022_jp_2004"),
    "iso2022_jp_ext": ("cp50221", "iso2022_jp_ext"),
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
    "cp50220": "iso2022_jp",
    "cp50221": "iso2022_jp",
    "cp50222": "iso2022_jp",
    "csiso2022jp": "iso2022_jp",
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


def _decode(data: bytes, codec: str) -> str:
    return decode_cp50221(data) if codec == "cp50221" else data.decode(codec)


def decode_text(
    data: bytes, charset: str | None, defects: list[str], undeclared: UndeclaredCharset | None = None
) -> str:
    """Bytes of a text part as str: the declared charset, then UTF-8, then Windows-1252; never raises.

    8-bit text that declares no charset (or US-ASCII) and is not UTF-8 is read in the message's own
    charset when `undeclared` knows it.
    """
    if undeclared is not None and not data.isascii() and _is_undeclared(charset):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            guessed = undeclared(data)
            if guessed is not None:
                defects.append(f"8-bit text without a declared charset; read as {undeclared.name}")
                return valid_unicode(guessed.removeprefix("\ufeff"))
        else:
            return valid_unicode(text.removeprefix("\ufeff"))
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
            text = _decode(data, codec)
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


def has_encoded_word(value: str) -> bool:
    """Whether an RFC 2047 encoded word is left in the value (a decoder gave up on it)."""
    return "=?" in value and _ENCODED_WORD.search(value) is not None


def is_suspicious(decoded: str) -> bool:
    return "\ufffd" in decoded or _SURROGATES.search(decoded) is not None


def _is_undeclared(charset: str | None) -> bool:
    return charset is None or charset.strip().strip("\"'").lower() in ("", "us-ascii", "ascii")


# --- ISO-2022-JP as Windows writes it -----------------------------------------------------------------------

_ISO2022JP_ESCAPE = re.compile(rb"\x1b(\(B|\(J|\(I|\$@|\$B|&@\x1b\$B)")


def decode_cp50221(data: bytes) -> str:
    """ISO-2022-JP with the Windows extensions (Microsoft's CP50220-CP50222, which most Japanese mail
    is written in): the NEC row 13 (circled numbers ①, ㈱, №) and the NEC-selected IBM extensions
    (髙, 﨑) after `ESC $ B`, and half-width katakana after `ESC ( I` or as SO/SI.

    Python's iso2022_jp codecs refuse those characters. Each JIS X 0208 pair is turned into its
    Shift_JIS bytes (the standard arithmetic) and read with Python's cp932 table, which has the
    same extensions. Six characters come out as Windows and browsers read them (～ ∥ － ￠ ￡ ￢, not
    Python's 〜 ‖ − ¢ £ ¬), and after `ESC ( J` 0x5C and 0x7E are ¥ and ‾ (JIS X 0201 Roman).
    Raises UnicodeDecodeError on anything else (JIS X 0212 or 0213 designations, bytes out of
    range), so the caller can try the other ISO-2022-JP codecs.
    """
    out: list[str] = []
    mode = b"(B"
    pos = 0
    for escape in [*_ISO2022JP_ESCAPE.finditer(data), None]:
        stop = len(data) if escape is None else escape.start()
        segment = data[pos:stop]
        if b"\x1b" in segment:
            raise UnicodeDecodeError("cp50221", data, pos, stop, "an escape sequence it does not know")
        text = _cp50221_segment(segment, mode, data, pos).decode("cp932")
        out.append(text.translate(_JIS_ROMAN) if mode == b"(J" else text)
        if escape is not None:
            mode = escape.group(1)[-2:]
            pos = escape.end()
    return "".join(out)


_JIS_ROMAN: Final = str.maketrans({"\\": "¥", "~": "‾"})


def _cp50221_segment(segment: bytes, mode: bytes, data: bytes, start: int) -> bytes:
    """Shift_JIS bytes of the text between two escape sequences, in `mode` ("(B", "(J", "(I", "$@", "$B")."""
    out = bytearray()
    shifted = mode == b"(I"
    index = 0
    while index < len(segment):
        byte = segment[index]
        if byte in (0x0E, 0x0F):  # SO / SI: half-width katakana in and out (CP50222)
            shifted = byte == 0x0E
            index += 1
        elif byte in (0x0D, 0x0A) or mode not in (b"$@", b"$B"):
            if byte >= 0x80 or (shifted and not 0x21 <= byte <= 0x5F and byte not in (0x0D, 0x0A)):
                raise UnicodeDecodeError("cp50221", data, start + index, start + index + 1, "not 7-bit")
            out.append(byte + 0x80 if shifted and 0x21 <= byte <= 0x5F else byte)
            index += 1
        else:
            if index + 1 >= len(segment):
                raise UnicodeDecodeError(
                    "cp50221", data, start + index, start + index + 1, "half a character"
                )
            row, cell = segment[index], segment[index + 1]
            if not (0x21 <= row <= 0x7E and 0x21 <= cell <= 0x7E):
                raise UnicodeDecodeError("cp50221", data, start + index, start + index + 2, "not JIS X 0208")
            lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
            trail = cell + ((0x1F if cell <= 0x5F else 0x20) if row % 2 else 0x7E)
            out += bytes((lead, trail))
            index += 2
    return bytes(out)


# --- 8-bit text without a declared charset ------------------------------------------------------------------

_DECLARED_CHARSET = re.compile(
    rb"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]{1,40})|=\?([A-Za-z0-9_.:+-]{1,40})\?[BbQq]\?"""
)
#: What charset-normalizer is trusted to tell apart on a few lines: multi-byte East Asian charsets
#: and single-byte ones of non-Latin scripts. Among Latin ones (Windows-1250/1252, Latin-1, Latin-2,
#: Mac Roman ...) it guesses wrong on short text, and Windows-1252 is what unlabelled text is read as.
_DETECTABLE: Final = frozenset(
    {
        "gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
        "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213", "euc_kr", "cp949",
        "cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5", "cp1253", "iso8859_7",
        "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874", "tis_620", "iso8859_11",
    }
)  # fmt: skip
#: Bytes of the message's 8-bit lines given to the detector.
DETECTION_SAMPLE_BYTES: Final = 16_384


class UndeclaredCharset:
    """The charset of a message's 8-bit text that declares none (raw header bytes, a text part or a
    file name without a charset), found once per message and only when such text is met.

    A charset the message declares elsewhere (a text part's, an encoded word's) comes first: mailers
    write the undeclared bytes in the charset of the rest. Else charset-normalizer's guess over the
    message's 8-bit lines, when it is one it tells apart reliably (`_DETECTABLE`). Else nothing is
    known and the caller's fallback applies (Windows-1252 for bodies, Latin-1 for header bytes).
    """

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._codecs: list[str] | None = None
        self.name = ""

    def __call__(self, data: bytes) -> str | None:
        """`data` read in the message's charset; None when that is unknown or does not fit."""
        if self._codecs is None:
            self._codecs = self._find()
        for codec in self._codecs:
            try:
                return _decode(data, codec)
            except Exception:  # noqa: S112 - a codec may raise anything on hostile bytes; try the next
                continue
        return None

    def _find(self) -> list[str]:
        for match in _DECLARED_CHARSET.finditer(self._raw):
            label = (match.group(1) or match.group(2)).decode("ascii").lower()
            if _is_undeclared(label) or label in ("utf-8", "utf8"):
                continue
            candidates, _ = _codecs_for(label, [])
            if candidates:
                self.name = label
                return candidates
        sample = b"\n".join(line for line in self._raw.splitlines() if not line.isascii())
        best = from_bytes(sample[:DETECTION_SAMPLE_BYTES]).best() if sample else None
        if best is None or best.encoding not in _DETECTABLE:
            return []
        self.name = best.encoding
        candidates, _ = _codecs_for(best.encoding, [])
        return candidates
