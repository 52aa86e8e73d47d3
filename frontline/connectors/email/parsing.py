"""Raw email bytes to a ParsedEmail: the pure core of the email channel.

No Django here (an import-linter contract forbids it): the standard library, and nh3 for HTML.

The contract of `parse_email`:

- It never raises on input that begins with at least one header field. Every problem it works
  around (a broken charset, a bad date, an unclosed multipart, a part past a limit) is written in
  `ParsedEmail.defects` as a sentence an operator can read.
- It raises `UnparseableEmail`, and only that, when the input is not an email at all: empty bytes,
  blank lines, or bytes whose first line is not a header field (a PDF, a JPEG, random noise). The
  raw bytes are stored before parsing, so such input is quarantined, not lost. An unexpected
  internal error is also reported as `UnparseableEmail` (with `reason="internal"`), so a bug in
  here quarantines one message instead of failing its task forever.
- Work and memory are bounded by the size of the input: the MIME tree is split by this module
  (not by `email.feedparser`, whose nested generators cost time per line per level), at most
  `max_depth` levels deep and `max_parts` parts in all; header sections, header values and body
  text are capped; attachments over `max_attachment_bytes` keep no data. The standard library
  parses each header value (`policy.default`, with per-header fallbacks).
"""

from __future__ import annotations

import binascii
import codecs
import contextlib
import functools
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from html import unescape
from typing import Any, Final

import nh3

__all__ = [
    "MAX_BODY_CHARS",
    "Address",
    "Attachment",
    "ParsedEmail",
    "UnparseableEmail",
    "parse_email",
    "unflow",
]

MAX_BODY_CHARS: Final = 1_000_000  # text and HTML each; a longer body is cut here (and a defect says so)
MAX_HEADER_LINES: Final = 5_000  # per header section, continuation lines included
MAX_TOTAL_HEADER_LINES: Final = 20_000  # in one parse, all parts and attached messages together
MAX_HEADER_FIELDS: Final = 1_000  # per header section
MAX_HEADER_VALUE: Final = 65_536  # bytes kept of one header field
MAX_STRUCTURED_VALUE: Final = 16_384  # characters of an address header given to the stdlib parser
MAX_DATE_LENGTH: Final = 200
MAX_REFERENCES: Final = 100  # the newest ones are kept
MAX_DEFECTS: Final = 100
DEPTH_CEILING: Final = 50  # whatever max_depth a caller asks for, recursion stays shallow
MAX_BOUNDARY_LENGTH: Final = 200  # RFC 2046 allows 70; some mailers exceed it a little


class UnparseableEmail(ValueError):
    """The input is not an email: no header field before the body (or empty).

    `reason` is "empty", "no_headers" or "internal" (a bug in this module; the message is
    quarantined and can be re-run once it is fixed).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: the display name as inert text, the address with its domain lower-cased."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file part. `filename` is always safe to show and to store under; `data` is the decoded bytes.

    `is_inline`: sent for display inside the message (Content-Disposition inline, or a Content-ID
    without a disposition, or a resource of multipart/related). `is_oversize`: larger than the
    limit, so `data` is b"".
    """

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    content_id: str | None
    is_inline: bool
    is_oversize: bool


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """One message as the rest of Frontline needs it. Every string is valid Unicode."""

    message_id: str | None  # "<local@domain>", or None when missing or unusable
    in_reply_to: list[str]
    references: list[str]  # oldest first, at most MAX_REFERENCES (the newest)
    from_: Address | None
    reply_to: list[Address]
    to: list[Address]
    cc: list[Address]
    subject: str  # decoded, one line
    date: datetime | None  # aware, UTC
    text: str  # the plain-text body (from the HTML when only HTML was sent)
    html: str  # sanitised; remote images kept as data-remote-src
    visible_text: str  # text without quoted history and signature ("" when nothing new was written)
    attachments: list[Attachment]
    forwarded: list[ParsedEmail]  # message/rfc822 parts
    headers: dict[str, str]  # lower-case names; see USEFUL_HEADERS
    is_bounce: bool
    bounce_original_message_id: str | None
    bounce_status: str | None  # e.g. "5.1.1 (failed)"
    defects: list[str]


# Header fields copied raw (decoded, one line) into ParsedEmail.headers: what loop detection reads.
USEFUL_HEADERS: Final = (
    "auto-submitted",
    "precedence",
    "list-id",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "return-path",
    "content-type",
)


def parse_email(
    raw: bytes,
    *,
    max_attachment_bytes: int = 20 * 1024 * 1024,
    max_parts: int = 200,
    max_depth: int = 10,
    max_body_chars: int = MAX_BODY_CHARS,
) -> ParsedEmail:
    """Parse one RFC 5322 message; raises UnparseableEmail only when `raw` is not an email at all."""
    if isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    if not isinstance(raw, bytes):
        raise TypeError(f"parse_email takes bytes, not {type(raw).__name__}")
    if not raw.strip():
        raise UnparseableEmail("empty input", reason="empty")
    budget = _Budget(
        max_attachment_bytes=max(0, max_attachment_bytes),
        max_parts=max(1, max_parts),
        max_depth=min(max(0, max_depth), DEPTH_CEILING),
        max_body_chars=max(0, max_body_chars),
    )
    try:
        parsed = _parse_message(raw, 0, len(raw), 0, budget, top=True)
    except UnparseableEmail:
        raise
    except Exception as exc:  # a bug here must quarantine one mail, not crash its task forever
        raise UnparseableEmail(f"internal parser error: {exc!r}", reason="internal") from exc
    return parsed


