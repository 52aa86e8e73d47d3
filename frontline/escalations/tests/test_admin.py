"""Rosters edited in the admin get the same checks as through the API."""

import pytest
from django.urls import reverse

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.escalations.models import OnCallRoster, OnCallShift

pytestmark = pytest.mark.django_db


def _form(weekdays):
    return {
        "name": "Managers",
        "timezone": "Asia/Manila",
        "description": "",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-0-position": "0",
        "shifts-0-name": "Mara",
        "shifts-0-phone": "+639171234567",
        "shifts-0-email": "",
        "shifts-0-weekdays": weekdays,
        "shifts-0-start": "00:00",
        "shifts-0-end": "00:00",
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
    }


@pytest.fixture
def admin_client(client):
    user = staff(Role.ADMIN)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_a_roster_with_a_shift_is_saved_with_weekday_names(admin_client):
    response = admin_client.post(reverse("admin:escalations_oncallroster_add"), _form('["Monday", 1]'))
    assert response.status_code == 302
    assert OnCallShift.objects.get().weekdays == ["mon", "tue"]
    changelist = admin_client.get(reverse("admin:escalations_oncallroster_changelist"))
    assert changelist.status_code == 200


def test_a_bad_weekday_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post(reverse("admin:escalations_oncallroster_add"), _form('["funday"]'))
    assert response.status_code == 200
    assert "not a weekday" in response.content.decode()
    assert not OnCallRoster.objects.exists()
