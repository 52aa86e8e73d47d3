"""Raw email bytes to a ParsedEmail: the pure core of the email channel.

No Django here (an import-linter contract forbids it): the standard library, and nh3 for HTML.
The concepts live in modules of their own: `headers` (header sections and their values),
`charsets`, `transfer` (transfer encodings), `markup` (HTML), `history` (quoted history and
signatures), `filenames` and `limits`; this module splits the MIME tree and assembles the result.

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

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape as escape_html
from typing import Final

from frontline.connectors.email.charsets import (
    UndeclaredCharset,
    clean_body,
    decode_text,
    one_line,
    valid_unicode,
)
from frontline.connectors.email.filenames import safe_filename
from frontline.connectors.email.headers import (
    Address,
    Entity,
    address_list,
    content_id_of,
    content_type_of,
    date_utc,
    first_message_id,
    header_text,
    message_ids,
    parameterised,
    read_entity,
    unstructured,
)
from frontline.connectors.email.history import visible_text_of
from frontline.connectors.email.limits import (
    DEPTH_CEILING,
    MAX_BODY_CHARS,
    MAX_BOUNDARY_LENGTH,
    MAX_DEFECTS,
    MAX_REFERENCES,
    Budget,
)
from frontline.connectors.email.markup import html_to_text, sanitise_html
from frontline.connectors.email.transfer import decoded_size, transfer_decoded

__all__ = [
    "MAX_BODY_CHARS",
    "Address",
    "Attachment",
    "ParsedEmail",
    "UnparseableEmail",
    "parse_email",
    "unflow",
]


class UnparseableEmail(ValueError):
    """The input is not an email: no header field before the body (or empty).

    `reason` is "empty", "no_headers" or "internal" (a bug in this module; the message is
    quarantined and can be re-run once it is fixed).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


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
    budget = Budget(
        max_attachment_bytes=max(0, max_attachment_bytes),
        max_parts=max(1, max_parts),
        max_depth=min(max(0, max_depth), DEPTH_CEILING),
        max_body_chars=max(0, max_body_chars),
        undeclared=None if raw.isascii() else UndeclaredCharset(raw),
    )
    try:
        parsed = _parse_message(raw, 0, len(raw), 0, budget, top=True)
    except UnparseableEmail:
        raise
    except Exception as exc:  # a bug here must quarantine one mail, not crash its task forever
        raise UnparseableEmail(f"internal parser error: {exc!r}", reason="internal") from exc
    return parsed


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
class _Body:
    """One body the reader's mail client shows, in order: its text, its HTML, or both when they were
    sent as alternatives of each other."""

    text: str | None = None
    html: str | None = None


