"""One sign-in for staff: every way in (desk, admin, API session, token creation, sockets) asks for
the second factor of a user who has one; a session opened with the password alone gets nothing."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontline.accounts.factories import staff
from frontline.accounts.models import ApiToken, Role
from frontline.accounts.testing import session_cookie

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def admin_user(db):
    user = staff(Role.ADMIN, username="adele")
    user.is_staff = True
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def device(admin_user):
    return TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)


def test_the_admin_password_form_does_not_sign_in_a_user_with_a_second_factor(client, admin_user, device):
    response = client.post("/admin/login/?next=/admin/", {"username": "adele", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/desk/login/?next=/admin/"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_sends_people_to_the_desk_sign_in_and_back_after_the_code(client, admin_user, device):
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/desk/login/?next=/admin/"

    password = client.post("/desk/login/", {"username": "adele", "password": PASSWORD, "next": "/admin/"})
    assert password["Location"] == "/desk/login/verify/"
    assert client.get("/admin/").status_code == 302  # the password alone is not enough

    code = client.post("/desk/login/verify/", {"token": _code(device)})

    assert code["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"  # signed in: nothing more to ask


def test_the_admin_refuses_a_properly_signed_in_agent_without_asking_again(client):
    client.force_login(staff(Role.AGENT))
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403


def test_an_admin_without_a_second_factor_signs_in_with_the_password_through_the_desk(client, admin_user):
    response = client.post("/desk/login/", {"username": "adele", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.fixture
def password_only(client, admin_user, device):
    """A session opened with the password only (as the admin's old form or the portal did)."""
    client.force_login(admin_user)
    return client


def test_a_password_only_session_gets_no_desk_page(password_only):
    response = password_only.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/login/")


def test_a_password_only_session_gets_no_admin_page(password_only):
    assert password_only.get("/admin/accounts/user/").status_code == 302


def test_a_password_only_session_gets_no_api_answer(password_only):
    response = password_only.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "second_factor_required"


def test_a_password_only_session_cannot_create_an_api_token(password_only, admin_user):
    response = password_only.post(
        "/api/v1/tokens", {"name": "escape", "scope": "write"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not ApiToken.objects.filter(user=admin_user).exists()


def test_a_verified_session_reaches_the_api_and_creates_tokens(client, admin_user, device):
    client.post("/desk/login/", {"username": "adele", "password": PASSWORD})
    client.post("/desk/login/verify/", {"token": _code(device)})

    assert client.get("/api/v1/tickets").status_code == 200
    # The API's session auth checks CSRF on writes; the desk's pages carry the token.
    client.get("/desk/")
    created = client.post(
        "/api/v1/tokens",
        {"name": "script", "scope": "read"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert created.status_code == 201
    assert ApiToken.objects.filter(user=admin_user, name="script").count() == 1


def _socket(cookie: bytes) -> bool:
    from frontline.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", cookie)]

    async def connect() -> bool:
        communicator = WebsocketCommunicator(application, "/ws/me/", headers=headers)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return bool(connected)

    return async_to_sync(connect)()


@pytest.mark.django_db(transaction=True)
def test_staff_sockets_need_the_second_factor_too():
    user = staff(Role.SUPERVISOR, username="sam")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    cookie = session_cookie(user)
    assert not _socket(cookie)

    session = SessionStore(session_key=cookie.decode().split("=", 1)[1])
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert _socket(cookie)


def _sign_in(client, password, address="198.51.100.66"):
    return client.post("/desk/login/", {"username": "adele", "password": password}, REMOTE_ADDR=address)


def test_password_guessing_at_the_desk_is_stopped_with_when_to_try_again(client, admin_user):
    from frontline.accounts.sign_in_limits import ACCOUNT_AT_ADDRESS

    for _ in range(ACCOUNT_AT_ADDRESS):
        assert _sign_in(client, "guess").status_code == 200

    refused = _sign_in(client, PASSWORD)  # even the right password, from this address, for now

    assert refused.status_code == 429
    assert 850 <= int(refused["Retry-After"]) <= 900
    assert "Too many failed sign-ins. Try again in 15 min." in refused.content.decode()
    assert SESSION_KEY not in client.session
    assert _sign_in(client, PASSWORD, address="203.0.113.7")["Location"] == "/desk/"  # the owner, at home


def test_the_refusal_is_in_the_staff_members_language(client, admin_user):
    from frontline.accounts.sign_in_limits import ACCOUNT_AT_ADDRESS

    for _ in range(ACCOUNT_AT_ADDRESS):
        _sign_in(client, "guess")
    client.cookies["django_language"] = "zh-hans"
    assert "登录失败次数过多" in _sign_in(client, "guess").content.decode()
