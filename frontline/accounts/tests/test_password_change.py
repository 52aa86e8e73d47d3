"""A staff password change (by an admin, or by themselves) ends the user's other sessions and tokens."""

from __future__ import annotations

import pytest
from django.test import Client

from frontline.accounts.factories import staff
from frontline.accounts.models import ApiToken, Role
from frontline.accounts.testing import Api
from frontline.events.models import Event

pytestmark = pytest.mark.django_db

NEW = "a-fresh-passphrase-91"


@pytest.fixture
def admin_client():
    admin = staff(Role.ADMIN, username="adele", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    client.user = admin
    return client


def test_an_admin_setting_an_agents_password_ends_the_agents_sessions_and_tokens(admin_client):
    agent = staff(Role.AGENT, username="ana")
    desk = Client()
    desk.force_login(agent)
    api = Api(agent)
    assert desk.get("/desk/").status_code == 200

    response = admin_client.post(
        f"/admin/accounts/user/{agent.pk}/password/",
        {"usable_password": "true", "password1": NEW, "password2": NEW},
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    agent.refresh_from_db()
    assert agent.check_password(NEW)
    assert desk.get("/desk/").status_code == 302
    assert api.get("/tickets").status_code == 401
    event = Event.objects.get(verb="user.password_changed", target_id=agent.pk)
    assert (event.actor, event.after) == (admin_client.user, {"api_tokens_revoked": [api_token_id(agent)]})
    assert NEW not in str(Event.objects.values_list("before", "after"))


def api_token_id(user):
    return ApiToken.objects.get(user=user).pk


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(admin_client):
    admin = admin_client.user
    admin.set_password("the-old-passphrase-12")
    admin.save()
    admin_client.force_login(admin)
    elsewhere = Client()
    elsewhere.force_login(admin)
    api = Api(admin)

    response = admin_client.post(
        "/admin/password_change/",
        {"old_password": "the-old-passphrase-12", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    assert admin_client.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    assert api.get("/tickets").status_code == 401
    assert ApiToken.objects.get(user=admin).revoked_at is not None
