"""The mail real customers send, from real clients: every kind below becomes a complete ticket.

Each fixture was written for this file to show one kind of mail that used to lose something (the
issue's classes 1-8): files only, loose file labels and signatures, mail forwarded as an attachment,
text and HTML in sequence, Windows ISO-2022-JP and undeclared charsets, odd addresses, broken
header sections and uuencoded files. The raw bytes are kept either way (InboundEmail.raw).
"""

from __future__ import annotations

import binascii
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.connectors.email import services
from frontline.connectors.email.charsets import decode_cp50221
from frontline.connectors.email.models import InboundEmail
from frontline.connectors.email.parsing import parse_email
from frontline.connectors.email.transfer import uudecode
from frontline.customers.models import ContactPoint
from frontline.tickets.models import Attachment, Message, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
#: The six JIS X 0208 characters Windows (and browsers' ISO-2022-JP decoders) map differently.
MICROSOFT_MAPPINGS = str.maketrans({"〜": "～", "‖": "∥", "−": "－", "¢": "￠", "£": "￡", "¬": "￢"})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def deliver(mailbox, name: str) -> InboundEmail:
    inbound, created = services.inbound_store(mailbox=mailbox, raw=raw(name), source="http")
    assert created
    services.inbound_process(inbound_id=inbound.pk)
    inbound.refresh_from_db()
    return inbound


def mime(headers: str, body: bytes = b"Hello.\r\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


# --- 1. files only, subject only ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mail_of_files_only_is_a_ticket_with_its_files(mailbox):
    inbound = deliver(mailbox, "attachments-only-application.eml")

    assert (inbound.status, inbound.note) == ("processed", "")
    message = Message.objects.get()
    assert message.ticket.subject == "Application: field technician (Cebu)"
    assert message.body_text == (
        "(No text in this email; it carries 2 files: Villanueva-CV.pdf, TESDA-certificate.pdf.)"
    )
    assert [(a.filename, a.content_type) for a in message.attachments.all()] == [
        ("Villanueva-CV.pdf", "application/pdf"),
        ("TESDA-certificate.pdf", "application/pdf"),
    ]


@pytest.mark.django_db
def test_a_photo_without_subject_or_text_is_a_ticket(mailbox):
    deliver(mailbox, "photo-only-no-subject.eml")

    message = Message.objects.get()
    assert message.ticket.subject == "(no subject)"
    assert message.body_text == "(No text in this email; it carries 1 file: IMG_20250107_0912.jpg.)"
    assert message.attachments.get().content_type == "image/jpeg"


@pytest.mark.django_db
def test_a_mail_whose_subject_says_it_all_is_a_ticket(mailbox):
    inbound = deliver(mailbox, "subject-only.eml")

    assert inbound.status == "processed"
    message = Message.objects.get()
    assert message.ticket.subject == "Please call me back about order AUR-5521 at 0917 555 0123"
    assert message.body_text == "(No text in this email; the subject is the whole message.)"


@pytest.mark.django_db
def test_an_empty_mail_is_a_ticket_that_says_so(mailbox):
    inbound = deliver(mailbox, "empty-body.eml")

    assert inbound.status == "processed"
    assert Message.objects.get().body_text == "(No text in this email; the subject is the whole message.)"


# --- 2. files by their content ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_files_are_kept_by_what_their_bytes_are_not_by_their_label(mailbox):
    deliver(mailbox, "odd-attachment-types.eml")

    message = Message.objects.get(direction="inbound")
    assert [(a.filename, a.content_type) for a in message.attachments.all()] == [
        ("receipt.jpg", "image/jpeg"),  # declared image/jpg
        ("plate.jpg", "image/jpeg"),  # image/pjpeg
        ("warranty-card.pdf", "application/pdf"),  # application/others
        ("side.jpeg", "image/jpeg"),  # application/octet-stream
        ("store-page.html", "application/octet-stream"),  # HTML: a download, never rendered
    ]
    assert not Message.objects.filter(direction="note").exists()  # nothing was refused
    page = message.attachments.get(filename="store-page.html")
    assert page.file.read().startswith(b"<html><body><h1>Aurora FZ-200</h1>")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "filename"), [("pgp-signed.eml", "signature.asc"), ("smime-signed.eml", "smime.p7s")]
)
def test_signatures_are_kept_as_downloads(mailbox, name, filename):
    deliver(mailbox, name)

    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_type) == (filename, "application/octet-stream")
    assert not Message.objects.filter(direction="note").exists()


