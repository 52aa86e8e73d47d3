"""The admin configures scripts and phrases (with events); findings are read-only."""

import pytest
from django.test import Client

from frontline.accounts.factories import UserFactory
from frontline.events.models import Event
from frontline.scripts.models import ForbiddenPhrase
from frontline.scripts.selectors import compliance_check, forbidden_phrases_active

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_changelists_open(admin_client):
    for model in ("script", "forbiddenphrase", "compliancefinding"):
        assert admin_client.get(f"/admin/scripts/{model}/").status_code == 200, model


def test_findings_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get("/admin/scripts/compliancefinding/add/").status_code == 403


def test_a_phrase_saved_in_the_admin_is_checked_at_once_and_recorded(admin_client):
    assert len(forbidden_phrases_active()) == 9  # the seeded phrases are now cached
    response = admin_client.post(
        "/admin/scripts/forbiddenphrase/add/",
        {"language": "en", "phrase": "Not my job", "alternative": "Let me find who can help.", "active": "1"},
    )
    assert response.status_code == 302, response.content
    row = ForbiddenPhrase.objects.get(phrase="Not my job")
    assert Event.objects.filter(verb="forbiddenphrase.created_in_admin", target_id=row.pk).exists()
    findings = compliance_check(text="That's not my job.", language="en", channel="api", is_first_reply=False)
    assert [f.suggestion for f in findings] == ["Let me find who can help."]
