"""Live ticket events over a websocket, through the ASGI application the server runs."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.testing import session_cookie
from frontline.customers.factories import CustomerFactory
from frontline.tickets import services


def _cookie(user):
    return session_cookie(user)


def _communicator(ticket_id, cookie=None):
    from frontline.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/tickets/{ticket_id}/", headers=headers)


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_an_agent_watching_a_ticket_sees_a_new_message_arrive():
    team = TeamFactory()
    ticket = services.ticket_create(actor=None, requester=CustomerFactory(), subject="Oven", team=team)
    cookie = _cookie(staff(teams=[team]))

    async def scenario():
        communicator = _communicator(ticket.pk, cookie)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(services.message_add)(
            actor=None, ticket=ticket, direction="outbound", body_text="A technician comes on Monday"
        )
        received = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
        await communicator.disconnect()
        return received

    received = async_to_sync(scenario)()
    assert [m["verb"] for m in received] == ["message.added", "ticket.status_changed"]
    assert {m["target_id"] for m in received} == {ticket.pk}


@pytest.mark.django_db(transaction=True)
def test_a_ticket_the_user_may_not_see_refuses_like_a_missing_one():
    hidden = services.ticket_create(
        actor=None, requester=CustomerFactory(), subject="x", team=TeamFactory(is_private=True)
    )
    cookie = _cookie(staff())

    async def scenario():
        results = []
        for ticket_id, with_cookie in ((hidden.pk, cookie), (999999, cookie), (hidden.pk, None)):
            communicator = _communicator(ticket_id, with_cookie)
            connected, code = await communicator.connect()
            results.append((connected, code))
        return results

    assert async_to_sync(scenario)() == [(False, 4404), (False, 4404), (False, 4401)]


@pytest.mark.django_db(transaction=True)
def test_a_staff_member_hears_their_own_notifications_only():
    from frontline.accounts.models import Role
    from frontline.notifications.services import notify

    me, other = staff(Role.AGENT), staff(Role.AGENT)
    cookie = _cookie(me)

    async def scenario():
        from frontline.asgi import application

        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", cookie)]
        communicator = WebsocketCommunicator(application, "/ws/me/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(notify)(user=other, title="for someone else")
        await sync_to_async(notify)(user=me, title="Paged", urgent=True, email=False)
        received = await communicator.receive_json_from(timeout=5)
        nothing_more = await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        anonymous = WebsocketCommunicator(application, "/ws/me/", headers=headers[:2])
        refused = await anonymous.connect()
        return received, nothing_more, refused

    received, nothing_more, refused = async_to_sync(scenario)()
    assert received["type"] == "notification"
    assert received["title"] == "Paged"
    assert received["urgent"]
    assert nothing_more
    assert refused == (False, 4401)