@dataclass(slots=True)
class _Found:
    """What a walk over part of the MIME tree found."""

    bodies: list[_Body] = field(default_factory=list)
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
    entity: Entity, boundary: bytes, budget: Budget, defects: list[str]
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
    entity: Entity,
    depth: int,
    found: _Found,
    budget: Budget,
    defects: list[str],
    *,
    default_type: str = "text/plain",
    as_resource: bool = False,
    in_report: bool = False,
) -> None:
    content_type, params = content_type_of(entity, default_type, defects)
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
                    read_entity(entity.buf, s, e, defects, budget, skip_leading=False) for s, e in spans
                ]
                _walk_multipart(subtype, params, children, depth, found, budget, defects, as_resource)
                return
            content_type, maintype, subtype = "text/plain", "text", "plain"

    if content_type in ("message/rfc822", "message/global"):
        _walk_message(entity, depth, found, budget, defects, in_report=in_report, params=params)
        return
    if content_type in ("message/delivery-status", "message/global-delivery-status"):
        found.is_delivery_report = True
        _read_delivery_status(entity, found, budget, defects)
        return
    if content_type in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
        headers = read_entity(entity.body(), 0, entity.end - entity.body_start, [], budget, skip_leading=True)
        found.returned_message_id = found.returned_message_id or first_message_id(headers.get("message-id"))
        return
    if content_type == "message/disposition-notification":
        return  # a read receipt's machine part says nothing an agent needs

    disposition, disposition_params = parameterised(entity, "content-disposition", defects)
    filename = disposition_params.get("filename") or params.get("name")
    encoding = entity.get("content-transfer-encoding")
    is_body = (
        not as_resource
        and content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not filename
    )
    if is_body:
        data = transfer_decoded(entity.body(), encoding, defects)
        text = decode_text(data, params.get("charset"), defects, budget.undeclared)
        if subtype == "plain" and params.get("format", "").lower() == "flowed":
            text = unflow(text, delsp=params.get("delsp", "").lower() == "yes")
        found.bodies.append(_Body(html=text) if subtype == "html" else _Body(text=text))
        return
    content_id = content_id_of(entity.get("content-id"))
    raw = entity.body()
    is_oversize = decoded_size(raw, encoding) > budget.max_attachment_bytes
    data = b"" if is_oversize else transfer_decoded(raw, encoding, defects)
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
    children: list[Entity],
    depth: int,
    found: _Found,
    budget: Budget,
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
        texts = [t for t in (_joined(r.bodies, "text") for r in results) if t is not None and t.strip()]
        htmls = [h for h in (_joined(r.bodies, "html") for r in results) if h is not None and h.strip()]
        if texts or htmls:  # one body: what the client shows, as text and as HTML
            found.bodies.append(_Body(text=texts[-1] if texts else None, html=htmls[-1] if htmls else None))
        for result in results:
            found.take_all_but_bodies(result)
        return
    if subtype == "related":
        start = content_id_of(params.get("start"))
        root = next(
            (k for k, c in enumerate(children) if start and content_id_of(c.get("content-id")) == start), 0
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


def _joined(bodies: list[_Body], kind: str) -> str | None:
    pieces = [piece for body in bodies if (piece := getattr(body, kind)) is not None]
    return "\n".join(pieces) if pieces else None


def _walk_message(
    entity: Entity,
    depth: int,
    found: _Found,
    budget: Budget,
    defects: list[str],
    *,
    in_report: bool,
    params: dict[str, str],
) -> None:
    """An attached message: parsed (for the agent to read) and kept as it came, as an .eml file."""
    encoding = (entity.get("content-transfer-encoding") or "").strip().lower()
    if encoding in ("base64", "quoted-printable"):
        buf = transfer_decoded(entity.body(), encoding, defects)
        start, end = 0, len(buf)
    else:
        buf, start, end = entity.buf, entity.body_start, entity.end
    if in_report:  # the returned message of a delivery report: only its Message-ID matters
        headers = read_entity(buf, start, end, [], budget, skip_leading=True)
        found.returned_message_id = found.returned_message_id or first_message_id(headers.get("message-id"))
        return
    _, disposition_params = parameterised(entity, "content-disposition", defects)
    name = disposition_params.get("filename") or params.get("name")
    subject = ""
    if depth >= budget.max_depth:
        budget.too_deep(defects)
    elif budget.take_part(defects):
        forwarded = _parse_message(buf, start, end, depth + 1, budget, top=False)
        found.forwarded.append(forwarded)
        subject = forwarded.subject
    else:
        return
    name = name or f"{subject or 'attached message'}"
    if not name.lower().endswith(".eml"):
        name += ".eml"
    is_oversize = end - start > budget.max_attachment_bytes
    if is_oversize:
        defects.append(
            f"an attachment is larger than {budget.max_attachment_bytes} bytes; its data was dropped"
        )
    data = b"" if is_oversize else bytes(buf[start:end])
    found.parts.append(_Part(name, "message/rfc822", data, None, False, is_oversize))


_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def _read_delivery_status(entity: Entity, found: _Found, budget: Budget, defects: list[str]) -> None:
    """RFC 3464 fields: per-message, then one group per recipient, separated by blank lines."""
    data = transfer_decoded(entity.body(), entity.get("content-transfer-encoding"), defects)
    pos, groups = 0, list[dict[str, str]]()
    while pos < len(data) and len(groups) < 100:
        group = read_entity(data, pos, len(data), [], budget, skip_leading=True)
        groups.append({name: header_text(value) for name, value in reversed(group.fields)})
        if group.body_start <= pos:
            break
        pos = group.body_start
    statuses: list[tuple[str, str]] = []
    for fields in groups:
        original = fields.get("original-message-id") or fields.get("x-original-message-id")
        found.report_message_id = found.report_message_id or first_message_id(original)
        status_match = _STATUS_CODE.search(fields.get("status", ""))
        action = one_line(fields.get("action", "")).lower()[:40]
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


def _parse_message(buf: bytes, start: int, end: int, depth: int, budget: Budget, *, top: bool) -> ParsedEmail:
    defects: list[str] = []
    entity = read_entity(buf, start, end, defects, budget, skip_leading=True)
    if not entity.fields:
        if top:
            raise UnparseableEmail("no header field before the body: not an email", reason="no_headers")
        defects.append("the attached message has no header fields")
    eight_bit = sorted({name for name, value in entity.fields if not value.isascii()})
    if eight_bit:
        defects.append(f"raw 8-bit bytes in header fields: {', '.join(eight_bit[:10])}")
    found = _Found()
    _walk(entity, depth, found, budget, defects)

    senders: list[Address] = []
    from_headers = entity.get_all("from")
    for from_value in from_headers:  # more than one From: the first usable one, as mail clients show
        senders = senders or address_list(from_value, "from", defects)
    if len(from_headers) > 1:
        defects.append("more than one From header; the first usable address was taken")
    if not from_headers:
        defects.append("no From header")
    subject = unstructured(entity.get("subject"), "subject", defects)
    headers = {
        name: one_line(value)[:998] for name in USEFUL_HEADERS if (value := entity.get(name)) is not None
    }
    message_id = first_message_id(entity.get("message-id"))
    if message_id is None:
        defects.append("no usable Message-ID")

    text, html = _text_and_html(found.bodies, budget, defects)

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
            filename=safe_filename(part.name, number, part.content_type),
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
        in_reply_to=message_ids(entity.get("in-reply-to"))[:10],
        references=message_ids(entity.get("references"))[-MAX_REFERENCES:],
        from_=senders[0] if senders else None,
        reply_to=address_list(entity.get("reply-to"), "reply-to", defects),
        to=address_list(entity.get("to"), "to", defects),
        cc=address_list(entity.get("cc"), "cc", defects),
        subject=subject,
        date=date_utc(entity.get("date"), defects),
        text=text,
        html=html,
        visible_text=visible_text_of(text),
        attachments=attachments,
        forwarded=found.forwarded,
        headers=headers,
        is_bounce=is_bounce,
        bounce_original_message_id=original_id,
        bounce_status=found.delivery_status,
        defects=_unique(defects)[:MAX_DEFECTS],
    )


