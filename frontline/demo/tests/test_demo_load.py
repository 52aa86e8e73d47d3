import io
import re

import pytest
from django.core.management import call_command

from frontline.accounts.models import Role, Team, User
from frontline.accounts.selectors import user_role
from frontline.demo.company import DEMO_PASSWORD, conversation_shape, load_demo
from frontline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
TAGALOG = re.compile(r"\b(po|hindi|salamat|pakisuri|naman|pwede)\b", re.IGNORECASE)
ENGLISH = re.compile(r"\b(the|please|thank you)\b", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The loader hashes fifteen passwords; the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_loads_a_small_company_with_staff_teams_customers_and_tickets():
    counts = load_demo(scale=0.02)

    assert counts["teams"] == 3
    assert counts["agents"] == 12
    assert counts["supervisors"] == 2
    assert counts["admins"] == 1
    assert counts["customers"] == 6 + 4  # and the four who wrote to the demo mailbox (demo/mail.py)
    assert counts["tickets"] == 40 + 4
    assert counts["messages"] >= counts["tickets"]
    assert counts["organizations"] == 10
    assert counts["plans"] == 2
    assert set(Team.objects.values_list("name", flat=True)) == {
        "Sales & Orders",
        "Technical Support",
        "Complaints & Returns",
    }
    assert Team.objects.get(name="Technical Support").is_private
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(DEMO_PASSWORD)
    assert user_role(User.objects.get(username="supervisor1")) == Role.SUPERVISOR
    assert user_role(User.objects.get(username="agent12")) == Role.AGENT


def test_messages_are_written_in_english_tagalog_and_chinese():
    load_demo(scale=0.02)

    bodies = list(Message.objects.exclude(direction="note").values_list("body_text", flat=True))
    assert any(CJK.search(body) for body in bodies)
    assert any(TAGALOG.search(body) for body in bodies)
    assert any(ENGLISH.search(body) and not CJK.search(body) for body in bodies)


def test_every_assignee_is_an_agent_of_the_ticket_team():
    load_demo(scale=0.02)

    tickets = Ticket.objects.select_related("team", "assignee").prefetch_related("team__agents")
    for ticket in tickets:
        assert ticket.team is not None
        if ticket.assignee is not None:
            assert ticket.assignee.agent in ticket.team.agents.all(), ticket
    assert Ticket.objects.exclude(assignee=None).exists()


def test_ticket_status_fits_the_conversation():
    load_demo(scale=0.02)

    for ticket in Ticket.objects.prefetch_related("messages"):
        directions = [message.direction for message in ticket.messages.all()]
        assert 1 <= len(directions) <= 6
        assert directions[0] == "inbound"
        if ticket.status == "new":
            assert "outbound" not in directions
        else:
            assert "outbound" in directions
        if ticket.status in ("solved", "closed"):
            assert ticket.solved_at is not None


def test_a_second_load_creates_nothing():
    first = load_demo(scale=0.02)
    out = io.StringIO()

    second = load_demo(scale=0.02, stdout=out)

    assert second == first
    assert "already loaded" in out.getvalue()


def test_a_load_that_fails_part_way_leaves_nothing_behind(monkeypatch):
    from frontline.customers.models import Customer
    from frontline.demo import company

    written = []
    write_ticket = company._write_ticket

    def fail_on_the_fifth(draft, now):
        if len(written) == 4:
            raise RuntimeError("disk full")
        written.append(write_ticket(draft, now))
        return written[-1]

    monkeypatch.setattr(company, "_write_ticket", fail_on_the_fifth)

    with pytest.raises(RuntimeError, match="disk full"):
        load_demo(scale=0.02)

    assert not User.objects.exists()
    assert not Customer.objects.exists()
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    assert load_demo(scale=0.02)["tickets"] == 40 + 4  # with the demo mailbox's


def test_the_command_prints_the_logins():
    out = io.StringIO()

    call_command("demo_load", "--scale", "0.01", stdout=out)

    text = out.getvalue()
    assert "supervisor1" in text
    assert DEMO_PASSWORD in text
    assert "http://127.0.0.1:8000/admin/" in text
    assert "http://127.0.0.1:8000/api/v1/docs" in text
    assert "http://127.0.0.1:8000/chat/demo/" in text


@pytest.mark.parametrize("status", ["new", "open", "pending", "on_hold", "solved", "closed"])
def test_conversation_shapes_have_one_to_six_messages_and_start_with_the_customer(status):
    import random

    rng = random.Random(7)
    for _ in range(200):
        kinds = conversation_shape(rng, status)
        assert 1 <= len(kinds) <= 6
        assert kinds[0] == "opening"
        talk = [kind for kind in kinds if kind not in ("note", "hold_note")]
        if status in ("pending", "on_hold"):
            assert talk[-1] == "reply"
        if status in ("solved", "closed"):
            assert "resolution" in talk


def test_solved_and_closed_times_stay_in_the_past():
    from django.utils import timezone

    started = timezone.now()
    load_demo(scale=0.02)
    closed = Ticket.objects.filter(status="closed")
    assert closed.exists()
    for ticket in closed:
        assert ticket.solved_at is not None
        assert ticket.closed_at is not None
        assert (
            ticket.created_at
            <= ticket.solved_at
            <= ticket.closed_at
            <= started + timezone.timedelta(seconds=5)
        )


def test_the_demo_mailbox_shows_real_world_mail_and_a_quarantine():
    from frontline.connectors.email.models import InboundEmail
    from frontline.demo.mail import ADDRESS

    load_demo(scale=0.02)

    mail = InboundEmail.objects.filter(mailbox__address=ADDRESS)
    assert sorted(mail.values_list("status", flat=True)) == ["processed"] * 4 + ["quarantined"] * 2
    subjects = set(
        Ticket.objects.filter(
            channel="email",
            requester__contact_points__value__in=[
                "rosa.villanueva@example.ph",
                "carlo.reyes@example.ph",
                "wang.fang@example.cn",
                "hanako.sato@example.co.jp",
            ],
        ).values_list("subject", flat=True)
    )
    assert subjects == {
        "Application: field technician (Cebu)",
        "FW: Delivery of order AUR-7710 rescheduled",
        "冰箱不制冷，请尽快安排维修",
        "①②の不具合",
    }
    forwarded = Message.objects.get(ticket__subject="FW: Delivery of order AUR-7710 rescheduled")
    assert "Subject: Delivery of order AUR-7710 rescheduled" in forwarded.body_text
    assert forwarded.attachments.get().filename == "Delivery of order AUR-7710 rescheduled.eml"


def test_the_desk_opens_with_sla_clocks_counting_and_mentions_in_the_bells():
    from frontline.notifications.models import Notification
    from frontline.sla.models import SlaClock

    load_demo(scale=0.02)

    open_tickets = Ticket.objects.filter(status__in=("new", "open", "pending", "on_hold"))
    assert SlaClock.objects.filter(ticket__in=open_tickets).exists()
    bells = set(Notification.objects.filter(kind="mention").values_list("user__username", flat=True))
    assert bells == {"agent1", "supervisor1"}
