"""The widget's websocket, end to end through the production ASGI app (in-memory channel layer)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core import mail

from frontline.accounts.factories import TeamFactory, UserFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api, session_cookie
from frontline.connectors.voice.models import CallbackRequest, VoiceLine
from frontline.connectors.webchat.consumers import ORIGIN_REFUSED
from frontline.connectors.webchat.models import ChatEntry, Conversation
from frontline.connectors.webchat.tests.conftest import receive_until, staff_socket, widget
from frontline.routing import services as routing
from frontline.routing.models import Interaction, Queue
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "type": "start",
    "name": "Maria Santos",
    "email": "maria@example.test",
    "question": "My aircon is warm",
}


def _reply(agent, ticket_id, text):
    """The agent answers through the public API, like any other client would."""
    response = Api(agent).post(f"/tickets/{ticket_id}/messages", {"body_text": text})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_page_on_an_origin_the_site_does_not_allow_is_refused(site):
    async def scenario():
        refused = await widget(origin="http://localhost:9999").connect()
        no_origin = await widget(origin=None).connect()
        unknown_site = await widget(key="no-such-key").connect()
        allowed = widget()
        connected = await allowed.connect()
        ready = await allowed.receive_json_from(timeout=5)
        await allowed.disconnect()
        return refused, no_origin, unknown_site, connected, ready

    refused, no_origin, unknown_site, connected, ready = async_to_sync(scenario)()
    assert refused == (False, ORIGIN_REFUSED)
    assert no_origin[0] is False
    assert unknown_site[0] is False
    assert connected[0] is True
    assert ready["type"] == "ready"
    assert ready["open"] is True
    assert ready["strings"]["start"] == "Start the chat"
    assert Conversation.objects.count() == 0


def test_a_business_site_outside_allowed_hosts_connects_and_staff_sockets_stay_closed_to_it(site):
    """The widget lives on the business's own domain, which is not one of Frontline's hosts."""
    site.allowed_origins = ["https://shop.example"]
    site.save()

    async def scenario():
        socket = widget(origin="https://shop.example")
        connected = await socket.connect()
        await socket.disconnect()
        from channels.testing import WebsocketCommunicator

        from frontline.asgi import application

        headers = [(b"host", b"127.0.0.1"), (b"origin", b"https://shop.example")]
        staff = await WebsocketCommunicator(application, "/ws/chat/agents/", headers=headers).connect()
        return connected, staff

    connected, staff = async_to_sync(scenario)()
    assert connected[0] is True
    assert staff[0] is False  # the agents' socket keeps to Frontline's own hosts


def test_lines_are_numbered_per_conversation_and_acknowledged_after_they_are_stored(site, chat_queue):
    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        started, _ = await receive_until(socket, "started")
        question = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "message", "client_id": "c-1", "text": "It started yesterday"})
        ack, frames = await receive_until(socket, "ack")
        line = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return started, question, ack, frames, line

    started, question, ack, _frames, line = async_to_sync(scenario)()
    conversation = Conversation.objects.get()
    assert started["state"] == "waiting"
    assert started["token"]
    assert (question["type"], question["seq"], question["author"], question["text"]) == (
        "message",
        1,
        "customer",
        "My aircon is warm",
    )
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 2}
    assert (line["seq"], line["client_id"], line["text"]) == (2, "c-1", "It started yesterday")
    assert list(conversation.entries.values_list("seq", "author")) == [(1, "customer"), (2, "customer")]
    ticket = Ticket.objects.get(pk=conversation.ticket_id)
    assert ticket.channel == "chat"
    assert ticket.subject == "My aircon is warm"
    assert list(ticket.messages.values_list("body_text", "direction", "channel")) == [
        ("My aircon is warm", "inbound", "chat"),
        ("It started yesterday", "inbound", "chat"),
    ]
    interaction = Interaction.objects.get()
    assert (interaction.queue, interaction.ticket_id, interaction.channel) == (chat_queue, ticket.pk, "chat")
    assert conversation.interaction == interaction
    assert conversation.token_digest != started["token"]  # only the digest is stored


def test_a_resend_after_a_dropped_connection_is_stored_once(site):
    async def scenario():
        first = widget()
        await first.connect()
        await first.receive_json_from(timeout=5)
        await first.send_json_to(FORM)
        started, _ = await receive_until(first, "started")
        await receive_until(first, "message")
        await first.send_json_to({"type": "message", "client_id": "c-7", "text": "Hello?"})
        ack1, _ = await receive_until(first, "ack")
        await first.disconnect()  # the ack was lost on the way, say: the widget sends again
        second = widget()
        await second.connect()
        await second.receive_json_from(timeout=5)
        await second.send_json_to({"type": "resume", "token": started["token"], "last_seq": 1})
        await receive_until(second, "resumed")
        missed = await second.receive_json_from(timeout=5)
        await second.send_json_to({"type": "message", "client_id": "c-7", "text": "Hello?"})
        ack2, frames = await receive_until(second, "ack")
        await second.send_json_to({"type": "ping"})
        _pong, after = await receive_until(second, "pong")
        await second.disconnect()
        return ack1, missed, ack2, frames, after

    ack1, missed, ack2, frames, after = async_to_sync(scenario)()
    assert ack1["seq"] == ack2["seq"] == 2
    assert missed["seq"] == 2
    assert missed["client_id"] == "c-7"
    assert [f for f in frames + after if f["type"] == "message"] == []  # not delivered twice
    assert ChatEntry.objects.filter(client_id="c-7").count() == 1
    assert Message.objects.filter(body_text="Hello?").count() == 1


def test_after_a_reconnect_the_widget_gets_exactly_what_it_missed_in_order(site, agent):
    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        started, _ = await receive_until(socket, "started")
        await receive_until(socket, "message")  # seq 1
        conversation = await sync_to_async(Conversation.objects.get)()
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Hi Maria, Ana here.")
        live = await socket.receive_json_from(timeout=5)  # seq 2 arrives live
        await socket.disconnect()
        # While the widget is away: two replies and one more line from another tab.
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Is the filter clean?")
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Please check the remote's mode.")
        again = widget()
        await again.connect()
        await again.receive_json_from(timeout=5)
        await again.send_json_to({"type": "resume", "token": started["token"], "last_seq": live["seq"]})
        resumed, _ = await receive_until(again, "resumed")
        missed = [await again.receive_json_from(timeout=5) for _ in range(2)]
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Still there?")
        later = await again.receive_json_from(timeout=5)
        await again.send_json_to({"type": "ping"})
        _pong, rest = await receive_until(again, "pong")
        await again.disconnect()
        return live, resumed, missed, later, rest

    live, resumed, missed, later, rest = async_to_sync(scenario)()
    assert (live["seq"], live["author"], live["name"], live["text"]) == (
        2,
        "agent",
        "Ana",
        "Hi Maria, Ana here.",
    )
    assert resumed["last_seq"] == 4
    assert [(m["seq"], m["text"]) for m in missed] == [
        (3, "Is the filter clean?"),
        (4, "Please check the remote's mode."),
    ]
    assert (later["seq"], later["text"]) == (5, "Still there?")
    assert [f for f in rest if f["type"] == "message"] == []
    assert list(ChatEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_the_agent_who_accepts_is_named_and_sees_lines_typing_and_reads(site, chat_queue, agent):
    cookie = session_cookie(agent)
    routing.presence_set(actor=agent, user=agent, state="available")
    api = Api(agent)

    async def scenario():
        desk = staff_socket(cookie)
        assert (await desk.connect())[0]
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        on_desk = await desk.receive_json_from(timeout=5)
        interaction = await sync_to_async(Interaction.objects.get)()
        assert interaction.state == "offered", interaction.state
        response = await sync_to_async(api.post)(f"/interactions/{interaction.pk}/accept")
        assert response.status_code == 200, response.content
        joined, _ = await receive_until(socket, "agent_joined")
        await socket.send_json_to({"type": "typing", "is_typing": True})
        typing = await desk.receive_json_from(timeout=5)
        conversation = await sync_to_async(Conversation.objects.get)()
        await desk.send_json_to({"type": "typing", "conversation": conversation.pk, "is_typing": True})
        agent_typing, _ = await receive_until(socket, "typing")
        await desk.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 1})
        read, _ = await receive_until(socket, "read")
        await socket.send_json_to({"type": "read", "seq": 1})
        customer_read = await desk.receive_json_from(timeout=5)
        await socket.disconnect()
        await desk.disconnect()
        return on_desk, joined, typing, agent_typing, read, customer_read

    on_desk, joined, typing, agent_typing, read, customer_read = async_to_sync(scenario)()
    conversation = Conversation.objects.get()
    assert (on_desk["type"], on_desk["conversation"], on_desk["seq"], on_desk["text"]) == (
        "message",
        conversation.pk,
        1,
        "My aircon is warm",
    )
    assert joined == {"type": "agent_joined", "name": "Ana"}
    assert typing == {"type": "typing", "conversation": conversation.pk, "is_typing": True}
    assert agent_typing == {"type": "typing", "name": "Ana", "is_typing": True}
    assert read == {"type": "read", "seq": 1}
    assert customer_read == {"type": "read", "conversation": conversation.pk, "seq": 1}
    assert (conversation.state, conversation.agent_name, conversation.agent_read_seq) == ("active", "Ana", 1)
    assert conversation.customer_read_seq == 1


def test_the_agents_feed_keeps_a_private_teams_chats_to_its_members(site):
    """The feed is scoped as tickets are: a private team's chat reaches its members and supervisors."""
    billing = TeamFactory(name="Billing", is_private=True)
    people = {
        "member": staff(Role.AGENT, teams=[billing], username="ben"),
        "outsider": staff(Role.AGENT, teams=[TeamFactory(name="Sales")], username="olga"),
        "supervisor": staff(Role.SUPERVISOR, username="sue"),
    }
    cookies = {name: session_cookie(user) for name, user in people.items()}

    async def scenario():
        feeds = {name: staff_socket(cookie) for name, cookie in cookies.items()}
        for feed in feeds.values():
            assert (await feed.connect())[0]
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        first = {name: (await feed.receive_json_from(timeout=5))["seq"] for name, feed in feeds.items()}
        conversation = await sync_to_async(Conversation.objects.get)()
        await sync_to_async(Ticket.objects.filter(pk=conversation.ticket_id).update)(team=billing)
        await socket.send_json_to({"type": "message", "client_id": "c2", "text": "my card ends 4242"})
        await receive_until(socket, "ack")
        await receive_until(socket, "message")  # the widget shows its own line
        await socket.send_json_to({"type": "typing", "is_typing": True})
        heard = {
            name: [(await feed.receive_json_from(timeout=5))["type"] for _ in range(2)]
            for name, feed in feeds.items()
            if name != "outsider"
        }
        outsider_heard_nothing = await feeds["outsider"].receive_nothing(timeout=0.5)
        await feeds["outsider"].send_json_to(
            {"type": "typing", "conversation": conversation.pk, "is_typing": True}
        )
        refused = await feeds["outsider"].receive_json_from(timeout=5)
        widget_heard_nothing = await socket.receive_nothing(timeout=0.3)
        for feed in feeds.values():
            await feed.disconnect()
        await socket.disconnect()
        return first, heard, outsider_heard_nothing, refused, widget_heard_nothing

    first, heard, outsider_heard_nothing, refused, widget_heard_nothing = async_to_sync(scenario)()
    assert first == {"member": 1, "outsider": 1, "supervisor": 1}  # no team yet: every agent hears it
    assert heard == {"member": ["message", "typing"], "supervisor": ["message", "typing"]}
    assert outsider_heard_nothing
    assert refused["type"] == "error"
    assert refused["code"] == "not_found"
    assert widget_heard_nothing  # the outsider's typing never reached the customer