# --- the budget shared by one parse -------------------------------------------------------------------------


@dataclass(slots=True)
class _Budget:
    max_attachment_bytes: int
    max_parts: int
    max_depth: int
    max_body_chars: int
    parts: int = 0
    header_lines: int = 0
    limit_defects: list[str] = field(default_factory=list)

    def limit(self, defect: str, defects: list[str]) -> None:
        """A limit was hit: say so where it happened and on the top-level message."""
        defects.append(defect)
        if defect not in self.limit_defects:
            self.limit_defects.append(defect)

    def take_part(self, defects: list[str]) -> bool:
        if self.parts >= self.max_parts:
            self.limit(f"more than {self.max_parts} MIME parts; the rest were skipped", defects)
            return False
        self.parts += 1
        return True

    def too_deep(self, defects: list[str]) -> None:
        self.limit(f"MIME parts nested deeper than {self.max_depth} levels were skipped", defects)


# --- header sections ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entity:
    """A MIME entity: its header fields (lower-case name, raw unfolded value) and where its body lies."""

    fields: list[tuple[str, bytes]]
    buf: bytes
    body_start: int
    end: int

    def raw(self, name: str) -> bytes | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def get(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else _header_text(value)

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def body(self) -> bytes:
        return self.buf[self.body_start : self.end]


_FIELD_NAME = re.compile(rb"([!-9;-~]+)[ \t]*:")
_LEADING_BLANK_LINES = re.compile(rb"(?:\r?\n)+")
_BLANK_LINE = re.compile(rb"\n\r?\n")


def _read_entity(
    buf: bytes, start: int, end: int, defects: list[str], budget: _Budget, *, skip_leading: bool
) -> _Entity:
    """Split the header section from the body, reading at most MAX_HEADER_LINES lines (and what is
    left of the budget's MAX_TOTAL_HEADER_LINES); a longer section is skipped to its blank line."""
    max_lines = min(MAX_HEADER_LINES, MAX_TOTAL_HEADER_LINES - budget.header_lines)
    pos = start
    if skip_leading:
        blank = _LEADING_BLANK_LINES.match(buf, pos, end)
        if blank:
            pos = blank.end()
        if buf.startswith(b"From ", pos, end):  # an mbox separator line
            newline = buf.find(b"\n", pos, end)
            pos = end if newline < 0 else newline + 1
    fields: list[tuple[str, bytearray]] = []
    current: bytearray | None = None
    body_start = end
    lines = 0
    while pos < end:
        lines += 1
        if lines > max_lines or len(fields) > MAX_HEADER_FIELDS:
            budget.limit("a header section is too long; the rest of it was skipped", defects)
            blank_line = _BLANK_LINE.search(buf, max(start, pos - 1), end)
            body_start = end if blank_line is None else blank_line.end()
            break
        newline = buf.find(b"\n", pos, end)
        next_pos = end if newline < 0 else newline + 1
        line_end = end if newline < 0 else newline
        if line_end > pos and buf[line_end - 1] == 0x0D:
            line_end -= 1
        if line_end == pos:
            body_start = next_pos
            break
        if buf[pos] in (0x20, 0x09):
            if current is None:
                defects.append("the header section starts with a folded line")
            elif len(current) < MAX_HEADER_VALUE:
                current += buf[pos : min(line_end, pos + MAX_HEADER_VALUE - len(current))]
            pos = next_pos
            continue
        name = _FIELD_NAME.match(buf, pos, line_end)
        if name is None:
            defects.append("a line in the header section is not a header field; the body starts there")
            body_start = pos
            break
        current = bytearray(buf[name.end() : min(line_end, name.end() + MAX_HEADER_VALUE)])
        fields.append((name.group(1).decode("ascii").lower(), current))
        pos = next_pos
    budget.header_lines += lines
    return _Entity([(key, bytes(value)) for key, value in fields], buf, body_start, end)


def _header_text(value: bytes) -> str:
    """Raw header bytes as text: ASCII, else UTF-8 (RFC 6532), else Latin-1; never raises."""
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
    return text.replace("\r", "").replace("\n", "").strip()


# --- text clean-up ------------------------------------------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _valid_unicode(value: str) -> str:
    """No lone surrogates (UTF-7 and codec escapes make them): pairs are joined, the rest replaced."""
    if _SURROGATES.search(value) is None:
        return value
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _one_line(value: str) -> str:
    """Inert one-line text: no control or bidi-override characters, CR/LF and runs of space as one space."""
    value = _BIDI_CONTROLS.sub("", _valid_unicode(value))
    return " ".join(_LINE_CONTROLS.sub(" ", value).split())


def _body_text(value: str) -> str:
    value = _valid_unicode(value).replace("\r\n", "\n").replace("\r", "\n")
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


def _decode_text(data: bytes, charset: str | None, defects: list[str]) -> str:
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
            return _valid_unicode(text.removeprefix("\ufeff"))
    label = (charset or "us-ascii")[:40]
    for codec in [*candidates, "utf-8"]:
        try:
            text = data.decode(codec)
        except Exception:  # noqa: S112 - a codec may raise anything on hostile bytes; try the next
            continue
        if codec == "utf-8" and candidates and candidates[0] != "utf-8":
            defects.append(f"text is not valid {label}; decoded as UTF-8")
        return _valid_unicode(text.removeprefix("\ufeff"))
    declared = f"{label} nor UTF-8" if candidates and candidates[0] != "utf-8" else "UTF-8"
    defects.append(f"text is not valid {declared}; decoded as Windows-1252")
    return _valid_unicode(data.decode("cp1252", errors="replace"))


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([QqBb])\?([^?\s]*)\?=")


def _decode_words(value: str) -> str:
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
            out.append(_decode_text(bytes(pending), pending_charset, sink))
        pending, pending_charset = bytearray(), None

    for word in _ENCODED_WORD.finditer(value):
        between = value[pos : word.start()]
        if between and not (last_was_word and between.isspace()):
            flush()
            out.append(between)
        charset = word.group(1).split("*", 1)[0].lower()  # RFC 2231 adds "*language"
        payload = word.group(3).encode("ascii", errors="ignore")
        data = _base64_lenient(payload) if word.group(2) in "Bb" else binascii.a2b_qp(payload, header=True)
        if pending_charset is not None and charset != pending_charset:
            flush()
        pending += data
        pending_charset = charset
        last_was_word = True
        pos = word.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def _suspicious(decoded: str) -> bool:
    return "\ufffd" in decoded or _SURROGATES.search(decoded) is not None


def _header_factory(name: str, value: str) -> Any:
    return policy.default.header_factory(name, value)


#: What policy.default reads from address and Content-Type/-Disposition values up to this length is
#: kept per process (least recently used out): mail repeats the mailbox's own address, a customer's
#: and the usual content types over and over. Only the results are kept, not the parse trees.
MAX_CACHED_HEADER: Final = 512
CACHED_HEADERS: Final = 2048


@functools.lru_cache(maxsize=CACHED_HEADERS)
def _address_pairs_cached(name: str, value: str) -> tuple[tuple[str, str], ...]:
    # An exception is not cached: a value the parser rejects raises again each time, as uncached.
    return tuple((str(a.display_name), str(a.addr_spec)) for a in _header_factory(name, value).addresses)


def _address_pairs(name: str, value: str) -> list[tuple[str, str]]:
    """(display name, addr-spec) of each address, as policy.default reads them."""
    if len(value) <= MAX_CACHED_HEADER:
        return list(_address_pairs_cached(name, value))
    return [(str(a.display_name), str(a.addr_spec)) for a in _header_factory(name, value).addresses]


@functools.lru_cache(maxsize=CACHED_HEADERS)
def _parameters_cached(name: str, value: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    header = _header_factory(name, value)
    main = header.content_type if name == "content-type" else header.content_disposition
    params = tuple((str(k).lower(), _valid_unicode(str(v))) for k, v in header.params.items())
    return (str(main).lower() if main else None), params


def _parameters(name: str, value: str) -> tuple[str | None, dict[str, str]]:
    """(lower-case main value, parameters) of Content-Type/-Disposition, as policy.default reads them."""
    main, params = (
        _parameters_cached(name, value)
        if len(value) <= MAX_CACHED_HEADER
        else _parameters_cached.__wrapped__(name, value)
    )
    return main, dict(params)


def _unstructured(value: str | None, name: str, defects: list[str]) -> str:
    """An unstructured header (Subject): policy.default, else the lenient encoded-word decoder."""
    if value is None:
        return ""
    if "=?" not in value:  # no encoded word: policy.default gives the value back unchanged
        return _one_line(value)
    decoded: str | None
    try:
        decoded = str(_header_factory(name, value))
    except Exception:  # stdlib's header parser raises assorted errors on broken input
        defects.append(f"the {name} header could not be parsed; decoded leniently")
        decoded = None
    if decoded is None or (_suspicious(decoded) and "=?" in value):
        decoded = _decode_words(value)
    return _one_line(decoded)


# --- addresses, ids, dates ----------------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?:[^\s\x00-\x1f\x7f<>()\[\]\\,;:\"@]+|\[[^\]\s]+\])$")


def _address(name: str, addr_spec: str) -> Address | None:
    addr_spec = addr_spec.strip().strip("<>").strip()
    local, at, domain = addr_spec.rpartition("@")
    if not at or not local or not domain or len(addr_spec) > 254 or _suspicious(addr_spec):
        return None
    if domain.startswith(".") or domain.endswith(".") or not _DOMAIN.match(domain):
        return None
    if _LINE_CONTROLS.search(local) or (any(c.isspace() for c in local) and not local.startswith('"')):
        return None
    return Address(name=_one_line(name)[:256], email=f"{local}@{domain.lower()}")


def _addresses(value: str | None, name: str, defects: list[str]) -> list[Address]:
    """An address-list header: policy.default, else the compat32 parser with lenient name decoding."""
    if value is None or not value.strip():
        return []
    if len(value) > MAX_STRUCTURED_VALUE:
        defects.append(f"the {name} header is too long; only its start was read")
        value = value[:MAX_STRUCTURED_VALUE]
    pairs: list[tuple[str, str]] | None = None
    try:
        pairs = _address_pairs(name, value)
    except Exception:  # stdlib's header parser raises assorted errors on broken input
        defects.append(f"the {name} header could not be parsed; read leniently")
    if pairs is None or any(_suspicious(n) for n, _ in pairs) or not any(_address(*p) for p in pairs):
        try:
            pairs = [(_decode_words(n), a) for n, a in getaddresses([value])]
        except Exception:  # the compat32 parser is older but not infallible
            pairs = pairs or []
    found = [address for address in (_address(*pair) for pair in pairs) if address is not None]
    if not found and "@" in value:
        defects.append(f"no usable address in the {name} header")
    return found


_MESSAGE_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,900})>")
_BARE_ID = re.compile(r"[^<>\s\x00-\x1f\x7f\"(),;]{1,900}@[^<>\s\x00-\x1f\x7f\"(),;]{1,900}")


