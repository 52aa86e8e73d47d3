"""parse_email on a corpus of real-world mail, on hostile and pathological input, and on random bytes.

The corpus is `fixtures/*.eml`; `fixtures/expected.json` maps each file name to what it must parse to:
`from` (the sender's address or null), `subject`, `message_id` (null when missing), `attachments`
(file names in order), `is_bounce`, `is_auto` (classify(...).suppress_auto_reply with Aurora's own
addresses below), `forwarded_count`, and `text_contains`: an excerpt of the field named by
`text_field` ("visible_text" or "text"). Optional keys: `visible_excludes` (quoted history or a
signature that must not be in visible_text but is in text), `from_name`, `date_utc`,
`bounce_original_message_id`, `bounce_status`.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.connectors.email.loops import classify
from frontline.connectors.email.parsing import ParsedEmail, UnparseableEmail, parse_email

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, dict] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
CORPUS = {path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))}
OWN_ADDRESSES = {"support@aurora.ph"}
OWN_MESSAGE_ID_DOMAIN = "mail.aurora.ph"
BIDI_AND_CONTROLS = {
    chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}
BIDI_AND_CONTROLS |= {"\u200e", "\u200f"}


def parse_fixture(name: str) -> ParsedEmail:
    return parse_email(CORPUS[name])


def mime(headers: str, body: bytes = b"Hello.\r\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


def assert_filename_is_safe(filename: str) -> None:
    assert filename
    assert filename not in (".", "..")
    assert "/" not in filename
    assert "\\" not in filename
    assert not set(filename) & BIDI_AND_CONTROLS, repr(filename)
    assert len(filename.encode("utf-8")) <= 255
    assert filename == filename.strip().strip(".")


def assert_sane(parsed: ParsedEmail, depth: int = 0) -> None:
    """What must hold for any input: valid Unicode everywhere, one-line headers, safe names, inert HTML."""
    for value in dataclasses.astuple(parsed):
        if isinstance(value, str):
            value.encode("utf-8")  # no lone surrogates
    assert "\r" not in parsed.subject
    assert "\n" not in parsed.subject
    for address in [*([parsed.from_] if parsed.from_ else []), *parsed.to, *parsed.cc, *parsed.reply_to]:
        assert not set(address.name) & BIDI_AND_CONTROLS
        assert "@" in address.email
        address.email.encode("utf-8")
    assert parsed.date is None or parsed.date.tzinfo is UTC
    assert "<script" not in parsed.html.lower()
    markup = " ".join(re.findall(r"<[^>]*>", parsed.html))  # text may say "javascript:"; markup may not
    for name, value in re.findall(r'\s([^\s=">]+)(?:="([^"]*)")?', markup):
        assert not name.lower().startswith("on")  # no event handlers
        assert not html.unescape(value).strip().lower().startswith(("javascript:", "vbscript:", "data:text"))
    for attachment in parsed.attachments:
        assert_filename_is_safe(attachment.filename)
        assert not (attachment.is_oversize and attachment.data)
    for defect in parsed.defects:
        defect.encode("utf-8")
    for forwarded in parsed.forwarded:
        assert_sane(forwarded, depth + 1)


def assert_parsed_or_refused(raw: bytes) -> None:
    """The documented contract: a sane ParsedEmail, or UnparseableEmail because it is not an email."""
    outcome: ParsedEmail | UnparseableEmail
    try:
        outcome = parse_email(raw)
    except UnparseableEmail as refused:
        outcome = refused
    if isinstance(outcome, UnparseableEmail):
        assert outcome.reason in ("empty", "no_headers")
    else:
        assert_sane(outcome)


# --- the corpus ---------------------------------------------------------------------------------------------


def test_every_fixture_has_an_expectation():
    assert len(CORPUS) >= 45
    assert sorted(CORPUS) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message_parses_as_expected(name):
    want = EXPECTED[name]

    parsed = parse_fixture(name)
    kind = classify(parsed, own_addresses=OWN_ADDRESSES, own_message_id_domain=OWN_MESSAGE_ID_DOMAIN)

    got = {
        "from": parsed.from_.email if parsed.from_ else None,
        "subject": parsed.subject,
        "message_id": parsed.message_id,
        "attachments": [attachment.filename for attachment in parsed.attachments],
        "is_bounce": parsed.is_bounce,
        "is_auto": kind.suppress_auto_reply,
        "forwarded_count": len(parsed.forwarded),
    }
    assert got == {key: want[key] for key in got}
    assert want["text_contains"] in getattr(parsed, want["text_field"])
    if "visible_excludes" in want:
        assert want["visible_excludes"] not in parsed.visible_text
        assert want["visible_excludes"] in parsed.text
    if "from_name" in want:
        assert parsed.from_ is not None
        assert parsed.from_.name == want["from_name"]
    if "date_utc" in want:
        assert (parsed.date.isoformat() if parsed.date else None) == want["date_utc"]
    for key in ("bounce_original_message_id", "bounce_status"):
        if key in want:
            assert getattr(parsed, key) == want[key]
    assert_sane(parsed)


def test_a_plain_message_reads_completely():
    parsed = parse_fixture("outlook-original-message.eml")

    assert parsed.from_ is not None
    assert parsed.from_.name == "Juan dela Cruz"
    assert parsed.to[0].email == "support@aurora.ph"
    assert parsed.in_reply_to == ["<ticket-1234-reply-2@mail.aurora.ph>"]
    assert parsed.references == ["<ticket-1234@mail.aurora.ph>", "<ticket-1234-reply-2@mail.aurora.ph>"]
    assert parsed.date == datetime(2025, 1, 7, 2, 30, 11, tzinfo=UTC)
    assert parsed.headers["content-type"].startswith("multipart/alternative")
    assert parsed.defects == []


@pytest.mark.parametrize(
    ("name", "visible", "quoted"),
    [
        (
            "gmail-reply.eml",
            "Thank you, the refrigerator is working again",
            "> Please try resetting the unit",
        ),
        (
            "gmail-html-only-reply.eml",
            "Salamat po, gumagana na ang stand fan.",
            "> Please try resetting the unit",
        ),
        ("outlook-original-message.eml", "Please call me.", "-----Original Message-----"),
        ("outlook-winmail-dat.eml", "damaged microwave", "Could you send us a photo?"),
        ("apple-mail-reply.eml", "still leaking water", "> Hello Miguel, is the unit still leaking?"),
        ("tagalog-reply.eml", "nasa bahay po ako", "isinulat ni Aurora Support"),
        ("chinese-reply-qq.eml", "周三上午我在家", "原始邮件"),
        ("chinese-reply-outlook.eml", "还是无法点火", "发送时间: 2025年1月6日 10:00"),
        ("signature.eml", "The range hood light flickers.", "Purchasing, Villar Bakery"),
    ],
)
def test_quoted_history_is_folded_out_of_visible_text(name, visible, quoted):
    parsed = parse_fixture(name)

    assert visible in parsed.visible_text
    assert quoted not in parsed.visible_text
    assert quoted in parsed.text


def test_inline_answers_between_quotes_stay_visible():
    parsed = parse_fixture("thunderbird-interleaved.eml")

    assert parsed.visible_text == "Yes, it is plugged in.\n\nAUR-FZ200"


def test_a_forward_is_content_not_history():
    parsed = parse_fixture("gmail-forward-inline.eml")

    assert "---------- Forwarded message ---------" in parsed.visible_text
    assert "received by: GUARD." in parsed.visible_text


def test_an_attached_message_is_parsed_recursively():
    parsed = parse_fixture("forwarded-rfc822.eml")

    (forwarded,) = parsed.forwarded
    assert forwarded.from_ is not None
    assert forwarded.from_.email == "warranty@brand.example.com"
    assert forwarded.subject == "Your warranty claim WC-7781"
    assert forwarded.message_id == "<wc7781@brand.example.com>"
    assert [a.filename for a in forwarded.attachments] == ["claim-form.pdf"]
    assert forwarded.attachments[0].data.startswith(b"%PDF-1.4")
    # The message itself is kept as it came, an .eml file named after its subject.
    (kept,) = parsed.attachments
    assert (kept.filename, kept.content_type, kept.is_inline) == (
        "Your warranty claim WC-7781.eml",
        "message/rfc822",
        False,
    )
    assert kept.data.startswith(b"From: Brand Warranty <warranty@brand.example.com>")
    assert parse_email(kept.data).message_id == "<wc7781@brand.example.com>"


def test_a_forward_in_a_forward():
    parsed = parse_fixture("nested-forward.eml")

    assert parsed.forwarded[0].forwarded[0].subject == "Order AUR-5 confirmed"


# --- sanitising ---------------------------------------------------------------------------------------------


def test_html_loses_scripts_handlers_and_javascript_urls():
    html = parse_fixture("xss-html.eml").html.lower()

    for forbidden in (
        "<script", "onerror", "onclick", "onload", "onmouseover", "javascript:", "alert(", "<iframe",
        "<object", "<form", "<input", "<svg", "<meta", "<base", "<style", "url(", "data:text", "position",
    ):  # fmt: skip
        assert forbidden not in html
    assert "my stove is broken." in html
    assert (
        '<a href="https://aurora.ph/warranty" target="_blank" rel="noopener noreferrer">warranty</a>' in html
    )
    assert '<div style="color:red">hover</div>' in html


def test_remote_images_wait_for_an_agent_and_cid_images_stay():
    html = parse_fixture("xss-html.eml").html

    assert '<img data-remote-src="https://tracker.example/pixel.gif?id=42" width="1" height="1">' in html
    assert ' src="http' not in html
    assert '<img src="cid:ok@local" alt="ok">' in html
    assert '<img src="cid:image001.png@01DB6012">' in parse_fixture("nested-mixed-attachments.eml").html


def test_an_image_tag_cannot_smuggle_a_remote_source_past_the_rewrite():
    raw = mime(
        "From: a@example.com\nContent-Type: text/html",
        b'<img alt=\'x" src="cid:a\' src="https://tracker.example/p.gif">'
        b'<img alt="a>b" src=//tracker.example/q>',
    )

    html = parse_email(raw).html

    assert html.count("data-remote-src=") == 2
    assert ' src="https:' not in html
    assert ' src="//' not in html


def test_display_name_and_subject_keep_markup_as_inert_text():
    parsed = parse_fixture("xss-headers.eml")

    assert parsed.from_ == type(parsed.from_)(
        name="<script>alert('name')</script>", email="mallory@evil.example"
    )
    assert parsed.subject == '<script>alert("subject")</script> <img src=x onerror=alert(1)>'


def test_cr_and_lf_in_decoded_headers_become_spaces():
    parsed = parse_fixture("crlf-header-injection.eml")

    assert parsed.subject == "Refund request Bcc: attacker@evil.example"
    assert parsed.from_ is not None
    assert parsed.from_.name == "Support Bcc: victim@example.com"
    assert parsed.from_.email == "crlf@evil.example"


def test_attachment_names_lose_paths_controls_and_bidi_overrides():
    parsed = parse_fixture("filename-path-bidi.eml")

    assert [a.filename for a in parsed.attachments] == [
        "passwd",
        "invoicefdp.exe",
        "attachment-3.png",
        "attachment-4.bin",
        "evilX-Injected_ 1.txt",
        "manual CON.pdf",
    ]
    for attachment in parsed.attachments:
        assert_filename_is_safe(attachment.filename)


@pytest.mark.parametrize(
    ("disposition", "content_type", "expected"),
    [
        ('attachment; filename="CON"', "text/plain", "_CON"),
        ('attachment; filename="lpt1.txt"', "text/plain", "_lpt1.txt"),
        ('attachment; filename="a:b*c?.txt"', "text/plain", "a_b_c_.txt"),
        ('attachment; filename="  .hidden  "', "text/plain", "hidden"),
        ("attachment; filename*=utf-8''%5C%5Cserver%5Cshare%5Cx.doc", "text/plain", "x.doc"),
        ('attachment; filename="\\\\server\\\\share\\\\y.doc"', "text/plain", "y.doc"),
        ("attachment", "image/jpeg", "attachment-1.jpg"),
        ("attachment", "application/x-unheard-of", "attachment-1"),
        (f'attachment; filename="{"x" * 300}.pdf"', "application/pdf", "x" * 196 + ".pdf"),
    ],
)
def test_attachment_names_are_made_safe(disposition, content_type, expected):
    raw = mime(
        f"From: a@example.com\nContent-Type: {content_type}\nContent-Disposition: {disposition}", b"data"
    )

    (attachment,) = parse_email(raw).attachments

    assert attachment.filename == expected


# --- bounces, sizes and limits ------------------------------------------------------------------------------


def test_a_delivery_report_names_the_message_that_bounced():
    parsed = parse_fixture("dsn-bounce.eml")

    assert parsed.is_bounce
    assert parsed.bounce_original_message_id == "<ticket-1234-reply-3@mail.aurora.ph>"
    assert parsed.bounce_status == "5.1.1 (failed)"
    assert parsed.forwarded == []
    assert parsed.headers["return-path"] == "<>"


def test_oversize_attachments_keep_no_data():
    jpeg = parse_fixture("nested-mixed-attachments.eml").attachments[2].data

    parsed = parse_email(CORPUS["nested-mixed-attachments.eml"], max_attachment_bytes=30)

    assert [(a.filename, a.is_oversize, a.data) for a in parsed.attachments] == [
        ("image001.png", True, b""),
        ("receipt.pdf", True, b""),
        ("serial-plate.jpg", False, jpeg),
    ]
    assert len(jpeg) <= 30
    assert "an attachment is larger than 30 bytes; its data was dropped" in parsed.defects


def test_inline_images_are_marked_inline():
    parsed = parse_fixture("nested-mixed-attachments.eml")

    assert [(a.content_id, a.is_inline, a.content_type) for a in parsed.attachments] == [
        ("image001.png@01DB6012", True, "image/png"),
        (None, False, "application/pdf"),
        (None, False, "image/jpeg"),
    ]


def test_ten_thousand_nested_multiparts_stop_at_max_depth():
    depth = 10_000
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    raw = (
        b"From: a@example.com\r\nSubject: deep\r\n"
        + opening
        + b"Content-Type: text/plain\r\n\r\nbottom"
        + closing
    )

    parsed = parse_email(raw)

    assert "MIME parts nested deeper than 10 levels were skipped" in parsed.defects
    assert parsed.subject == "deep"


def test_ten_thousand_nested_attached_messages_stop_at_max_depth():
    raw = (
        b"From: a@example.com\r\nContent-Type: message/rfc822\r\n\r\n" * 10_000
        + b"From: z@example.com\r\n\r\nx"
    )

    parsed = parse_email(raw)

    assert "MIME parts nested deeper than 10 levels were skipped" in parsed.defects


def test_thousands_of_parts_stop_at_max_parts():
    parts = b"".join(b"--p\r\nContent-Type: application/octet-stream\r\n\r\n%d\r\n" % i for i in range(5_000))
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n" + parts + b"--p--\r\n"

    parsed = parse_email(raw)

    assert len(parsed.attachments) == 200
    assert "more than 200 MIME parts; the rest were skipped" in parsed.defects


def test_a_20_mb_body_is_cut_with_a_defect():
    line = b"The refrigerator is warm again and the freezer is full of water. " * 15 + b"\r\n"
    raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + line * (
        20_000_000 // len(line)
    )

    parsed = parse_email(raw)

    assert len(parsed.text) <= 1_000_000
    assert "the body is longer than 1000000 characters; the rest was cut" in parsed.defects


def test_a_huge_header_section_is_skipped_with_a_defect():
    raw = b"From: a@example.com\r\n" + b"X-Filler: yes\r\n" * 200_000 + b"Subject: late\r\n\r\nbody"

    parsed = parse_email(raw)

    assert parsed.text == "body"
    assert "a header section is too long; the rest of it was skipped" in parsed.defects


def test_a_huge_header_value_is_read_in_part():
    raw = (
        b"From: a@example.com\r\nTo: "
        + b", ".join(b"u%d@example.com" % i for i in range(50_000))
        + b"\r\n\r\nx"
    )

    parsed = parse_email(raw)

    assert 100 < len(parsed.to) < 50_000
    assert "the to header is too long; only its start was read" in parsed.defects


@pytest.mark.parametrize(
    "raw", [b"", b"   ", b"\r\n\r\n", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\x89PNG\r\n\x1a\n\x00"]
)
def test_what_is_not_an_email_is_refused(raw):
    with pytest.raises(UnparseableEmail) as refused:
        parse_email(raw)

    assert refused.value.reason in ("empty", "no_headers")


# --- charsets and odd headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("utf-8", "Kühlschrank".encode(), "Kühlschrank"),
        ("iso-8859-1", "Kühlschrank".encode(), "Kühlschrank"),  # mislabelled UTF-8
        ("iso-8859-1", b"smart \x93quotes\x94", "smart “quotes”"),  # Latin-1 is read as Windows-1252
        ("us-ascii", "漏水".encode(), "漏水"),
        ("gb2312", "王喆".encode("gbk"), "王喆"),
        ("shift_jis", "①".encode("cp932"), "①"),
        ("ks_c_5601-1987", "냉장고".encode("cp949"), "냉장고"),
        ("unicode_escape", b"\\u0041", "\\u0041"),  # not a charset: never evaluated
        ("x-unknown", "fan — sira".encode(), "fan — sira"),
        ("utf-8", b"caf\xe9 \x81", "café \ufffd"),
        ("utf-7", b"+2D3ePQ- +2D0-", "\U0001f63d \ufffd"),  # a lone surrogate cannot be stored
    ],
)
def test_charsets_decode_leniently(charset, body, expected):
    raw = mime(f"From: a@example.com\nContent-Type: text/plain; charset={charset}", body)

    assert parse_email(raw).text == expected


def test_raw_8bit_headers_decode_as_utf8_then_latin1():
    assert parse_fixture("raw-8bit-utf8-headers.eml").subject == "Kühlschrank kühlt nicht – bitte Rückruf"
    assert parse_fixture("raw-8bit-latin1-headers.eml").subject == "Máquina de lavar não centrifuga"
    assert (
        "raw 8-bit bytes in header fields: from, subject"
        in parse_fixture("raw-8bit-utf8-headers.eml").defects
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date: Mon, 6 Jan 2025 10:15:00 +0800", datetime(2025, 1, 6, 2, 15, tzinfo=UTC)),
        ("Date: Mon, 6 Jan 2025 10:15:00 -0000", datetime(2025, 1, 6, 10, 15, tzinfo=UTC)),
        ("Date: 6 Jan 2025 10:15 GMT", datetime(2025, 1, 6, 10, 15, tzinfo=UTC)),
        ("Date: yesterday", None),
        ("Date: Mon, 6 Jan 99999 10:15:00 +0000", None),
        ("Date: Mon, 6 Jan 2025 10:15:00 +9999", None),
        (f"Date: Mon, 6 Jan 2025 10:15:00 +0000 {'x' * 300}", None),
    ],
)
def test_dates_are_aware_utc_or_none(header, expected):
    assert parse_email(mime(f"From: a@example.com\n{header}")).date == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Message-ID: <abc@example.com>", "<abc@example.com>"),
        ("Message-ID:   <abc@example.com> (comment)", "<abc@example.com>"),
        ("Message-ID: abc@example.com", "<abc@example.com>"),
        ("Message-ID: <>", None),
        ("Message-ID: not an id", None),
    ],
)
def test_message_ids_are_normalised(header, expected):
    assert parse_email(mime(f"From: a@example.com\n{header}")).message_id == expected


# --- properties ---------------------------------------------------------------------------------------------

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(st.binary(max_size=3_000))
def test_arbitrary_bytes_parse_or_are_refused_as_not_email(raw):
    assert_parsed_or_refused(raw)


@QUICK
@given(st.binary(max_size=3_000))
def test_anything_after_a_header_line_parses(body):
    assert_sane(parse_email(b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n" + body))


@QUICK
@given(
    name=st.sampled_from(sorted(CORPUS)),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=25),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutated_corpus_messages_never_crash(name, flips, cut):
    raw = bytearray(CORPUS[name])
    for position, value in flips:
        raw[position % len(raw)] = value
    if cut is not None:
        raw = raw[: cut % (len(raw) + 1)]

    assert_parsed_or_refused(bytes(raw))


@QUICK
@given(filename=st.text(max_size=300), encoded=st.booleans())
def test_any_attachment_filename_comes_out_safe(filename, encoded):
    if encoded:
        disposition = f"attachment; filename*=utf-8''{quote(filename, safe='')}".encode()
    else:
        disposition = b'attachment; filename="' + filename.encode("utf-8", "surrogatepass") + b'"'
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Disposition: "
        + disposition
        + b"\r\n\r\ndata\r\n--b--\r\n"
    )

    parsed = parse_email(raw)

    for attachment in parsed.attachments:
        assert_filename_is_safe(attachment.filename)
