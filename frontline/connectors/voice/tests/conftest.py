"""Voice test helpers: a Twilio line, payloads in Twilio's form encoding, signed requests, phone hours."""

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from frontline.connectors.voice.models import VoiceLine
from frontline.connectors.voice.twilio import compute_signature
from frontline.routing.models import Queue
from frontline.sla.models import BusinessCalendarConfig, ChannelHours

AUTH_TOKEN = "twilio-auth-token-for-tests"
BASE = "https://frontline.example.test"
CALL_SID = "CA5f0b2a4c3d1e6f7a8b9c0d1e2f3a4b5c"
#: Monday 23 November 2026, 09:00 in Manila.
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"


def form(name, **changes):
    """A stored Twilio payload as (name, value) pairs, with some parameters changed."""
    pairs = parse_qsl((FIXTURES / f"{name}.form").read_text(), keep_blank_values=True)
    seen = set()
    result = []
    for key, value in pairs:
        if key in changes:
            if key in seen:
                continue
            value = changes[key]
            seen.add(key)
        result.append((key, value))
    result += [(key, value) for key, value in changes.items() if key not in seen and key not in dict(pairs)]
    return result


def twilio_post(client, line, endpoint, pairs, *, query="", token=AUTH_TOKEN, signature=None):
    path = f"/voice/twilio/{line.pk}/{endpoint}" + (f"?{query}" if query else "")
    signed = signature if signature is not None else compute_signature(BASE + path, pairs, token)
    return client.post(
        path,
        data=urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signed,
    )


@pytest.fixture(autouse=True)
def _public_origin(settings):
    settings.FRONTLINE_BASE_URL = BASE
    settings.FRONTLINE_DEFAULT_COUNTRY_CODE = "63"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voice_queue():
    return Queue.objects.create(name="Phone", channel="voice", offer_timeout_seconds=20, wrap_up_seconds=30)


@pytest.fixture
def callback_queue():
    return Queue.objects.create(
        name="Callbacks", channel="callback", offer_timeout_seconds=20, wrap_up_seconds=0
    )


@pytest.fixture
def line(voice_queue, callback_queue):
    return VoiceLine.objects.create(
        name="Hotline",
        provider="twilio",
        phone_number="+6328123456",
        queue=voice_queue,
        callback_queue=callback_queue,
        twilio_account_sid="ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        twilio_auth_token=AUTH_TOKEN,
        language="en-US",
        greeting="Hello & welcome to <Aurora> appliances.",
    )


@pytest.fixture
def cti_line(voice_queue, callback_queue):
    return VoiceLine.objects.create(
        name="PBX",
        provider="cti",
        phone_number="+6328999000",
        queue=voice_queue,
        callback_queue=callback_queue,
    )


@pytest.fixture
def phone_hours():
    """The phone line is open Monday to Friday, 09:00-18:00 Manila time (01:00-10:00 UTC)."""
    calendar = BusinessCalendarConfig.objects.create(
        name="Manila office",
        timezone="Asia/Manila",
        weekly_hours={str(day): [["09:00", "18:00"]] for day in range(5)},
    )
    return ChannelHours.objects.create(channel="voice", calendar=calendar, outside_hours="callback")