def test_the_agents_feed_is_for_staff_only(site):
    cookie = session_cookie(UserFactory(username="maria"))  # signed in, but no staff role

    async def scenario():
        anonymous = await widget_agents(None)
        not_staff = await widget_agents(cookie)
        return anonymous, not_staff

    async def widget_agents(cookie):
        from channels.testing import WebsocketCommunicator

        from frontline.asgi import application

        headers = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
        if cookie:
            headers.append((b"cookie", cookie))
        return await WebsocketCommunicator(application, "/ws/chat/agents/", headers=headers).connect()

    anonymous, not_staff = async_to_sync(scenario)()
    assert anonymous[0] is False
    assert not_staff[0] is False


def test_sending_too_fast_is_refused_and_nothing_is_stored(site, settings):
    settings.FRONTLINE_CHAT_MESSAGE_RATE = (2, 0)  # two messages, never refilled

    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        for n in range(3):
            await socket.send_json_to({"type": "message", "client_id": f"c-{n}", "text": f"line {n}"})
        frames = []
        while len([f for f in frames if f["type"] in ("ack", "error")]) < 3:
            frames.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    outcomes = [
        (f["type"], f.get("client_id"), f.get("code")) for f in frames if f["type"] in ("ack", "error")
    ]
    assert outcomes == [("ack", "c-0", None), ("ack", "c-1", None), ("error", "c-2", "rate_limited")]
    assert not ChatEntry.objects.filter(client_id="c-2").exists()
    assert not Message.objects.filter(body_text="line 2").exists()


