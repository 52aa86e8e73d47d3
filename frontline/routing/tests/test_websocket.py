"""Live contact-center updates: the wallboard for supervisors, offers on the agent's own socket."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import session_cookie
from frontline.routing import services
from frontline.routing.models import Queue
from frontline.routing.tests.conftest import make_agent


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _socket(path, cookie=None):
    from frontline.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.mark.django_db(transaction=True)
def test_wallboard_updates_and_the_agent_hears_the_offer():
    queue = Queue.objects.create(name="Phone", channel="voice")
    supervisor = staff(Role.SUPERVISOR)
    ana = make_agent()
    supervisor_cookie, ana_cookie = session_cookie(supervisor), session_cookie(ana)

    async def scenario():
        board = _socket("/ws/wallboard/", supervisor_cookie)
        assert (await board.connect())[0]
        first = await board.receive_json_from(timeout=5)
        me = _socket("/ws/me/", ana_cookie)
        assert (await me.connect())[0]
        await sync_to_async(services.presence_set)(actor=ana, user=ana, state="available")
        presence = await me.receive_json_from(timeout=5)
        await sync_to_async(services.interaction_enqueue)(queue=queue)
        offer = None
        while offer is None:
            message = await me.receive_json_from(timeout=5)
            if message.get("verb") == "interaction.offered":
                offer = message
        updates = [await board.receive_json_from(timeout=5) for _ in range(2)]
        await board.disconnect()
        await me.disconnect()
        agent_board = _socket("/ws/wallboard/", ana_cookie)
        refused = await agent_board.connect()
        return first, presence, offer, updates, refused

    first, presence, offer, updates, refused = async_to_sync(scenario)()
    assert first["queues"][0]["queue"] == "Phone"
    assert (presence["verb"], presence["state"]) == ("presence.changed", "available")
    assert offer["offered_to"] == [ana.pk]
    assert updates[-1]["type"] == "wallboard"
    assert refused == (False, 4403)