def _message_ids(value: str | None) -> list[str]:
    """Every "<id>" in the value; ids written without angle brackets are wrapped."""
    if not value:
        return []
    found = [f"<{token}>" for token in _MESSAGE_ID.findall(value)]
    if found:
        return found
    return [f"<{token.strip('<>')}>" for token in _BARE_ID.findall(value)]


def _message_id(value: str | None) -> str | None:
    found = _message_ids(value)
    return found[0] if found else None


def _date(value: str | None, defects: list[str]) -> datetime | None:
    if value is None:
        defects.append("no Date header")
        return None
    if len(value) > MAX_DATE_LENGTH:
        defects.append("the Date header is too long; ignored")
        return None
    moment: datetime | None = None
    # What policy.default's DateHeader reads (its `.datetime`), without building the header object.
    with contextlib.suppress(Exception):  # reported below as an unreadable Date
        moment = parsedate_to_datetime(value)
    if not isinstance(moment, datetime):
        defects.append("the Date header cannot be read; ignored")
        return None
    if moment.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 says read it as UTC
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        defects.append("the Date header is out of range; ignored")
        return None


# --- Content-Type and Content-Disposition -------------------------------------------------------------------


def _parameterised(entity: _Entity, name: str, defects: list[str]) -> tuple[str | None, dict[str, str]]:
    """(lower-case main value, parameters) of Content-Type/-Disposition; RFC 2231 values decoded."""
    value = entity.get(name)
    if value is None:
        return None, {}
    if len(value) > MAX_STRUCTURED_VALUE:
        value = value[:MAX_STRUCTURED_VALUE]
    try:
        return _parameters(name, value)
    except Exception:  # fall back to the compat32 parser, which splits on ';' and never validates
        defects.append(f"the {name} header could not be parsed; read leniently")
    try:
        message = Message()
        message[name] = value
        items = message.get_params(header=name) or []
        main_value = items[0][0].lower() if items else None
        params = {}
        for key, raw_value in items[1:]:
            params[key.lower()] = _valid_unicode(str(collapse_rfc2231_value(raw_value, errors="replace")))
        if name == "content-type":
            main_value = message.get_content_type()
        return main_value, params
    except Exception:  # nothing readable: the defaults apply
        return None, {}