def test_html_and_script_in_a_message_stay_plain_text(site, agent):
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)"> <b>bold</b>'

    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        await socket.send_json_to({"type": "message", "client_id": "x", "text": attack})
        await receive_until(socket, "ack")
        line = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return line

    line = async_to_sync(scenario)()
    assert line["text"] == attack  # the widget puts it in textContent: shown, never run
    message = Message.objects.get(body_text=attack)
    assert message.body_html == ""
    client = Api(agent)
    body = client.get(f"/tickets/{message.ticket_id}/messages").json()
    assert attack in [item["body_text"] for item in body["items"]]


def test_a_frame_is_answered_while_the_database_thread_is_busy(site):
    """Frames are not held up by a hop to the database thread (where a chat batch may be writing)."""
    release = threading.Event()

    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        busy = asyncio.ensure_future(sync_to_async(release.wait)(10))  # the database thread, occupied
        await asyncio.sleep(0.05)
        await socket.send_json_to({"type": "ping"})
        try:
            return await socket.receive_json_from(timeout=2)
        finally:
            release.set()
            await busy
            await socket.disconnect()

    assert async_to_sync(scenario)() == {"type": "pong"}


def test_bad_frames_get_a_clear_error(site):
    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        answers = []
        for frame in (
            {"type": "message", "client_id": "a", "text": "hi"},
            {"type": "nonsense"},
            {"type": "start", "name": "", "email": "maria@example.test", "question": "q"},
            {"type": "start", "name": "Maria", "email": "not-an-address", "question": "q"},
            {"type": "start", "name": "Maria", "email": "maria@example.test", "question": "   "},
            {"type": "resume", "token": "forged", "last_seq": 0},
            {"type": "resume", "token": "forged", "last_seq": -1},
        ):
            await socket.send_json_to(frame)
            answers.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return answers

    answers = async_to_sync(scenario)()
    assert [(a["code"], a.get("field")) for a in answers] == [
        ("not_started", None),
        ("bad_frame", None),
        ("invalid", "name"),
        ("invalid", "email"),
        ("invalid", "question"),
        ("not_found", None),
        ("bad_frame", "last_seq"),
    ]
    assert all(a["type"] == "error" and a["message"] for a in answers)
    assert Conversation.objects.count() == Ticket.objects.count() == 0


