"""Message bodies and attachment files: sanitising HTML, safe names, checked content types."""

from __future__ import annotations

import html
import re
import unicodedata

import filetype
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "*": {"dir", "lang"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}

# Declared types Frontline accepts, by family; executables and active content are refused.
ALLOWED_CONTENT_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/bmp",
    "image/tiff",
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/calendar",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "audio/mp4",
    "video/mp4",
    "video/quicktime",
    "message/rfc822",
    "application/octet-stream",
}
_OFFICE_CONTAINERS = {"application/zip"}
_DANGEROUS_SNIFFED = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sh",
    "application/x-shockwave-flash",
    "application/vnd.microsoft.portable-executable",
}


class ContentError(ValueError):
    """An attachment or body that Frontline will not store: `reason` is `executable`, `type` (the
    declared type is not accepted) or `mismatch` (the bytes are something else)."""

    def __init__(self, message: str, *, reason: str, declared: str = "", sniffed: str = "") -> None:
        super().__init__(message)
        self.reason, self.declared, self.sniffed = reason, declared, sniffed


def sanitize_html(value: str) -> str:
    """HTML safe to show in the desk: no scripts, event handlers or javascript: links."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_to_text(value: str) -> str:
    """Plain text of an HTML body (tags dropped, block ends as new lines)."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", "\n", value)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_filename(name: str) -> str:
    """The name without directories, control or bidi-override characters; never empty."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = _UNSAFE_CHARS.sub("", base).strip().lstrip(".")
    return base[:200] or "attachment"


def _sniffed(declared: str, head: bytes) -> tuple[str, str | None]:
    """(the declared type without parameters, what the bytes are); executables are refused here."""
    declared = (declared or "application/octet-stream").split(";")[0].strip().lower()
    sniffed: str | None = filetype.guess_mime(head)
    if sniffed in _DANGEROUS_SNIFFED or (head[:2] == b"MZ") or head[:4] == b"\x7fELF":
        raise ContentError("executable files are not accepted", reason="executable")
    return declared, sniffed


#: Types the bytes show (filetype recognises them): a file labelled so whose bytes show nothing is not one.
_RECOGNISABLE = frozenset(kind.mime for kind in filetype.types) - {"application/octet-stream"}
DOWNLOAD_TYPE = "application/octet-stream"


def content_type_by_content(declared: str, head: bytes) -> str:
    """The type to store a file under, decided by its bytes and the safe list, not by its label.

    For files whose label cannot be trusted (email attachments: `image/jpg`, `image/pjpeg`,
    `application/others`, `application/octet-stream` on a JPEG or a PDF): what the bytes are, when
    that is on the safe list; else the declared type, when it is on the safe list and of a kind the
    bytes cannot show (text, calendar, message/rfc822); else `application/octet-stream`, a file
    that is only ever downloaded, never shown (HTML pages, signatures, unknown formats). Raises
    ContentError for executables only.
    """
    declared, sniffed = _sniffed(declared, head)
    if (
        sniffed in _OFFICE_CONTAINERS
        and declared.startswith("application/vnd.")
        and declared in ALLOWED_CONTENT_TYPES
    ):
        return declared  # docx, xlsx, odt … are zip containers
    if sniffed in ALLOWED_CONTENT_TYPES:
        return sniffed
    if sniffed is None and declared in ALLOWED_CONTENT_TYPES and declared not in _RECOGNISABLE:
        return declared
    return DOWNLOAD_TYPE


def check_content_type(declared: str, head: bytes) -> str:
    """The content type to store, after checking the declared one against the bytes themselves."""
    declared, sniffed = _sniffed(declared, head)
    if declared not in ALLOWED_CONTENT_TYPES:
        raise ContentError(f"files of type {declared} are not accepted", reason="type", declared=declared)
    if sniffed is None:
        return declared
    if sniffed == declared or declared == "application/octet-stream":
        return sniffed
    if sniffed in _OFFICE_CONTAINERS and declared.startswith("application/vnd."):
        return declared  # docx, xlsx, odt … are zip containers
    if sniffed.split("/")[0] == declared.split("/")[0] and sniffed in ALLOWED_CONTENT_TYPES:
        return sniffed
    raise ContentError(
        f"the file says it is {declared} but its content is {sniffed}",
        reason="mismatch",
        declared=declared,
        sniffed=sniffed,
    )
