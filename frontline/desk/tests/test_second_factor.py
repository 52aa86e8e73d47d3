"""The optional TOTP second factor (django-otp): enrol from the profile page, then sign in with a code."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.testing import force_login_verified
from frontline.events.models import Event

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _code(device, *, offset_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _wrong(device):
    return f"{(int(_code(device)) + 1) % 10**device.digits:0{device.digits}d}"


@pytest.fixture
def enrolled(client, agent):
    """Ana with a confirmed device, signed out again."""
    client.force_login(agent)
    client.post("/desk/profile/second-factor/start/")
    device = TOTPDevice.objects.get(user=agent)
    client.post("/desk/profile/second-factor/confirm/", {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    device.last_t = -1  # the enrolment used this step's code; a sign-in may use it again in tests
    device.save()
    return device


def test_enrolment_shows_an_svg_qr_code_and_turns_on_with_a_matching_code(client, agent):
    client.force_login(agent)
    assert 'data-second-factor-state="off"' in client.get("/desk/profile/").content.decode()

    client.post("/desk/profile/second-factor/start/")
    page = client.get("/desk/profile/").content.decode()
    device = TOTPDevice.objects.get(user=agent)

    assert 'data-second-factor-state="pending"' in page
    assert "<svg" in page
    assert "</svg>" in page
    assert "otpauth" not in page.split("<svg", 1)[0]  # the secret is only in the QR and the key below it
    assert not device.confirmed

    response = client.post("/desk/profile/second-factor/confirm/", {"token": _code(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert _messages(response) == ["Second factor on: from now on you sign in with a code from your app."]
    assert 'data-second-factor-state="on"' in client.get("/desk/profile/").content.decode()
    assert list(
        Event.objects.filter(target_type="user", target_id=agent.pk).values_list("verb", flat=True)
    ) == [
        "user.otp_enrol_started",
        "user.otp_enabled",
    ]


def test_a_wrong_or_malformed_code_does_not_turn_it_on(client, agent):
    client.force_login(agent)
    client.post("/desk/profile/second-factor/start/")
    device = TOTPDevice.objects.get(user=agent)

    for token in (_wrong(device), "abc", ""):
        response = client.post("/desk/profile/second-factor/confirm/", {"token": token})
        assert _messages(response)[-1] == (
            "That code does not match. Enter the 6-digit code your authenticator app shows now."
        )
    device.refresh_from_db()
    assert not device.confirmed
    assert (
        device.throttling_failure_count == 1
    )  # the wrong code counted (the malformed ones never reached it)


def test_confirming_without_starting_is_refused(client, agent):
    client.force_login(agent)
    response = client.post("/desk/profile/second-factor/confirm/", {"token": "123456"})
    assert _messages(response) == ["Start the set-up first."]
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_sign_in_asks_for_the_code_and_signs_in_only_when_it_matches(client, agent, enrolled):
    response = client.post("/desk/login/", {"username": "ana", "password": "pw-for-tests-only"})

    assert response["Location"] == "/desk/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/desk/").status_code == 302  # not signed in yet
    assert client.get("/desk/login/verify/").status_code == 200

    wrong = client.post("/desk/login/verify/", {"token": _wrong(enrolled)})
    assert wrong.status_code == 400
    assert "That code does not match." in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    throttled = client.post("/desk/login/verify/", {"token": _code(enrolled)})
    assert throttled.status_code == 400  # django-otp waits a moment after a wrong code, even for a right one

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5), tick=False):
        right = client.post("/desk/login/verify/", {"token": _code(enrolled)})

    assert right.status_code == 302
    assert right["Location"] == "/desk/"
    assert client.session["_auth_user_id"] == str(agent.pk)
    assert client.get("/desk/").status_code == 200


def test_the_code_step_without_a_password_first_sends_back_to_sign_in(client, agent, enrolled):
    response = client.post("/desk/login/verify/", {"token": _code(enrolled)})
    assert response["Location"] == "/desk/login/"
    assert "_auth_user_id" not in client.session


def test_staff_without_a_second_factor_sign_in_with_the_password_alone(client, agent):
    response = client.post("/desk/login/", {"username": "ana", "password": "pw-for-tests-only"})
    assert response["Location"] == "/desk/"
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_turning_it_off_needs_a_current_code(client, agent, enrolled):
    force_login_verified(client, agent)
    refused = client.post("/desk/profile/second-factor/disable/", {"token": _wrong(enrolled)})
    assert _messages(refused) == [
        "That code does not match. Enter the 6-digit code your authenticator app shows now."
    ]
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5), tick=False):
        done = client.post("/desk/profile/second-factor/disable/", {"token": _code(enrolled)})

    assert _messages(done)[-1] == "Second factor off."
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert (
        client.post("/desk/login/", {"username": "ana", "password": "pw-for-tests-only"})["Location"]
        == "/desk/"
    )


def test_a_second_set_up_while_on_is_refused(client, agent, enrolled):
    force_login_verified(client, agent)
    response = client.post("/desk/profile/second-factor/start/")
    assert _messages(response) == [
        "A second factor is already set up. Turn it off first to set up a new one."
    ]
    assert TOTPDevice.objects.filter(user=agent).count() == 1


def test_profile_pages_need_a_signed_in_staff_member(client):
    assert client.get("/desk/profile/")["Location"] == "/desk/login/?next=/desk/profile/"
    assert client.post("/desk/profile/second-factor/start/").status_code == 302
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [("fil", "Iyong profile", "Mag-set up ng pangalawang factor"), ("zh-hans", "个人资料", "设置第二重验证")],
)
def test_the_profile_page_in_tagalog_and_chinese(client, agent, language, heading, button):
    agent.language = language
    agent.save()
    client.force_login(agent)
    page = client.get("/desk/profile/").content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert button in page