def test_outside_chat_hours_the_customer_leaves_a_message_as_a_ticket(site, chat_closed):
    async def scenario():
        socket = widget()
        await socket.connect()
        ready = await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        refused = await socket.receive_json_from(timeout=5)
        await socket.send_json_to(
            {
                "type": "leave_message",
                "name": "Maria Santos",
                "email": "maria@example.test",
                "text": "Call me?",
            }
        )
        left = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return ready, refused, left

    ready, refused, left = async_to_sync(scenario)()
    assert ready["open"] is False
    assert (refused["type"], refused["code"]) == ("error", "closed")
    ticket = Ticket.objects.get(pk=left["ticket"])
    assert (ticket.channel, ticket.requester.first_name) == ("chat", "Maria")
    assert list(ticket.messages.values_list("body_text", flat=True)) == ["Call me?"]
    assert list(ticket.tags.values_list("name", flat=True)) == ["chat-message-left"]
    assert Conversation.objects.count() == 0


def test_when_no_agent_accepts_in_time_the_message_goes_on_the_chat_ticket(site, settings):
    settings.FRONTLINE_CHAT_ACCEPT_SECONDS = 0

    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        fallback, _ = await receive_until(socket, "fallback")
        await socket.send_json_to({"type": "leave_message", "text": "Please email me the steps."})
        left, _ = await receive_until(socket, "left")
        _ended, frames = await receive_until(socket, "ended")
        await socket.disconnect()
        return fallback, left, frames

    fallback, left, frames = async_to_sync(scenario)()
    conversation = Conversation.objects.get()
    assert fallback == {"type": "fallback", "reason": "no_agent"}
    assert left["ticket"] == conversation.ticket_id
    assert conversation.state == "abandoned"
    assert conversation.fallback_offered_at is not None
    assert list(Message.objects.filter(ticket_id=left["ticket"]).values_list("body_text", flat=True)) == [
        "My aircon is warm",
        "Please email me the steps.",
    ]
    assert Interaction.objects.get().state == "abandoned"
    assert [(f["type"], f.get("seq"), f.get("state")) for f in frames] == [
        ("message", 2, None),
        ("ended", None, "abandoned"),
    ]


