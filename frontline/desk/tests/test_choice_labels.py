"""The labels agents and customers read (channel, status, presence, SLA state…) are translated."""

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from frontline.routing.models import Interaction, NotReadyReason, PresenceState
from frontline.sla.models import SlaClock
from frontline.tickets.models import Channel, Message, Ticket

CHOICES = [
    Channel,
    Ticket.Status,
    Ticket.Priority,
    Message.Direction,
    PresenceState,
    NotReadyReason,
    Interaction.State,
    SlaClock.Metric,
    SlaClock.State,
]


@pytest.mark.parametrize("language", ["fil", "zh-hans"])
def test_every_choice_label_has_a_translation(language):
    catalog = trans_real.translation(language)._catalog  # what gettext looks up, all apps merged
    with translation.override("en"):
        labels = [(f"{c.__qualname__}.{m.name}", str(m.label)) for c in CHOICES for m in c]
    assert [name for name, label in labels if not catalog.get(label)] == []
    with translation.override(language):
        assert str(Ticket.Status.ON_HOLD.label) != "On hold"
