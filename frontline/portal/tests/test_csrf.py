"""Every portal POST is refused without Django's CSRF token, and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client

from frontline.portal.models import MagicLink, PendingSubmission
from frontline.portal.tests.conftest import open_ticket
from frontline.tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/portal/login/",
        "/portal/login/some-token/",
        "/portal/logout/",
        "/portal/new/",
        "/portal/new/confirm/some-token/",
        "/portal/deflect",
        "/portal/callback/",
        "/portal/profile/",
        "TICKET",
    ],
)
def test_posts_without_a_csrf_token_are_refused(ana, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana.user)
    ticket = open_ticket(ana)
    target = f"/portal/tickets/{ticket.pk}/" if path == "TICKET" else path
    before = Message.objects.count()
    response = client.post(
        target,
        {"body": "x", "action": "link", "link-email": "ana@example.ph", "subject": "s", "description": "d"},
    )
    assert response.status_code == 403
    assert Message.objects.count() == before
    assert MagicLink.objects.count() == 0
    assert PendingSubmission.objects.count() == 0


def test_the_pages_hand_out_a_csrf_token(ana):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/portal/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/portal/login/", {"action": "link", "link-email": "ana@example.ph", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert MagicLink.objects.count() == 1
