"""The profile page: name, language, time zone, contact preferences, and an optional password."""

from __future__ import annotations

import pytest

from frontline.customers.factories import CustomerFactory
from frontline.customers.models import ContactPoint

pytestmark = pytest.mark.django_db


def profile_form(ana, **changes):
    data = {
        "action": "profile",
        "salutation": "Ms",
        "first_name": "Ana",
        "last_name": "Reyes",
        "language": "fil",
        "timezone": "Asia/Manila",
        "primary_email": str(ana.contact_points.get(kind="email").pk),
        "add_phone": "",
    }
    data.update(changes)
    return data


def test_the_profile_saves_language_time_zone_and_a_phone(ana_client, ana):
    response = ana_client.post("/portal/profile/", profile_form(ana, add_phone="0917 555 0101"))
    assert response["Location"] == "/portal/profile/?saved=profile"
    ana.refresh_from_db()
    assert (ana.salutation, ana.language, ana.timezone) == ("Ms", "fil", "Asia/Manila")
    assert ana.contact_points.get(kind="phone").normalized == "+639175550101"
    ana.user.refresh_from_db()
    assert (ana.user.language, ana.user.timezone) == ("fil", "Asia/Manila")
    page = ana_client.get("/portal/profile/?saved=profile")
    assert page.content.decode().startswith('<!doctype html>\n<html lang="fil">')


def test_the_preferred_email_becomes_the_primary_one(ana_client, ana):
    data = profile_form(ana)
    second = ContactPoint.objects.create(
        customer=ana, kind="email", value="ana.work@example.ph", normalized="ana.work@example.ph"
    )
    ana_client.post("/portal/profile/", {**data, "primary_email": str(second.pk)})
    assert list(ana.contact_points.filter(kind="email", is_primary=True)) == [second]


def test_bad_input_is_refused_naming_the_field(ana_client, ana):
    response = ana_client.post("/portal/profile/", profile_form(ana, timezone="Mars/Olympus", language="xx"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Time zone: Select a valid choice." in page
    assert "Language: Select a valid choice." in page
    ana.refresh_from_db()
    assert ana.timezone == ""


def test_a_phone_of_another_customer_is_refused(ana_client, ana):
    other = CustomerFactory()
    ContactPoint.objects.create(
        customer=other, kind="phone", value="0917 555 0101", normalized="+639175550101"
    )
    response = ana_client.post("/portal/profile/", profile_form(ana, add_phone="0917 555 0101"))
    assert response.status_code == 400
    assert "Add a phone number: This phone number belongs to another customer." in response.content.decode()
    ana.refresh_from_db()
    assert ana.language == "en"


def test_another_customers_email_cannot_be_made_primary(ana_client, ana):
    theirs = CustomerFactory().contact_points.get()
    response = ana_client.post("/portal/profile/", profile_form(ana, primary_email=str(theirs.pk)))
    assert response.status_code == 400
    assert theirs.customer.contact_points.get().is_primary


def test_a_password_can_be_set_and_then_used_to_sign_in(ana_client, client, ana):
    weak = ana_client.post(
        "/portal/profile/", {"action": "password", "current_password": "pw-for-tests-only", "password": "123"}
    )
    assert weak.status_code == 400
    assert "New password: This password is too short." in weak.content.decode()
    ok = ana_client.post(
        "/portal/profile/",
        {"action": "password", "current_password": "pw-for-tests-only", "password": "kalamansi-juice-42"},
    )
    assert ok["Location"] == "/portal/profile/?saved=password"
    assert ana_client.get("/portal/").status_code == 200  # still signed in

    form = {
        "action": "password",
        "password-email": "ana@example.ph",
        "password-password": "kalamansi-juice-42",
    }
    assert client.post("/portal/login/", form)["Location"] == "/portal/"


def test_the_profile_needs_a_signed_in_customer(client):
    assert client.get("/portal/profile/")["Location"] == "/portal/login/?next=/portal/profile/"


def test_changing_a_password_asks_for_the_current_one_and_signs_out_everything_else(ana_client, ana):
    from django.test import Client

    from frontline.accounts.models import ApiToken
    from frontline.accounts.testing import Api

    ana.user.set_password("kalamansi-juice-42")
    ana.user.save()
    ana_client.force_login(ana.user)  # this browser, signed in again after the password was set
    phone = Client()
    phone.force_login(ana.user)
    api = Api(ana.user)
    assert api.get("/tickets").status_code == 200
    assert "Current password" in ana_client.get("/portal/profile/").content.decode()

    for current in ("", "not-my-password"):
        refused = ana_client.post(
            "/portal/profile/",
            {"action": "password", "current_password": current, "password": "calamansi-pie-77"},
        )
        assert refused.status_code == 400
        assert "The current password is not right." in refused.content.decode()
    ana.user.refresh_from_db()
    assert ana.user.check_password("kalamansi-juice-42")
    assert phone.get("/portal/").status_code == 200

    changed = ana_client.post(
        "/portal/profile/",
        {"action": "password", "current_password": "kalamansi-juice-42", "password": "calamansi-pie-77"},
    )

    assert changed["Location"] == "/portal/profile/?saved=password"
    assert ana_client.get("/portal/").status_code == 200  # the browser that changed it stays in
    assert phone.get("/portal/")["Location"].startswith("/portal/login/")  # every other session is out
    assert api.get("/tickets").status_code == 401
    assert not ApiToken.objects.filter(user=ana.user, revoked_at__isnull=True).exists()
