"""The demo's mailbox and the kinds of mail real customers send it.

A job application of two PDFs and no text, a delivery notice forwarded as an attachment, a
Chinese mail in GBK without a declared charset and a Japanese one in ISO-2022-JP with circled
numbers each become a complete ticket; a mail without a sender and a PDF posted as if it were a
mail wait in the desk's *Quarantined mail* for the admin. Loaded through the same services as real
mail (stored raw, then processed).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from frontline.accounts.models import Team, User
from frontline.connectors.email import services
from frontline.connectors.email.models import InboundEmail, Mailbox

ADDRESS = "support@aurora-appliances.example"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _message(sender: str, subject: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Aurora Support <{ADDRESS}>"
    if subject:
        message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    return message


def _application() -> bytes:
    message = _message(
        "Rosa Villanueva <rosa.villanueva@example.ph>",
        "Application: field technician (Cebu)",
        "<demo-application@example.ph>",
    )
    message.make_mixed()
    for name in ("Villanueva-CV.pdf", "TESDA-certificate.pdf"):
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def _forwarded_notice() -> bytes:
    notice = _message(
        "Aurora Deliveries <deliveries@aurora-appliances.example>",
        "Delivery of order AUR-7710 rescheduled",
        "<demo-dlv7710@aurora-logistics.example>",
    )
    notice.set_content("Your delivery of order AUR-7710 moved to 15 January between 13:00 and 17:00.\n")
    message = _message(
        "Carlo Reyes <carlo.reyes@example.ph>",
        "FW: Delivery of order AUR-7710 rescheduled",
        "<demo-forward@example.ph>",
    )
    message.set_content("I was never asked about a new date. See the mail attached.\n")
    message.add_attachment(notice)
    return message.as_bytes()


def _undeclared_gbk() -> bytes:
    return (
        b"From: " + "王芳".encode("gbk") + b" <wang.fang@example.cn>\r\nTo: " + ADDRESS.encode() + b"\r\n"
        b"Subject: " + "冰箱不制冷，请尽快安排维修".encode("gbk") + b"\r\n"
        b"Message-ID: <demo-gbk@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "您好，我家的冰箱从昨天开始不制冷了，冷冻室也在化冰。请尽快安排师傅上门维修。谢谢！".encode("gbk")
    )


def _iso_2022_jp() -> bytes:
    # "保証期間内です。①電源が入らない②異音がする。㈱アウロラ御中": ①② (NEC row 13) and ㈱ as Windows
    # writes them after ESC $ B
    body = b'\x1b$BJ]>Z4|4VFb$G$9!#-!EE8;$,F~$i$J$$-"0[2;$,$9$k!#-j%"%&%m%i8fCf\x1b(B\r\n'
    return (
        b"From: Hanako Sato <hanako.sato@example.co.jp>\r\nTo: " + ADDRESS.encode() + b"\r\n"
        b"Subject: =?ISO-2022-JP?B?GyRCLSEtIiROSVQ2cTlnGyhC?=\r\nMessage-ID: <demo-iso2022@example.co.jp>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + body
    )


def _without_sender() -> bytes:
    return (
        b"From: Maria Santos\r\nTo: " + ADDRESS.encode() + b"\r\nSubject: Ref ko hindi lumalamig\r\n"
        b"Message-ID: <demo-no-sender@example.ph>\r\n\r\nHindi na lumalamig ang ref ko mula kahapon.\r\n"
    )


def mail_setup(*, admin: User) -> Mailbox:
    """The demo's mailbox, with the mail above stored and processed (once: a second run adds nothing)."""
    team = Team.objects.filter(name="Technical Support").first()
    mailbox, _ = Mailbox.objects.get_or_create(
        address=ADDRESS, defaults={"name": "Aurora Support", "display_name": "Aurora Support", "team": team}
    )
    raws = [_application(), _forwarded_notice(), _undeclared_gbk(), _iso_2022_jp(), _without_sender(), PDF]
    for raw in raws:
        inbound, created = services.inbound_store(mailbox=mailbox, raw=raw, source=InboundEmail.Source.HTTP)
        if created:
            services.inbound_process(inbound_id=inbound.pk)
    return mailbox
