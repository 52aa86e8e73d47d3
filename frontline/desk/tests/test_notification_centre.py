"""The notification centre: the bell's list and page show only one's own, mark read and mark all read."""

from __future__ import annotations

import pytest

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.notifications.models import Notification
from frontline.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_bell_counts_and_lists_only_the_users_own_unread_notifications(client, agent, team, make_ticket):
    ticket = make_ticket(team=team)
    ben = staff(Role.AGENT, teams=[team], username="ben")
    notify(user=agent, title="Ben mentioned you", body="call her", ticket=ticket, kind="mention")
    notify(user=ben, title="Not for Ana")
    client.force_login(agent)

    page = client.get("/desk/").content.decode()
    panel = client.get("/desk/notifications/panel/").content.decode()

    assert 'data-count="1"' in page
    assert "Ben mentioned you" in panel
    assert f'href="/desk/tickets/{ticket.pk}/"' in panel
    assert "Not for Ana" not in panel
    assert "Not for Ana" not in client.get("/desk/notifications/").content.decode()


def test_mark_one_read_and_mark_all_read(client, agent):
    first = notify(user=agent, title="One")
    notify(user=agent, title="Two")
    client.force_login(agent)

    response = client.post(f"/desk/notifications/{first.pk}/read/", {"next": "/desk/notifications/"})

    assert response["Location"] == "/desk/notifications/"
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True)) == ["Two"]
    client.post("/desk/notifications/read-all/", HTTP_X_REQUESTED_WITH="fetch")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'data-count="0"' in client.get("/desk/").content.decode()


def test_someone_elses_notification_is_404_and_stays_unread(client, agent, team):
    ben = staff(Role.AGENT, teams=[team], username="ben")
    theirs = notify(user=ben, title="Ben's")
    client.force_login(agent)

    response = client.post(f"/desk/notifications/{theirs.pk}/read/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_next_address_off_the_desk_is_ignored(client, agent):
    notification = notify(user=agent, title="One")
    client.force_login(agent)
    response = client.post(f"/desk/notifications/{notification.pk}/read/", {"next": "https://evil.test/"})
    assert response["Location"] == "/desk/notifications/"