def _content_type(entity: _Entity, default: str, defects: list[str]) -> tuple[str, dict[str, str]]:
    value, params = _parameterised(entity, "content-type", defects)
    if not value or "/" not in value:
        return default, params
    return value, params


def _content_id(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = "".join(_one_line(value).split()).strip("<>")
    return cleaned[:500] or None


# --- transfer encodings -------------------------------------------------------------------------------------

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_BASE64 = bytes(b for b in range(256) if b not in _BASE64_ALPHABET)


def _base64_lenient(data: bytes) -> bytes:
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


def _transfer_decoded(data: bytes, encoding: str | None, defects: list[str]) -> bytes:
    encoding = (encoding or "").strip().lower()
    if encoding == "base64":
        return _base64_lenient(data)
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    if encoding and encoding not in ("7bit", "8bit", "binary"):
        defects.append(f"unknown Content-Transfer-Encoding {encoding[:40]!r}; kept as is")
    return data


def _decoded_size(data: bytes, encoding: str | None) -> int:
    if (encoding or "").strip().lower() == "base64":
        return len(data.translate(None, _NOT_BASE64)) * 3 // 4
    return len(data)  # quoted-printable only shrinks


# --- the MIME tree ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    name: str | None
    content_type: str
    data: bytes
    content_id: str | None
    is_inline: bool
    is_oversize: bool


@dataclass(slots=True)
class _Found:
    """What a walk over part of the MIME tree found."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)
    forwarded: list[ParsedEmail] = field(default_factory=list)
    is_delivery_report: bool = False
    delivery_status: str | None = None
    report_message_id: str | None = None  # Original-Message-ID in the delivery-status part
    returned_message_id: str | None = None  # Message-ID of the returned message or its headers

    def take_all_but_bodies(self, other: _Found) -> None:
        self.parts += other.parts
        self.forwarded += other.forwarded
        self.is_delivery_report = self.is_delivery_report or other.is_delivery_report
        self.delivery_status = self.delivery_status or other.delivery_status
        self.report_message_id = self.report_message_id or other.report_message_id
        self.returned_message_id = self.returned_message_id or other.returned_message_id


def _delimiters(buf: bytes, start: int, end: int, boundary: bytes) -> Iterator[tuple[int, bool, int]]:
    """(line start, is the close delimiter, end of the line) of each "--boundary" line in buf[start:end]."""
    line = re.escape(b"--" + boundary) + rb"(--)?[ \t]*(?:\r?\n|\Z)"
    if start > 0 and buf[start - 1] == 0x0A:
        scan_from = start - 1
    else:
        scan_from = start
        first = re.compile(line).match(buf, start, end)
        if first:
            yield first.start(), bool(first.group(1)), first.end()
    for found in re.compile(b"\n" + line).finditer(buf, scan_from, end):
        yield found.start() + 1, bool(found.group(1)), found.end()


def _split_multipart(
    entity: _Entity, boundary: bytes, budget: _Budget, defects: list[str]
) -> list[tuple[int, int]] | None:
    """(start, end) of each body part between the boundary delimiters; preamble and epilogue dropped.

    None when the body has no delimiter at all (then it is read as plain text)."""
    buf, start, end = entity.buf, entity.body_start, entity.end
    parts: list[tuple[int, int]] = []
    part_start: int | None = None
    closed = False
    for line_start, is_close, line_end in _delimiters(buf, start, end, boundary):
        if part_start is not None:
            # The line break before a delimiter belongs to the delimiter.
            part_end = line_start - 1
            if part_end > part_start and buf[part_end - 1] == 0x0D:
                part_end -= 1
            if not budget.take_part(defects):
                return parts
            parts.append((part_start, max(part_start, part_end)))
        if is_close:
            closed = True
            break
        part_start = line_end
    if part_start is None:
        defects.append("a multipart has no boundary delimiter; read as plain text")
        return None
    if not closed:
        defects.append("a multipart is not closed; its last part runs to the end")
        if budget.take_part(defects):
            parts.append((part_start, end))
    return parts


def unflow(text: str, *, delsp: bool = False) -> str:
    """Text sent as `format=flowed` (RFC 3676) with its soft line breaks joined.

    A line ending in a space continues on the next line of the same quote depth; with `delsp` that
    space was added by the sender and is dropped. Space-stuffing is undone, quote marks are written
    back as "> " per level, and the signature separator "-- " always ends a paragraph.
    """
    out: list[str] = []
    paragraph: list[str] = []
    depth_of_paragraph = 0

    def flush() -> None:
        if paragraph:
            prefix = ">" * depth_of_paragraph + (" " if depth_of_paragraph else "")
            out.append(prefix + "".join(paragraph))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        depth = len(raw) - len(raw.lstrip(">"))
        line = raw[depth:]
        if line.startswith(" "):
            line = line[1:]  # space-stuffing, or the space after quote marks
        if paragraph and (depth != depth_of_paragraph or line == "-- "):
            flush()  # a quote depth change or a signature ends a paragraph
        depth_of_paragraph = depth
        is_flowed = line.endswith(" ") and line != "-- "
        if is_flowed:
            paragraph.append(line[:-1] if delsp else line)
        else:
            paragraph.append(line)
            flush()
    flush()
    return "\n".join(out)


def _walk(
    entity: _Entity,
    depth: int,
    found: _Found,
    budget: _Budget,
    defects: list[str],
    *,
    default_type: str = "text/plain",
    as_resource: bool = False,
    in_report: bool = False,
) -> None:
    content_type, params = _content_type(entity, default_type, defects)
    maintype, _, subtype = content_type.partition("/")
    if maintype == "multipart":
        boundary = params.get("boundary", "").rstrip()
        if not boundary or len(boundary) > MAX_BOUNDARY_LENGTH or not boundary.isascii():
            defects.append(f"{content_type[:60]} without a usable boundary; read as plain text")
            content_type, maintype, subtype = "text/plain", "text", "plain"
        elif depth >= budget.max_depth:
            budget.too_deep(defects)
            return
        else:
            spans = _split_multipart(entity, boundary.encode("ascii"), budget, defects)
            if spans is not None:
                children = [
                    _read_entity(entity.buf, s, e, defects, budget, skip_leading=False) for s, e in spans
                ]
                _walk_multipart(subtype, params, children, depth, found, budget, defects, as_resource)
                return
            content_type, maintype, subtype = "text/plain", "text", "plain"

    if content_type in ("message/rfc822", "message/global"):
        _walk_message(entity, depth, found, budget, defects, in_report=in_report)
        return
    if content_type in ("message/delivery-status", "message/global-delivery-status"):
        found.is_delivery_report = True
        _read_delivery_status(entity, found, budget, defects)
        return
    if content_type in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
        headers = _read_entity(
            entity.body(), 0, entity.end - entity.body_start, [], budget, skip_leading=True
        )
        found.returned_message_id = found.returned_message_id or _message_id(headers.get("message-id"))
        return
    if content_type == "message/disposition-notification":
        return  # a read receipt's machine part says nothing an agent needs

    disposition, disposition_params = _parameterised(entity, "content-disposition", defects)
    filename = disposition_params.get("filename") or params.get("name")
    encoding = entity.get("content-transfer-encoding")
    is_body = (
        not as_resource
        and content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not filename
    )
    if is_body:
        data = _transfer_decoded(entity.body(), encoding, defects)
        text = _decode_text(data, params.get("charset"), defects)
        if subtype == "plain" and params.get("format", "").lower() == "flowed":
            text = unflow(text, delsp=params.get("delsp", "").lower() == "yes")
        (found.htmls if subtype == "html" else found.texts).append(text)
        return
    content_id = _content_id(entity.get("content-id"))
    raw = entity.body()
    is_oversize = _decoded_size(raw, encoding) > budget.max_attachment_bytes
    data = b"" if is_oversize else _transfer_decoded(raw, encoding, defects)
    if len(data) > budget.max_attachment_bytes:
        data, is_oversize = b"", True
    if is_oversize:
        defects.append(
            f"an attachment is larger than {budget.max_attachment_bytes} bytes; its data was dropped"
        )
    is_inline = disposition == "inline" or (disposition is None and (content_id is not None or as_resource))
    found.parts.append(_Part(filename, content_type, data, content_id, is_inline, is_oversize))


def _walk_multipart(
    subtype: str,
    params: dict[str, str],
    children: list[_Entity],
    depth: int,
    found: _Found,
    budget: _Budget,
    defects: list[str],
    as_resource: bool,
) -> None:
    child_default = "message/rfc822" if subtype == "digest" else "text/plain"
    if subtype == "alternative":
        # The last part that has a text (an HTML) body is the preferred one (RFC 2046 5.1.4).
        results: list[_Found] = []
        for child in children:
            result = _Found()
            _walk(child, depth + 1, result, budget, defects, as_resource=as_resource)
            results.append(result)
        texts = [r.texts for r in results if any(t.strip() for t in r.texts)]
        htmls = [r.htmls for r in results if any(h.strip() for h in r.htmls)]
        found.texts += texts[-1] if texts else []
        found.htmls += htmls[-1] if htmls else []
        for result in results:
            found.take_all_but_bodies(result)
        return
    if subtype == "related":
        start = _content_id(params.get("start"))
        root = next(
            (k for k, c in enumerate(children) if start and _content_id(c.get("content-id")) == start), 0
        )
        for k, child in enumerate(children):
            _walk(child, depth + 1, found, budget, defects, as_resource=as_resource or k != root)
        return
    is_delivery_report = subtype == "report" and params.get("report-type", "").lower() == "delivery-status"
    if is_delivery_report:
        found.is_delivery_report = True
    for k, child in enumerate(children):
        _walk(
            child,
            depth + 1,
            found,
            budget,
            defects,
            default_type=child_default,
            as_resource=as_resource,
            in_report=is_delivery_report and k > 0,
        )


def _walk_message(
    entity: _Entity, depth: int, found: _Found, budget: _Budget, defects: list[str], *, in_report: bool
) -> None:
    encoding = (entity.get("content-transfer-encoding") or "").strip().lower()
    if encoding in ("base64", "quoted-printable"):
        buf = _transfer_decoded(entity.body(), encoding, defects)
        start, end = 0, len(buf)
    else:
        buf, start, end = entity.buf, entity.body_start, entity.end
    if in_report:  # the returned message of a delivery report: only its Message-ID matters
        headers = _read_entity(buf, start, end, [], budget, skip_leading=True)
        found.returned_message_id = found.returned_message_id or _message_id(headers.get("message-id"))
        return
    if depth >= budget.max_depth:
        budget.too_deep(defects)
        return
    if budget.take_part(defects):
        found.forwarded.append(_parse_message(buf, start, end, depth + 1, budget, top=False))


_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def _read_delivery_status(entity: _Entity, found: _Found, budget: _Budget, defects: list[str]) -> None:
    """RFC 3464 fields: per-message, then one group per recipient, separated by blank lines."""
    data = _transfer_decoded(entity.body(), entity.get("content-transfer-encoding"), defects)
    pos, groups = 0, list[dict[str, str]]()
    while pos < len(data) and len(groups) < 100:
        group = _read_entity(data, pos, len(data), [], budget, skip_leading=True)
        groups.append({name: _header_text(value) for name, value in reversed(group.fields)})
        if group.body_start <= pos:
            break
        pos = group.body_start
    statuses: list[tuple[str, str]] = []
    for fields in groups:
        original = fields.get("original-message-id") or fields.get("x-original-message-id")
        found.report_message_id = found.report_message_id or _message_id(original)
        status_match = _STATUS_CODE.search(fields.get("status", ""))
        action = _one_line(fields.get("action", "")).lower()[:40]
        if status_match or action:
            statuses.append((status_match.group(0) if status_match else "", action))
    if statuses:
        status, action = next((s for s in statuses if s[1] == "failed"), statuses[0])
        described = f"{status} ({action})" if status and action else status or action
        found.delivery_status = found.delivery_status or described


# --- one message --------------------------------------------------------------------------------------------

_DAEMONS: Final = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery failure|delivery has failed|failure notice|"
    r"returned mail|mail delivery failed|could not be delivered|退信|未能送达|无法投递",
    re.IGNORECASE,
)
_QUOTED_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]{1,900}>)", re.IGNORECASE | re.MULTILINE)


def _parse_message(
    buf: bytes, start: int, end: int, depth: int, budget: _Budget, *, top: bool
) -> ParsedEmail:
    defects: list[str] = []
    entity = _read_entity(buf, start, end, defects, budget, skip_leading=True)
    if not entity.fields:
        if top:
            raise UnparseableEmail("no header field before the body: not an email", reason="no_headers")
        defects.append("the attached message has no header fields")
    eight_bit = sorted({name for name, value in entity.fields if not value.isascii()})
    if eight_bit:
        defects.append(f"raw 8-bit bytes in header fields: {', '.join(eight_bit[:10])}")
    found = _Found()
    _walk(entity, depth, found, budget, defects)

    senders = _addresses(entity.get("from"), "from", defects)
    if not entity.has("from"):
        defects.append("no From header")
    subject = _unstructured(entity.get("subject"), "subject", defects)
    headers = {
        name: _one_line(value)[:998] for name in USEFUL_HEADERS if (value := entity.get(name)) is not None
    }
    message_id = _message_id(entity.get("message-id"))
    if message_id is None:
        defects.append("no usable Message-ID")

    text = "\n".join(found.texts)
    html = "\n".join(found.htmls)
    if len(text) > budget.max_body_chars or len(html) > budget.max_body_chars:
        budget.limit(f"the body is longer than {budget.max_body_chars} characters; the rest was cut", defects)
        text, html = text[: budget.max_body_chars], html[: budget.max_body_chars]
    html = _sanitise_html(html) if html.strip() else ""
    text = _body_text(text) if text.strip() else _body_text(_html_to_text(html))

    is_bounce = (
        found.is_delivery_report
        or "x-failed-recipients" in headers
        or bool(
            senders
            and senders[0].email.rpartition("@")[0].lower() in _DAEMONS
            and _BOUNCE_SUBJECT.search(subject)
        )
    )
    original_id = found.report_message_id or found.returned_message_id
    if is_bounce and original_id is None:
        if found.forwarded:
            original_id = found.forwarded[0].message_id
        elif quoted := _QUOTED_MESSAGE_ID.search(text):
            original_id = quoted.group(1)

    attachments = [
        Attachment(
            filename=_safe_filename(part.name, number, part.content_type),
            content_type=part.content_type,
            data=part.data,
            content_id=part.content_id,
            is_inline=part.is_inline,
            is_oversize=part.is_oversize,
        )
        for number, part in enumerate(found.parts, start=1)
    ]
    if top:
        defects += budget.limit_defects
    return ParsedEmail(
        message_id=message_id,
        in_reply_to=_message_ids(entity.get("in-reply-to"))[:10],
        references=_message_ids(entity.get("references"))[-MAX_REFERENCES:],
        from_=senders[0] if senders else None,
        reply_to=_addresses(entity.get("reply-to"), "reply-to", defects),
        to=_addresses(entity.get("to"), "to", defects),
        cc=_addresses(entity.get("cc"), "cc", defects),
        subject=subject,
        date=_date(entity.get("date"), defects),
        text=text,
        html=html,
        visible_text=_visible_text(text),
        attachments=attachments,
        forwarded=found.forwarded,
        headers=headers,
        is_bounce=is_bounce,
        bounce_original_message_id=original_id,
        bounce_status=found.delivery_status,
        defects=_unique(defects)[:MAX_DEFECTS],
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(_valid_unicode(item) for item in items))


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


def _safe_filename(raw: str | None, number: int, content_type: str) -> str:
    """A name safe to show and to store under: one path component, no control or bidi characters."""
    name = raw or ""
    if "=?" in name:
        name = _decode_words(name)
    name = _FILENAME_JUNK.sub("", unicodedata.normalize("NFC", _valid_unicode(name)))
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


# --- HTML ---------------------------------------------------------------------------------------------------

_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "bdi", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    }
)  # fmt: skip
_CLEAN_CONTENT_TAGS: Final = frozenset({"script", "style", "title", "template", "noscript", "xml", "head"})
_ATTRIBUTES: Final = {
    "*": {"align", "valign", "dir", "lang", "title", "style", "width", "height", "bgcolor"},
    "a": {"href", "name"},
    "img": {"src", "alt", "border"},
    "font": {"color", "face", "size"},
    "table": {"border", "cellpadding", "cellspacing", "summary"},
    "td": {"colspan", "rowspan", "nowrap"},
    "th": {"colspan", "rowspan", "nowrap", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value"},
}
_STYLE_PROPERTIES: Final = frozenset(
    {
        "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
        "text-align", "text-decoration", "text-indent", "text-transform", "vertical-align", "line-height",
        "letter-spacing", "white-space", "width", "height", "max-width", "min-width", "margin",
        "margin-top", "margin-right", "margin-bottom", "margin-left", "padding", "padding-top",
        "padding-right", "padding-bottom", "padding-left", "border", "border-top", "border-right",
        "border-bottom", "border-left", "border-color", "border-style", "border-width",
        "border-collapse", "border-spacing", "border-radius", "display", "list-style-type",
    }
)  # fmt: skip
_URL_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel", "cid", "data"})
_LINK_SCHEME = re.compile(r"^\s*(?:https?|mailto|tel):", re.IGNORECASE)
_EMBEDDED_IMAGE = re.compile(r"^\s*(?:cid:|data:image/(?:png|gif|jpe?g|webp|bmp);)", re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":  # absolute web, mail and phone links only: no data:, cid: or relative paths
        return value if _LINK_SCHEME.match(value) else None
    if tag == "img" and attribute == "src":
        lowered = value.strip().lower()
        if lowered.startswith("data:") and not _EMBEDDED_IMAGE.match(lowered):
            return None
    return value


# nh3 serialises every attribute as name="value" with '"' escaped, so this tokenises its <img> tags exactly.
_IMG_TAG = re.compile(r"<img((?:\s+[^\s\"'>/=]+(?:=\"[^\"]*\")?)*)\s*/?>")
_TAG_ATTRIBUTE = re.compile(r"\s+([^\s\"'>/=]+)(?:=\"([^\"]*)\")?")


def _neutralise_image(tag: re.Match[str]) -> str:
    out = ["<img"]
    for attribute in _TAG_ATTRIBUTE.finditer(tag.group(1)):
        name, value = attribute.group(1), attribute.group(2)
        if name == "src" and value is not None and not _EMBEDDED_IMAGE.match(value):
            name = "data-remote-src"  # the desk loads it only when an agent asks
        out.append(f' {name}="{value}"' if value is not None else f" {name}")
    return "".join(out) + ">"


def _sanitise_html(html: str) -> str:
    """No scripts, styles, event handlers or javascript: URLs; remote images do not load by themselves."""
    cleaned = nh3.clean(
        _valid_unicode(html),
        tags=set(_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(_URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties=set(_STYLE_PROPERTIES),
    )
    return _IMG_TAG.sub(_neutralise_image, cleaned)


_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:]*)([^>]*)>|([^<]+)")
_ALT = re.compile(r'\salt="([^"]*)"')
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_TEXT_BLOCKS: Final = frozenset(
    {
        "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "dt",
        "dd", "pre", "hr", "center", "caption", "blockquote",
    }
)  # fmt: skip


class _HtmlText:
    """Readable text from sanitised HTML: blocks on their own lines, blockquotes as "> " lines.

    nh3's output escapes every '<' and '>' that is not markup, so a regular expression tokenises it
    exactly (and several times faster than html.parser).
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.pre_depth = 0

    def text(self, html: str) -> str:
        for token in _HTML_TOKEN.finditer(html):
            closing, tag, attributes, data = token.groups()
            if data is not None:
                self._data(unescape(data))
            elif closing:
                self._end(tag.lower())
            else:
                self._start(tag.lower(), attributes)
        self._break(hard=False)
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines))

    def _break(self, *, hard: bool) -> None:
        line = "".join(self.current).strip()
        self.current = []
        if line or hard:
            self.lines.append(("> " * self.quote_depth + line).rstrip())

    def _start(self, tag: str, attributes: str) -> None:
        if tag == "br":
            self._break(hard=True)
        elif tag in _TEXT_BLOCKS:
            self._break(hard=False)
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "img" and (alt := _ALT.search(attributes)) and alt.group(1).strip():
            self.current.append(f"[{unescape(alt.group(1))}]")

    def _end(self, tag: str) -> None:
        if tag in _TEXT_BLOCKS:
            self._break(hard=False)
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def _data(self, data: str) -> None:
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self._break(hard=True)
                self.current.append(line)
        else:
            self.current.append(_HTML_SPACE.sub(" ", data))


