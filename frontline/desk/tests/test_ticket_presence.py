"""Who else is on a ticket: viewing and typing announced over the ticket's websocket, to staff only."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import session_cookie
from frontline.customers.factories import portal_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _socket(path, cookie):
    from frontline.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", cookie)]
    return WebsocketCommunicator(application, path, headers=headers)


def test_agents_see_each_other_viewing_typing_and_leaving(agent, team, make_ticket, customer):
    ticket = make_ticket("Aircon", team=team)
    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    path = f"/ws/tickets/{ticket.pk}/"
    ana_cookie, ben_cookie = session_cookie(agent), session_cookie(ben)
    customer_cookie = session_cookie(portal_user(customer))

    async def scenario():
        ana = _socket(path, ana_cookie)
        assert (await ana.connect())[0]
        ben_socket = _socket(path, ben_cookie)
        assert (await ben_socket.connect())[0]
        ana_hears_ben = await ana.receive_json_from(timeout=5)
        ben_hears_ana = await ben_socket.receive_json_from(timeout=5)  # the answer to Ben's "who is here?"
        await ben_socket.send_json_to({"type": "typing"})
        ana_hears_typing = await ana.receive_json_from(timeout=5)
        await ben_socket.send_json_to({"type": "typing"})  # no change: nothing is sent
        await ben_socket.send_json_to({"type": "dancing"})  # not a state: ignored
        customer_socket = _socket(path, customer_cookie)
        customer_connected = (await customer_socket.connect())[0]
        await customer_socket.send_json_to({"type": "typing"})  # customers do not announce
        customer_heard_nothing = await customer_socket.receive_nothing(timeout=0.2)
        await ben_socket.disconnect()
        ana_hears_left = await ana.receive_json_from(timeout=5)
        ana_heard_no_more = await ana.receive_nothing(timeout=0.2)
        await customer_socket.disconnect()
        await ana.disconnect()
        return (
            ana_hears_ben,
            ben_hears_ana,
            ana_hears_typing,
            customer_connected,
            customer_heard_nothing,
            ana_hears_left,
            ana_heard_no_more,
        )

    ana_hears_ben, ben_hears_ana, typing, customer_connected, customer_quiet, left, quiet = async_to_sync(
        scenario
    )()

    assert ana_hears_ben == {"type": "presence", "user": ben.pk, "name": "Ben Cruz", "state": "viewing"}
    assert ben_hears_ana == {"type": "presence", "user": agent.pk, "name": "Ana Reyes", "state": "viewing"}
    assert typing == {"type": "presence", "user": ben.pk, "name": "Ben Cruz", "state": "typing"}
    assert customer_connected
    assert customer_quiet
    assert left == {"type": "presence", "user": ben.pk, "name": "Ben Cruz", "state": "left"}
    assert quiet


def test_an_agent_who_may_not_see_the_ticket_is_refused(agent, private_team, make_ticket):
    ticket = make_ticket("VIP", team=private_team)
    cookie = session_cookie(agent)

    async def scenario():
        socket = _socket(f"/ws/tickets/{ticket.pk}/", cookie)
        connected, code = await socket.connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4404)
