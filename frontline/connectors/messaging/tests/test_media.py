"""Media in payloads is fetched only through the SSRF-safe transport: never from a private address."""

from __future__ import annotations

import struct
import zlib

import pytest

from frontline.connectors.messaging.models import InboundPayload
from frontline.connectors.messaging.tests.conftest import fixture_json, fixture_text, meta_post, twilio_post
from frontline.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def png() -> bytes:
    """A real 1x1 PNG, so the stored attachment passes the content check."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff"))
        + chunk(b"IEND", b"")
    )


def whatsapp_with_media(url: str) -> dict[str, str]:
    return {**fixture_json("twilio_whatsapp_media.json"), "MediaUrl0": url}


def notes() -> list[str]:
    return list(Message.objects.filter(direction="note").values_list("body_text", flat=True))


def test_media_on_a_host_that_resolves_to_loopback_is_never_fetched(
    client, whatsapp_account, provider, fake_dns, no_allowlist
):
    fake_dns({"media.example.test": ["127.0.0.1"]})
    provider.answer("/media/ME1", (200, {"Content-Type": "image/png"}, png()))
    params = whatsapp_with_media(f"http://media.example.test:{provider.port}/media/ME1")
    assert twilio_post(client, whatsapp_account, params).status_code == 200
    assert provider.requests == []
    assert Attachment.objects.count() == 0
    assert Message.objects.filter(direction="inbound").get().body_text == "This is the broken part"
    assert notes() == [
        f"An attachment from media.example.test:{provider.port} was not fetched: "
        "refused: media.example.test (127.0.0.1) is a loopback address"
    ]
    assert InboundPayload.objects.get().status == "processed"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/media/ME1", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::ffff:192.168.1.10]/x", "a private address, 192.168.1.10 inside IPv6"),
        ("file:///etc/passwd", "only http and https URLs"),
    ],
)
def test_media_urls_pointing_inside_our_network_are_refused(
    client, whatsapp_account, no_allowlist, url, reason
):
    twilio_post(client, whatsapp_account, whatsapp_with_media(url))
    assert Attachment.objects.count() == 0
    assert reason in notes()[0]


def test_a_redirect_to_a_private_address_is_not_followed(client, whatsapp_account, provider, allow_loopback):
    provider.answer("/media/ME1", (302, {"Location": "http://10.0.0.5/internal"}, b""))
    twilio_post(client, whatsapp_account, whatsapp_with_media(f"{provider.base_url}/media/ME1"))
    assert [r.path for r in provider.requests] == ["/media/ME1"]
    assert Attachment.objects.count() == 0
    assert "refused redirect: 10.0.0.5 is a private address" in notes()[0]


def test_allowed_twilio_media_is_fetched_with_basic_auth_and_stored_on_the_message(
    client, whatsapp_account, provider, allow_loopback
):
    image = png()
    provider.answer("/media/ME1", (200, {"Content-Type": "image/png"}, image))
    twilio_post(client, whatsapp_account, whatsapp_with_media(f"{provider.base_url}/media/ME1"))
    (request,) = provider.requests
    assert request.method == "GET"
    assert request.headers["Authorization"].startswith("Basic ")
    attachment = Attachment.objects.get()
    message = Message.objects.get()
    assert (attachment.message_id, attachment.ticket_id, attachment.content_type, attachment.size) == (
        message.pk,
        message.ticket_id,
        "image/png",
        len(image),
    )
    assert attachment.file.read() == image


def test_media_larger_than_the_attachment_limit_is_not_stored(
    client, whatsapp_account, provider, allow_loopback, settings
):
    settings.FRONTLINE_ATTACHMENT_MAX_BYTES = 100
    provider.answer("/media/ME1", (200, {"Content-Type": "image/png"}, b"\x89PNG" + b"0" * 500))
    twilio_post(client, whatsapp_account, whatsapp_with_media(f"{provider.base_url}/media/ME1"))
    assert Attachment.objects.count() == 0
    assert "larger than 100 bytes" in notes()[0]


def test_whatsapp_cloud_media_is_looked_up_then_downloaded_with_the_token(
    client, whatsapp_cloud_account, provider, allow_loopback
):
    whatsapp_cloud_account.api_base_url = provider.base_url
    whatsapp_cloud_account.save()
    provider.answer_json(
        "/1003383421387256",
        {
            "messaging_product": "whatsapp",
            "url": f"{provider.base_url}/whatsapp-media/abc",
            "mime_type": "image/png",
            "id": "1003383421387256",
        },
    )
    provider.answer("/whatsapp-media/abc", (200, {"Content-Type": "image/png"}, png()))
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_image.json"))
    assert [(r.method, r.path, r.headers["Authorization"]) for r in provider.requests] == [
        ("GET", "/1003383421387256", "Bearer meta-page-token"),
        ("GET", "/whatsapp-media/abc", "Bearer meta-page-token"),
    ]
    message = Message.objects.get()
    assert message.body_text == "The scratch on the lid"
    assert Attachment.objects.get().message_id == message.pk
    assert Ticket.objects.get().subject == "The scratch on the lid"


def test_whatsapp_cloud_media_whose_url_points_inside_is_not_downloaded(
    client, whatsapp_cloud_account, provider, allow_loopback
):
    whatsapp_cloud_account.api_base_url = provider.base_url
    whatsapp_cloud_account.save()
    provider.answer_json("/1003383421387256", {"url": "http://192.168.0.10/steal", "mime_type": "image/png"})
    meta_post(client, whatsapp_cloud_account, fixture_text("meta_whatsapp_image.json"))
    assert [r.path for r in provider.requests] == ["/1003383421387256"]
    assert Attachment.objects.count() == 0
    assert "192.168.0.10 is a private address" in notes()[0]