@pytest.mark.django_db
def test_html_attachments_are_served_as_downloads(mailbox, client):
    from frontline.accounts.factories import staff

    deliver(mailbox, "odd-attachment-types.eml")
    page = Attachment.objects.get(filename="store-page.html")
    client.force_login(staff())

    response = client.get(f"/api/v1/attachments/{page.pk}/content")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_an_executable_is_still_refused_with_a_note(mailbox):
    mz = binascii.b2a_base64(b"MZ\x90\x00" + bytes(60)).decode()
    raw_mail = mime(
        "From: a@example.com\nSubject: tool\nMessage-ID: <exe@example.com>\n"
        'Content-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee the tool.\r\n"
        b"--b\r\nContent-Type: image/jpg; name=x.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + mz.encode()
        + b"--b--\r\n",
    )
    inbound, _ = services.inbound_store(mailbox=mailbox, raw=raw_mail, source="http")
    services.inbound_process(inbound_id=inbound.pk)

    assert not Attachment.objects.exists()
    note = Message.objects.get(direction="note")
    assert note.body_text == "Attachment 'x.jpg' was not stored: executable files are not accepted"


# --- 3. mail forwarded as an attachment ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_forwarded_attachment_is_kept_and_shown_to_the_agent(mailbox):
    deliver(mailbox, "forward-as-attachment.eml")

    message = Message.objects.get()
    assert message.body_text == (
        "I was never asked. See the mail attached.\n\n"
        "---------- Attached message ----------\n"
        "From: Aurora Deliveries <deliveries@aurora.ph>\n"
        "Date: 2025-01-06 00:00 UTC\n"
        "To: carlo.reyes@example.ph\n"
        "Subject: Delivery of order AUR-7710 rescheduled\n\n"
        "Your delivery of order AUR-7710 moved to 15 January between 13:00 and 17:00."
    )
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.content_type) == (
        "Delivery of order AUR-7710 rescheduled.eml",
        "message/rfc822",
    )
    kept = attachment.file.read()
    assert parse_email(kept).message_id == "<dlv7710@aurora-logistics.example>"
    assert kept.startswith(b"From: Aurora Deliveries <deliveries@aurora.ph>\r\n")


# --- 4. text and HTML in sequence ---------------------------------------------------------------------------


def test_text_and_html_sent_one_after_the_other_are_both_read_in_order():
    parsed = parse_email(raw("mixed-text-then-html.eml"))

    assert parsed.text == (
        "Hello, the details are below.\n"
        "The oven door glass cracked when I opened it. Serial number AUR-OV-55102."
    )
    assert parsed.html == (
        "<div>Hello, the details are below.</div>\n"
        "<p>The oven door glass cracked when I opened it. Serial number <b>AUR-OV-55102</b>.</p>"
    )


def test_alternatives_are_one_body_read_once():
    parsed = parse_email(raw("multipart-alternative.eml"))

    assert parsed.text == "Hi! My rice cooker keeps switching to warm after 5 minutes."
    assert (
        parsed.html
        == '<div dir="ltr">Hi! My <b>rice cooker</b> keeps switching to warm after 5 minutes.</div>\n'
    )


@pytest.mark.django_db
def test_the_agent_reads_the_html_part_of_a_mixed_mail(mailbox):
    deliver(mailbox, "mixed-text-then-html.eml")

    assert "Serial number AUR-OV-55102" in Message.objects.get().body_text


# --- 5. charsets --------------------------------------------------------------------------------------------


