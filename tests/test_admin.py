"""Every admin page an admin uses opens, and admin edits are recorded as events."""

import pytest
from django.contrib import admin
from django.urls import reverse

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = staff(Role.ADMIN)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_every_registered_model_has_working_list_and_add_pages(admin_client):
    ticket = services.ticket_create(actor=None, requester=CustomerFactory(), subject="x", body_text="y")
    for model in admin.site._registry:
        meta = model._meta
        changelist = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, meta.label
    page = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert page.status_code == 200


def test_admin_edits_record_events(admin_client):
    team = TeamFactory(name="Returns")
    response = admin_client.post(
        reverse("admin:accounts_team_change", args=[team.pk]),
        {"name": "Returns & Refunds", "description": "", "lead": ""},
    )
    assert response.status_code == 302
    event = Event.objects.get(verb="team.changed_in_admin")
    assert event.after == {"name": "Returns & Refunds"}


def test_agents_cannot_open_the_admin(client):
    client.force_login(staff(Role.AGENT))
    assert client.get("/admin/").status_code == 302