def _capped(pieces: list[str | None], limit: int) -> tuple[list[str | None], bool]:
    """The pieces cut where together they pass `limit` characters; whether anything was cut."""
    out: list[str | None] = []
    left, cut = limit, False
    for piece in pieces:
        if piece is not None and len(piece) > left:
            piece, cut = piece[:left], True
        left -= len(piece or "")
        out.append(piece)
    return out, cut


def _text_and_html(bodies: list[_Body], budget: Budget, defects: list[str]) -> tuple[str, str]:
    """(text, sanitised HTML) of every body the client shows, in order.

    A text body and an HTML body sent one after the other (in multipart/mixed, not as alternatives)
    both reach the agent: the text takes the HTML body's text, the HTML the text body escaped.
    """
    texts, text_cut = _capped([body.text for body in bodies], budget.max_body_chars)
    htmls, html_cut = _capped([body.html for body in bodies], budget.max_body_chars)
    if text_cut or html_cut:
        budget.limit(f"the body is longer than {budget.max_body_chars} characters; the rest was cut", defects)
    sanitised = [sanitise_html(html) if html is not None and html.strip() else "" for html in htmls]
    text_parts: list[str] = []
    for text, clean in zip(texts, sanitised, strict=True):
        if text is not None and text.strip():
            text_parts.append(text)
        elif clean:
            text_parts.append(html_to_text(clean))
    html_parts: list[str] = []
    if any(sanitised):
        for text, clean in zip(texts, sanitised, strict=True):
            if clean:
                html_parts.append(clean)
            elif text is not None and text.strip():
                html_parts.append("<div>" + escape_html(text).replace("\n", "<br>") + "</div>")
    return clean_body("\n".join(text_parts)), "\n".join(html_parts)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(valid_unicode(item) for item in items))