def test_iso_2022_jp_with_windows_extensions_decodes_in_body_subject_and_name():
    parsed = parse_email(raw("iso-2022-jp-windows-extensions.eml"))

    assert parsed.subject == "①②の不具合"
    assert parsed.text == "保証期間内です。①電源が入らない②異音がする。㈱アウロラ御中"
    assert parsed.from_ is not None
    assert parsed.from_.name == "佐藤花子"
    assert parsed.defects == []


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (b'\x1b$B-!-"-#\x1b(B', "①②③"),
        (b"\x1b$B-j-b\x1b(B", "㈱№"),
        (b"\x1b$B|b\x1b(B", "髙"),  # NEC-selected IBM extension
        (b"\x1b(I12\x1b(B", "ｱｲ"),  # half-width katakana
        (b"a\x0e12\x0fb", "aｱｲb"),  # the same with SO/SI
        (b"\x1b$B$3$s$K$A$O\x1b(B\r\n", "こんにちは\r\n"),
    ],
)
def test_cp50221_reads_what_windows_writes(encoded, expected):
    assert decode_cp50221(encoded) == expected


@pytest.mark.parametrize("encoded", [b"\x1b$(D0!\x1b(B", b"\x1b$B\x80\x80", b"\x1b$B0", b"caf\xe9"])
def test_cp50221_refuses_what_it_cannot_read(encoded):
    with pytest.raises(UnicodeDecodeError):
        decode_cp50221(encoded)


@given(
    st.text(
        # SO, SI and ESC shift and escape: CP50221 reads SO/SI as katakana shifts, as Windows writes them
        alphabet=st.characters(codec="iso2022_jp", exclude_characters="\x0e\x0f\x1b"),
        max_size=200,
    )
)
def test_cp50221_reads_plain_iso_2022_jp_as_python_does(text):
    try:
        encoded = text.encode("iso2022_jp")
    except UnicodeEncodeError:
        return  # characters the codec's table lacks
    assert decode_cp50221(encoded) == encoded.decode("iso2022_jp").translate(MICROSOFT_MAPPINGS)


@pytest.mark.parametrize(
    ("name", "subject", "excerpt", "filenames"),
    [
        ("undeclared-gbk.eml", "冰箱不制冷，请尽快安排维修", "请尽快安排师傅上门维修。", ["购买发票.pdf"]),
        ("undeclared-shift-jis.eml", "エアコンから水漏れがします", "点検をお願いできますでしょうか。", []),
        ("undeclared-big5.eml", "微波爐無法加熱", "請問要如何申請保固維修？", []),
    ],
)
def test_undeclared_charsets_are_detected_in_body_subject_and_file_names(name, subject, excerpt, filenames):
    parsed = parse_email(raw(name))

    assert parsed.subject == subject
    assert excerpt in parsed.text
    assert [a.filename for a in parsed.attachments] == filenames


def test_undeclared_latin_text_stays_windows_1252():
    body = "Ang aircon ay hindi na lumalamig – pakitingnan po. Salamat! Señor Peña".encode("cp1252")

    parsed = parse_email(mime("From: a@example.com\nSubject: Aircon", body))

    assert parsed.text == "Ang aircon ay hindi na lumalamig – pakitingnan po. Salamat! Señor Peña"


def test_a_charset_declared_elsewhere_in_the_mail_reads_raw_header_bytes():
    raw_mail = (
        b"From: a@example.com\r\nSubject: " + "洗衣机漏水".encode("gbk") + b"\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + "漏水了".encode("gbk")
    )

    parsed = parse_email(raw_mail)

    assert (parsed.subject, parsed.text) == ("洗衣机漏水", "漏水了")


@pytest.mark.django_db
def test_a_gbk_mail_without_charset_is_a_readable_ticket_and_its_bytes_are_kept(mailbox):
    inbound = deliver(mailbox, "undeclared-gbk.eml")

    message = Message.objects.get()
    assert message.ticket.subject == "冰箱不制冷，请尽快安排维修"
    assert message.body_text.startswith("您好，我家的冰箱从昨天开始不制冷了")
    assert message.attachments.get().filename == "购买发票.pdf"
    assert message.ticket.requester.first_name == "王芳"
    assert bytes(inbound.raw) == raw("undeclared-gbk.eml")


