"""Header sections of a MIME entity, and what mail needs from them: addresses, ids, dates, parameters."""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses, parsedate_to_datetime
from typing import Any, Final

from frontline.connectors.email.charsets import (
    LINE_CONTROLS,
    UndeclaredCharset,
    decode_words,
    has_encoded_word,
    is_suspicious,
    one_line,
    valid_unicode,
)
from frontline.connectors.email.limits import (
    MAX_DATE_LENGTH,
    MAX_HEADER_FIELDS,
    MAX_HEADER_LINES,
    MAX_HEADER_VALUE,
    MAX_STRUCTURED_VALUE,
    MAX_TOTAL_HEADER_LINES,
    Budget,
)


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: the display name as inert text, the address with its domain lower-cased."""

    name: str
    email: str


# --- header sections ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Entity:
    """A MIME entity: its header fields (lower-case name, raw unfolded value) and where its body lies."""

    fields: list[tuple[str, bytes]]
    buf: bytes
    body_start: int
    end: int
    #: how raw 8-bit bytes that are not UTF-8 are read (the message's charset); Latin-1 when None
    undeclared: UndeclaredCharset | None = None

    def raw(self, name: str) -> bytes | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def get(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else header_text(value, self.undeclared)

    def get_all(self, name: str) -> list[str]:
        return [header_text(value, self.undeclared) for key, value in self.fields if key == name]

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def body(self) -> bytes:
        return self.buf[self.body_start : self.end]


_FIELD_NAME = re.compile(rb"([!-9;-~]+)[ \t]*:")
_LEADING_BLANK_LINES = re.compile(rb"(?:\r?\n)+")
_BLANK_LINE = re.compile(rb"\n\r?\n")
#: Header fields that only a header section has: a line that is not a field, followed by one of
#: these before the blank line, was a mistake of the writer (a folded line left unindented, a stray
#: line in front), not the start of the body.
_HEADER_NAMES: Final = frozenset(
    {
        b"from", b"to", b"cc", b"bcc", b"subject", b"date", b"message-id", b"mime-version", b"sender",
        b"reply-to", b"in-reply-to", b"references", b"return-path", b"received", b"delivered-to",
        b"content-type", b"content-transfer-encoding", b"content-disposition", b"user-agent",
        b"dkim-signature", b"authentication-results", b"thread-topic", b"thread-index", b"importance",
        b"list-id", b"precedence", b"auto-submitted", b"organization",
    }
)  # fmt: skip
#: How many lines after a stray line are looked at for a header field.
_LOOKAHEAD_LINES: Final = 5


def _line_at(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """(end of the line's text without CR/LF, start of the next line) of the line starting at `pos`."""
    newline = buf.find(b"\n", pos, end)
    next_pos = end if newline < 0 else newline + 1
    line_end = end if newline < 0 else newline
    if line_end > pos and buf[line_end - 1] == 0x0D:
        line_end -= 1
    return line_end, next_pos


def _header_follows(buf: bytes, pos: int, end: int) -> bool:
    """Whether a well-known header field starts one of the next few lines, before any blank line."""
    for _ in range(_LOOKAHEAD_LINES):
        if pos >= end:
            return False
        line_end, next_pos = _line_at(buf, pos, end)
        if line_end == pos:
            return False
        name = _FIELD_NAME.match(buf, pos, line_end)
        if name is not None:
            lowered = name.group(1).lower()
            return lowered in _HEADER_NAMES or lowered.startswith(b"x-")
        pos = next_pos
    return False


def read_entity(
    buf: bytes, start: int, end: int, defects: list[str], budget: Budget, *, skip_leading: bool
) -> Entity:
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
        line_end, next_pos = _line_at(buf, pos, end)
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
            if skip_leading and _header_follows(buf, next_pos, end):
                if current is None:  # a stray line in front of the header section
                    defects.append("a line before the header section is not a header field; skipped")
                else:  # a folded line its writer forgot to indent
                    defects.append("a header line without indentation was read as a continuation")
                    if len(current) < MAX_HEADER_VALUE:
                        current += b" " + buf[pos : min(line_end, pos + MAX_HEADER_VALUE - len(current))]
                pos = next_pos
                continue
            defects.append("a line in the header section is not a header field; the body starts there")
            body_start = pos
            break
        current = bytearray(buf[name.end() : min(line_end, name.end() + MAX_HEADER_VALUE)])
        fields.append((name.group(1).decode("ascii").lower(), current))
        pos = next_pos
    budget.header_lines += lines
    fields_read = [(key, bytes(value)) for key, value in fields]
    return Entity(fields_read, buf, body_start, end, budget.undeclared)


def header_text(value: bytes, undeclared: UndeclaredCharset | None = None) -> str:
    """Raw header bytes as text: ASCII, else UTF-8 (RFC 6532), else the message's own charset
    (`undeclared`), else Latin-1; never raises."""
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            guessed = undeclared(value) if undeclared is not None else None
            text = value.decode("latin-1") if guessed is None else guessed
    return text.replace("\r", "").replace("\n", "").strip()


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
    params = tuple((str(k).lower(), valid_unicode(str(v))) for k, v in header.params.items())
    return (str(main).lower() if main else None), params


def _parameters(name: str, value: str) -> tuple[str | None, dict[str, str]]:
    """(lower-case main value, parameters) of Content-Type/-Disposition, as policy.default reads them."""
    main, params = (
        _parameters_cached(name, value)
        if len(value) <= MAX_CACHED_HEADER
        else _parameters_cached.__wrapped__(name, value)
    )
    return main, dict(params)


def unstructured(value: str | None, name: str, defects: list[str]) -> str:
    """An unstructured header (Subject): policy.default, else the lenient encoded-word decoder."""
    if value is None:
        return ""
    if "=?" not in value:  # no encoded word: policy.default gives the value back unchanged
        return one_line(value)
    decoded: str | None
    try:
        decoded = str(_header_factory(name, value))
    except Exception:  # stdlib's header parser raises assorted errors on broken input
        defects.append(f"the {name} header could not be parsed; decoded leniently")
        decoded = None
    if decoded is None or (is_suspicious(decoded) or has_encoded_word(decoded)):
        decoded = decode_words(value)  # what policy.default could not decode, it leaves encoded
    return one_line(decoded)


# --- addresses, ids, dates ----------------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?:[^\s\x00-\x1f\x7f<>()\[\]\\,;:\"@]+|\[[^\]\s]+\])$")
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_QUOTED_PAIR = re.compile(r"\\(.)")


def _local_part(local: str) -> str | None:
    """The local part as mail clients write it: quotes only where the address needs them."""
    if len(local) < 2 or not (local.startswith('"') and local.endswith('"')):
        return None if local.startswith('"') or any(c.isspace() for c in local) else local
    inner = _QUOTED_PAIR.sub(r"\1", local[1:-1])
    if not inner:
        return None
    if _DOT_ATOM.fullmatch(inner):
        return inner  # "juan.cruz"@example.com is juan.cruz@example.com
    return '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _address(name: str, addr_spec: str) -> Address | None:
    addr_spec = addr_spec.strip().strip("<>").strip()
    local, at, domain = addr_spec.rpartition("@")
    if domain.endswith(".") and not domain.endswith(".."):
        domain = domain[:-1]  # an absolute domain name ("example.com."): the same domain
    if not at or not local or not domain or len(addr_spec) > 254 or is_suspicious(addr_spec):
        return None
    if domain.startswith(".") or domain.endswith(".") or not _DOMAIN.match(domain):
        return None
    if LINE_CONTROLS.search(local):
        return None
    local_part = _local_part(local)
    if local_part is None:
        return None
    return Address(name=one_line(name)[:256], email=f"{local_part}@{domain.lower()}")


def address_list(value: str | None, name: str, defects: list[str]) -> list[Address]:
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
    if (
        pairs is None
        or any(is_suspicious(n) or has_encoded_word(n) for n, _ in pairs)
        or not any(_address(*p) for p in pairs)
    ):
        try:
            pairs = [(decode_words(n), a) for n, a in getaddresses([value])]
        except Exception:  # the compat32 parser is older but not infallible
            pairs = pairs or []
    found = [address for address in (_address(*pair) for pair in pairs) if address is not None]
    if not found and "@" in value:
        defects.append(f"no usable address in the {name} header")
    return found


_MESSAGE_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,900})>")
_BARE_ID = re.compile(r"[^<>\s\x00-\x1f\x7f\"(),;]{1,900}@[^<>\s\x00-\x1f\x7f\"(),;]{1,900}")


def message_ids(value: str | None) -> list[str]:
    """Every "<id>" in the value; ids written without angle brackets are wrapped."""
    if not value:
        return []
    found = [f"<{token}>" for token in _MESSAGE_ID.findall(value)]
    if found:
        return found
    return [f"<{token.strip('<>')}>" for token in _BARE_ID.findall(value)]


def first_message_id(value: str | None) -> str | None:
    found = message_ids(value)
    return found[0] if found else None


def date_utc(value: str | None, defects: list[str]) -> datetime | None:
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


def parameterised(entity: Entity, name: str, defects: list[str]) -> tuple[str | None, dict[str, str]]:
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
            params[key.lower()] = valid_unicode(str(collapse_rfc2231_value(raw_value, errors="replace")))
        if name == "content-type":
            main_value = message.get_content_type()
        return main_value, params
    except Exception:  # nothing readable: the defaults apply
        return None, {}


def content_type_of(entity: Entity, default: str, defects: list[str]) -> tuple[str, dict[str, str]]:
    value, params = parameterised(entity, "content-type", defects)
    if not value or "/" not in value:
        return default, params
    return value, params


def content_id_of(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = "".join(one_line(value).split()).strip("<>")
    return cleaned[:500] or None