def _html_to_text(html: str) -> str:
    """Text of sanitised HTML (the output of _sanitise_html)."""
    return _HtmlText().text(html) if html else ""


# --- quoted history and signatures --------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\b.{0,400}\bwrote\s?:"  # English: Gmail, Apple Mail, Thunderbird
    r"|Noong\b.{0,400}\b(?:sumulat|sinulat|isinulat)\b.{0,400}:"  # Tagalog: "Noong ..., isinulat ni ...:"
    r"|Le\b.{0,400}\ba écrit\s?:"
    r"|Am\b.{0,400}\bschrieb\b.{0,200}:"
    r"|El\b.{0,400}\bescribió\s?:"
    r"|.{0,400}(?:写道|寫道)\s*[:：]"  # Chinese: "Maria <...> 于2025年1月6日周一 上午10:00写道："
    r"|.{0,400}書きました\s*[:：]"
    r")\s*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Original message|Mensaje original|Message d'origine|"
    r"Ursprüngliche Nachricht|Orihinal na mensahe|原始邮件|原始郵件|原始信件)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(
    r"^\s*\*?\s*(?:From|发件人|寄件者|寄件人|Von|De|Mula kay|Mula)\s*\*?\s*[:：]", re.IGNORECASE
)
_HEADER_SENT = re.compile(
    r"^\s*\*?\s*(?:Sent|Date|发送时间|發送時間|日期|时间|時間|寄件日期|Gesendet|Envoyé|Enviado|Ipinadala|Petsa)"
    r"\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:|-{2,}\s*转发的邮件\s*-{2,}|"
    r"-{2,}\s*Forwarded by .*)\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from my .{1,60}|Sent from (?:Mail|Yahoo Mail|Outlook) for .{1,40}|Get Outlook for .{1,40}|"
    r"Ipinadala mula sa aking .{1,60}|发自我的.{1,30}|从我的.{1,30}发送|寄自我的.{1,30})\s*$",
    re.IGNORECASE,
)