# --- 6. addresses -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"Test test"@example.com', '"Test test"@example.com'),
        ('"juan.cruz"@Example.COM', "juan.cruz@example.com"),
        ("Noel Santos <noel.santos@example.ph.>", "noel.santos@example.ph"),
        ('"a\\"b"@example.com', '"a\\"b"@example.com'),
    ],
)
def test_addresses_are_normalised_as_mail_clients_do(header, expected):
    parsed = parse_email(mime(f"From: {header}"))

    assert parsed.from_ is not None
    assert parsed.from_.email == expected


def test_the_first_usable_of_two_from_headers_is_the_sender():
    parsed = parse_email(raw("two-from-headers.eml"))

    assert parsed.from_ is not None
    assert (parsed.from_.name, parsed.from_.email) == ("Grace Tan", "grace.tan@example.sg")
    assert "more than one From header; the first usable address was taken" in parsed.defects


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("quoted-local-part.eml", '"test test"@example.com'),
        ("trailing-dot-domain.eml", "noel.santos@example.ph"),
        ("two-from-headers.eml", "grace.tan@example.sg"),
    ],
)
def test_odd_addresses_are_accepted_not_quarantined(mailbox, name, address):
    inbound = deliver(mailbox, name)

    assert inbound.status == "processed"
    assert ContactPoint.objects.get().normalized == address
    assert Ticket.objects.get().requester_id == ContactPoint.objects.get().customer_id


# --- 7. broken header sections ------------------------------------------------------------------------------


def test_an_unindented_continuation_keeps_the_headers_after_it():
    parsed = parse_email(raw("unindented-continuation.eml"))

    assert [a.email for a in parsed.to] == ["support@aurora.ph", "billing@aurora.ph", "sales@aurora.ph"]
    assert parsed.from_ is not None
    assert parsed.from_.email == "ramon.diaz@example.ph"
    assert parsed.subject == "Double charge on invoice INV-30211"
    assert parsed.message_id == "<cont-21-16@example.ph>"
    assert parsed.text == "I was charged twice for invoice INV-30211."


def test_a_stray_line_before_the_headers_is_skipped():
    parsed = parse_email(raw("stray-first-line.eml"))

    assert parsed.from_ is not None
    assert parsed.from_.email == "ella.ramos@example.ph"
    assert parsed.subject == "Washing machine door will not open"


def test_a_body_without_a_blank_line_still_starts_at_its_first_line():
    parsed = parse_email(b"From: a@example.com\r\nSubject: hi\r\nThe fan is broken.\r\nPlease help.\r\n")

    assert parsed.subject == "hi"
    assert parsed.text == "The fan is broken.\nPlease help."


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["unindented-continuation.eml", "stray-first-line.eml"])
def test_mail_with_a_broken_header_section_becomes_a_ticket(mailbox, name):
    inbound = deliver(mailbox, name)

    assert inbound.status == "processed"
    assert Ticket.objects.get().subject in (
        "Double charge on invoice INV-30211",
        "Washing machine door will not open",
    )


# --- 8. uuencoded files -------------------------------------------------------------------------------------


def test_uuencoded_attachments_are_decoded():
    (attachment,) = parse_email(raw("uuencode-attachment.eml")).attachments

    assert (attachment.filename, attachment.data) == ("service-report.pdf", PDF)


@given(st.binary(max_size=500))
def test_uudecode_undoes_uuencode(data):
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    encoded = b"begin 644 x.bin\n" + b"".join(lines) + b"`\nend\n"

    assert uudecode(encoded) == data


@pytest.mark.django_db
def test_a_uuencoded_file_is_stored_decoded(mailbox):
    deliver(mailbox, "uuencode-attachment.eml")

    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.file.read()) == ("application/pdf", PDF)
