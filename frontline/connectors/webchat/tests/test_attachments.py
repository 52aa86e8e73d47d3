"""Files in the chat, both ways: the customer's upload over HTTP (origin, token, size, type, CORS),
the agent's files as signed links only their conversation opens, and names that stay inert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from frontline.accounts.testing import Api, session_cookie
from frontline.connectors.webchat import selectors, services
from frontline.connectors.webchat.models import ChatEntry, Conversation, Site
from frontline.connectors.webchat.tests.conftest import ORIGIN, receive_until, staff_socket, widget
from frontline.events.models import Event
from frontline.tickets.models import Attachment, Message

NOTES = b"The unit is an AC-1200, bought in March.\n"


def _start(site, email="maria@example.test", name="Maria Santos"):
    return services.conversation_start(site=site, name=name, email=email, question="My aircon is warm")


def _upload(
    client,
    token,
    *,
    name="notes.txt",
    content=NOTES,
    content_type="text/plain",
    origin=ORIGIN,
    client_id="f-1",
    key="site-key-1",
    query="",
):
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if token is not None:
        headers["X-Chat-Token"] = token
    return client.post(
        f"/chat/{key}/attachments/{query}",
        {"file": SimpleUploadedFile(name, content, content_type), "client_id": client_id},
        headers=headers,
    )


def _body(response):
    return b"".join(response.streaming_content)


def _nothing_stored(conversation):
    conversation.refresh_from_db()
    assert conversation.last_seq == 1
    assert list(conversation.entries.values_list("seq", flat=True)) == [1]
    assert not Attachment.objects.exists()
    assert Message.objects.filter(ticket_id=conversation.ticket_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_customer_file_is_the_next_line_on_the_ticket_and_reaches_the_agents_live(site, agent):
    started = _start(site)
    cookie = session_cookie(agent)
    client = Client()

    async def scenario():
        desk = staff_socket(cookie)
        assert (await desk.connect())[0]
        tab = widget()
        await tab.connect()
        await tab.receive_json_from(timeout=5)
        await tab.send_json_to({"type": "resume", "token": started.token, "last_seq": 1})
        await receive_until(tab, "resumed")
        response = await sync_to_async(_upload)(client, started.token)
        on_desk, _ = await receive_until(desk, "message")
        line, _ = await receive_until(tab, "message")
        again = await sync_to_async(_upload)(client, started.token)  # the widget retried, say
        await tab.disconnect()
        await desk.disconnect()
        return response, on_desk, line, again

    response, on_desk, line, again = async_to_sync(scenario)()
    conversation = Conversation.objects.get()
    entry = ChatEntry.objects.select_related("attachment", "message").get(conversation=conversation, seq=2)
    attachment = entry.attachment
    assert attachment is not None
    assert (entry.author, entry.author_name, entry.body, entry.client_id) == (
        "customer",
        "Maria Santos",
        "notes.txt",
        "f-1",
    )
    assert (attachment.filename, attachment.size, attachment.content_type) == (
        "notes.txt",
        len(NOTES),
        "text/plain",
    )
    assert attachment.message == entry.message
    assert list(
        Message.objects.filter(ticket_id=conversation.ticket_id).values_list("body_text", "direction")
    ) == [
        ("My aircon is warm", "inbound"),
        ("notes.txt", "inbound"),
    ]
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    body = response.json()
    assert (body["type"], body["seq"], body["client_id"], body["text"]) == ("message", 2, "f-1", "notes.txt")
    assert body["attachment"]["url"].startswith(f"/chat/attachments/{attachment.pk}/?s=")
    assert (line["seq"], line["attachment"]["name"], line["attachment"]["size"]) == (
        2,
        "notes.txt",
        len(NOTES),
    )
    assert line["attachment"]["url"].startswith(f"/chat/attachments/{attachment.pk}/?s=")
    assert (on_desk["conversation"], on_desk["ticket"], on_desk["seq"]) == (
        conversation.pk,
        conversation.ticket_id,
        2,
    )
    assert on_desk["attachment"] == {
        "id": attachment.pk,
        "name": "notes.txt",
        "size": len(NOTES),
        "content_type": "text/plain",
        "url": f"/api/v1/attachments/{attachment.pk}/content",
    }
    staff_copy = Api(agent).get(f"/attachments/{attachment.pk}/content")
    assert staff_copy.status_code == 200
    assert _body(staff_copy) == NOTES
    assert again.status_code == 200  # the same client id: the stored line, not a second file
    assert again.json()["seq"] == 2
    assert Attachment.objects.count() == 1
    assert Event.objects.filter(verb="webchat.attachment_received", target_id=conversation.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["http://localhost:9999", "https://evil.example", "null", None])
def test_a_page_the_site_does_not_allow_cannot_send_a_file(site, client, origin):
    started = _start(site)

    response = _upload(client, started.token, origin=origin)

    assert response.status_code == 403
    assert response.json()["code"] == "origin_refused"
    assert "Access-Control-Allow-Origin" not in response
    _nothing_stored(started.conversation)


@pytest.mark.django_db
def test_a_file_needs_the_conversations_own_token(site, client):
    started = _start(site)
    other = Site.objects.create(name="Other shop", public_key="other-key", allowed_origins=[ORIGIN])
    elsewhere = _start(other, email="lito@example.test", name="Lito")

    missing = _upload(client, None)
    forged = _upload(client, "forged-token")
    other_sites = _upload(client, elsewhere.token)
    unknown_site = _upload(client, started.token, key="no-such-key")

    assert (missing.status_code, missing.json()["code"]) == (403, "not_started")
    assert (forged.status_code, forged.json()["code"]) == (404, "not_found")
    assert (other_sites.status_code, other_sites.json()["code"]) == (404, "not_found")
    assert unknown_site.status_code == 404
    assert forged["Access-Control-Allow-Origin"] == ORIGIN  # the widget may read why
    _nothing_stored(started.conversation)
    assert not ChatEntry.objects.filter(conversation=elsewhere.conversation, seq=2).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [17, 200_000])
def test_a_file_over_the_size_limit_is_refused_with_the_limit(site, client, settings, size):
    """17 bytes: refused by the service; 200 kB: by its Content-Length, before the body is parsed."""
    settings.FRONTLINE_ATTACHMENT_MAX_BYTES = 16
    started = _start(site)

    response = _upload(client, started.token, content=b"x" * size)

    assert response.status_code == 413
    body = response.json()
    assert (body["code"], body["field"]) == ("too_large", "file")
    assert body["message"] == "A file can be at most 16\xa0bytes."
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    _nothing_stored(started.conversation)


@pytest.mark.django_db
def test_a_program_an_empty_file_and_an_ended_chat_are_refused_in_the_visitors_language(site, client):
    started = _start(site)

    program = _upload(
        client,
        started.token,
        name="setup.exe",
        content=b"MZ\x90\x00" + b"\x00" * 60,
        content_type="application/octet-stream",
    )
    in_tagalog = _upload(
        client, started.token, name="setup.exe", content=b"MZ\x90\x00" + b"\x00" * 60, query="?lang=fil"
    )
    empty = _upload(client, started.token, content=b"")
    no_file = client.post(
        "/chat/site-key-1/attachments/",
        {"client_id": "f-9"},
        headers={"Origin": ORIGIN, "X-Chat-Token": started.token},
    )
    services.conversation_end(conversation=started.conversation)
    ended = _upload(client, started.token, client_id="f-2")

    assert (program.status_code, program.json()["code"], program.json()["message"]) == (
        422,
        "unsupported_type",
        "Files of this type cannot be sent.",
    )
    assert in_tagalog.status_code == 422
    assert in_tagalog.json()["message"] not in ("", "Files of this type cannot be sent.")
    assert (empty.status_code, empty.json()["field"]) == (422, "file")
    assert (no_file.status_code, no_file.json()["message"]) == (422, "Choose a file to send.")
    assert (ended.status_code, ended.json()["code"]) == (409, "ended")
    assert not Attachment.objects.exists()
    assert list(started.conversation.entries.values_list("seq", flat=True)) == [1]


@pytest.mark.django_db
def test_sending_too_many_files_is_refused(site, client, monkeypatch):
    monkeypatch.setitem(services.LIMITS, "attachment-conversation", (2, 3600))
    started = _start(site)

    answers = [_upload(client, started.token, client_id=f"f-{n}") for n in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "rate_limited"
    assert Attachment.objects.count() == 2


@pytest.mark.django_db
def test_the_preflight_answers_only_an_allowed_origin(site, client):
    allowed = client.options(
        "/chat/site-key-1/attachments/",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-chat-token",
        },
    )
    refused = client.options(
        "/chat/site-key-1/attachments/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert allowed["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert allowed["Access-Control-Allow-Headers"] == "X-Chat-Token"
    assert "Origin" in allowed["Vary"]
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def _attach(api, ticket_id, message_id, name, content):
    response = api.client.post(
        f"/api/v1/tickets/{ticket_id}/attachments",
        {"file": SimpleUploadedFile(name, content, "text/plain"), "message_id": message_id},
    )
    assert response.status_code == 201, response.content
    return Attachment.objects.get(pk=response.json()["id"])


@pytest.mark.django_db(transaction=True)
def test_an_agents_file_reaches_the_widget_as_a_link_that_only_its_conversation_opens(site, agent):
    started = _start(site)
    ticket_id = started.conversation.ticket_id
    api = Api(agent)
    reply = api.post(f"/tickets/{ticket_id}/messages", {"body_text": "Here is the manual."}).json()
    manual = _attach(api, ticket_id, reply["id"], "manual.txt", b"Clean the filter every month.\n")
    note = api.post(f"/tickets/{ticket_id}/messages", {"direction": "note", "body_text": "VIP"}).json()
    secret = _attach(api, ticket_id, note["id"], "internal.txt", b"Margin: 40%\n")
    other = _start(site, email="lito@example.test", name="Lito")
    other_reply = api.post(f"/tickets/{other.conversation.ticket_id}/messages", {"body_text": "Yours"}).json()
    others = _attach(api, other.conversation.ticket_id, other_reply["id"], "lito.txt", b"For Lito\n")

    async def scenario():
        tab = widget()
        await tab.connect()
        await tab.receive_json_from(timeout=5)
        await tab.send_json_to({"type": "resume", "token": started.token, "last_seq": 1})
        await receive_until(tab, "resumed")
        lines = [await tab.receive_json_from(timeout=5) for _ in range(2)]
        await tab.send_json_to({"type": "ping"})
        _pong, rest = await receive_until(tab, "pong")
        await tab.disconnect()
        return lines, rest

    lines, rest = async_to_sync(scenario)()
    assert [(line["seq"], line["author"], line["text"]) for line in lines] == [
        (2, "agent", "Here is the manual."),
        (3, "agent", "manual.txt"),
    ]
    assert [frame for frame in rest if frame["type"] == "message"] == []  # the note's file never comes
    assert not ChatEntry.objects.filter(attachment=secret).exists()
    link = lines[1]["attachment"]["url"]
    assert link.startswith(f"/chat/attachments/{manual.pk}/?s=")
    client = Client()

    download = client.get(link)

    assert download.status_code == 200
    assert _body(download) == b"Clean the filter every month.\n"
    assert download["Content-Disposition"] == 'attachment; filename="manual.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    signature = link.split("?s=", 1)[1]
    tampered = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    other_link = selectors.attachment_link(conversation_id=other.conversation.pk, attachment_id=others.pk)
    refused = {
        "tampered": client.get(f"/chat/attachments/{manual.pk}/?s={tampered}"),
        "no signature": client.get(f"/chat/attachments/{manual.pk}/"),
        "another conversation's file with this link": client.get(
            f"/chat/attachments/{others.pk}/?s={signature}"
        ),
        "this file with another conversation's link": client.get(
            f"/chat/attachments/{manual.pk}/?s={other_link.split('?s=', 1)[1]}"
        ),
        "a note's file, even signed": client.get(
            selectors.attachment_link(conversation_id=started.conversation.pk, attachment_id=secret.pk)
        ),
        "another ticket's file, signed for this conversation": client.get(
            selectors.attachment_link(conversation_id=started.conversation.pk, attachment_id=others.pk)
        ),
    }
    assert {why: response.status_code for why, response in refused.items()} == dict.fromkeys(refused, 404)
    assert client.get(other_link).status_code == 200  # Lito's own link works for Lito's file
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=False):
        expired = client.get(link)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()


@pytest.mark.django_db
def test_a_script_in_a_file_name_stays_text_everywhere(site, client, agent):
    started = _start(site)
    name = "<img src=x onerror=alert(1)>.txt"

    response = _upload(client, started.token, name=name)

    assert response.status_code == 201, response.content
    line = response.json()
    assert (line["text"], line["attachment"]["name"]) == (name, name)  # data, for textContent
    download = client.get(line["attachment"]["url"])
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(agent)
    thread = client.get(f"/desk/tickets/{started.conversation.ticket_id}/thread/")
    assert thread.status_code == 200
    html = thread.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html


@pytest.mark.django_db
def test_quotes_and_line_breaks_in_a_file_name_cannot_reach_the_download_headers(site, client):
    """A browser escapes them in the multipart header; the service must still cope with any name."""
    started = _start(site)
    entry, _created = services.attachment_receive(
        site=site,
        token=started.token,
        upload=services.Upload(
            file=SimpleUploadedFile("x", NOTES),
            name='a"b\r\nSet-Cookie: c=d;.txt',
            content_type="text/plain",
            size=len(NOTES),
        ),
        client_id="f-1",
    )

    assert entry.body == 'a"bSet-Cookie: c=d;.txt'  # control characters dropped
    download = client.get(services.entry_data(entry)["attachment"]["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="a\\"bSet-Cookie: c=d;.txt"'
    assert "set-cookie" not in {key.lower() for key in download.headers}


@pytest.mark.django_db
def test_a_link_signed_with_the_former_public_development_key_opens_nothing(site):
    from django.core import signing

    from frontline.core.secret_key import FORMER_DEVELOPMENT_KEY

    started = _start(site)
    upload = _upload(Client(), started.token)
    attachment = Attachment.objects.get()
    assert Client().get(upload.json()["attachment"]["url"]).status_code == 200
    forged = signing.dumps(
        [started.conversation.pk, attachment.pk],
        key=FORMER_DEVELOPMENT_KEY,
        salt=selectors._ATTACHMENT_LINK_SALT,
    )

    assert Client().get(f"/chat/attachments/{attachment.pk}/?s={forged}").status_code == 404