def _attribution_lines(lines: list[str], index: int) -> int:
    """How many lines (0, 1 or 2: Gmail wraps long ones) an "On ... wrote:" attribution takes here."""
    line = lines[index]
    if len(line) > 800:
        return 0
    if _ATTRIBUTION.match(line):
        return 1
    if (
        index + 1 < len(lines)
        and len(lines[index + 1]) <= 400
        and _ATTRIBUTION.match(f"{line} {lines[index + 1]}")
    ):
        return 2
    return 0


def _starts_history(lines: list[str], index: int) -> bool:
    """Outlook's and Chinese clients' quoted-message headers: everything from here on is history."""
    line = lines[index]
    if len(line) > 400:
        return False
    if _ORIGINAL_MESSAGE.match(line):
        return True
    following = lines[index + 1 : index + 4]
    if _UNDERSCORES.match(line):
        return any(_HEADER_FROM.match(f) for f in following[:2])
    return bool(_HEADER_FROM.match(line)) and any(_HEADER_SENT.match(f) for f in following)


def _visible_text(text: str) -> str:
    """The text the writer added: quoted history and the signature folded away.

    Rules, in order, line by line: a signature separator ("-- ") or an Outlook/Chinese quoted-message
    header ends the new text; a forwarding marker keeps everything after it (a forward is content); an
    attribution ("On ... wrote:") is dropped, and if the next non-blank line is not quoted, it starts
    unmarked history that is dropped to the end; lines starting with ">" are dropped (so inline
    answers between quotes stay). A trailing "Sent from my iPhone" goes too.
    """
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.rstrip() == "--" or line == "-- ":
            break
        if _FORWARD_MARKER.match(line):
            kept += lines[index:]
            break
        if _starts_history(lines, index):
            break
        span = _attribution_lines(lines, index)
        if span:
            following = index + span
            while following < len(lines) and not lines[following].strip():
                following += 1
            if following < len(lines) and not lines[following].lstrip().startswith(">"):
                break
            index = following
            continue
        if not line.lstrip().startswith(">"):
            kept.append(line)
        index += 1
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _MOBILE_SIGNATURE.match(kept[-1]):
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