def test_a_callback_instead_of_waiting(site):
    voice = Queue.objects.create(name="Phone", channel="voice")
    VoiceLine.objects.create(name="Hotline", provider="cti", phone_number="+6328123456", queue=voice)

    async def scenario():
        socket = widget()
        await socket.connect()
        ready = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "callback", "name": "Maria", "phone": "not a phone"})
        wrong = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "callback", "name": "Maria", "phone": "+63 917 123 4567"})
        done = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return ready, wrong, done

    ready, wrong, done = async_to_sync(scenario)()
    assert ready["offers"] == ["leave_message", "callback"]
    assert (wrong["code"], wrong["field"]) == ("invalid", "phone")
    assert done == {"type": "callback_requested"}
    request = CallbackRequest.objects.get()
    assert (request.phone, request.name, request.source) == ("+639171234567", "Maria", "website")


def test_the_transcript_is_emailed_on_request_in_the_chat_language(site, agent):
    async def scenario():
        socket = widget(query="lang=fil")
        await socket.connect()
        ready = await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        conversation = await sync_to_async(Conversation.objects.get)()
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Linisin po ang filter.")
        await receive_until(socket, "message")
        await socket.send_json_to({"type": "transcript"})
        sent, _ = await receive_until(socket, "transcript_sent")
        await socket.disconnect()
        return ready, sent

    ready, _sent = async_to_sync(scenario)()
    assert ready["language"] == "fil"
    assert ready["strings"]["start"] != "Start the chat"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["maria@example.test"]
    assert "Maria Santos: My aircon is warm" in email.body
    assert "Ana: Linisin po ang filter." in email.body


def test_an_agent_note_never_reaches_the_widget(site, agent):
    api = Api(agent)

    async def scenario():
        socket = widget()
        await socket.connect()
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to(FORM)
        await receive_until(socket, "started")
        await receive_until(socket, "message")
        conversation = await sync_to_async(Conversation.objects.get)()
        response = await sync_to_async(api.post)(
            f"/tickets/{conversation.ticket_id}/messages", {"direction": "note", "body_text": "VIP"}
        )
        assert response.status_code == 201, response.content
        await sync_to_async(_reply)(agent, conversation.ticket_id, "Hello!")
        line = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return line

    line = async_to_sync(scenario)()
    assert (line["seq"], line["text"]) == (2, "Hello!")
    assert not ChatEntry.objects.filter(body="VIP").exists()
