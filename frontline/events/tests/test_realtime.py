import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from frontline.events.models import Event
from frontline.events.realtime import paused, publish


def _event(pk=1):
    from django.utils import timezone

    return Event(
        pk=pk,
        occurred_at=timezone.now(),
        actor_label="system",
        verb="x.done",
        target_type="ticket",
        target_id=7,
    )


@pytest.fixture
def listener(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("ticket.7", channel)
    yield layer, channel
    channel_layers.backends.clear()


def test_listeners_of_the_object_hear_its_events(listener):
    layer, channel = listener
    publish(sender=Event, event=_event())
    message = async_to_sync(layer.receive)(channel)
    assert (message["verb"], message["target_id"]) == ("x.done", 7)


def test_paused_publishing_sends_nothing(listener):
    layer, channel = listener
    with paused():
        publish(sender=Event, event=_event(1))
    publish(sender=Event, event=_event(2))
    assert async_to_sync(layer.receive)(channel)["id"] == 2
