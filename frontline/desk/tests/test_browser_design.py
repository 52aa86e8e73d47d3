"""The desk for all-day work in a real browser: the bell, offer alerts, bulk select-all, send and
solve, the live state badge, accessibility (axe-core) and 1440×900 screenshots in three languages.

Chromium through Playwright against uvicorn (pages and websockets), as test_browser.py.
Screenshots go to test-artifacts/desk/.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.desk.services import note_add
from frontline.desk.tests.test_browser import (  # noqa: F401  (fixtures shared with the desk's browser tests)
    _in_a_plain_thread,
    _sign_in,
    artifacts,
    asgi_server,
)
from frontline.notifications.models import Notification
from frontline.routing.models import PresenceState, Queue
from frontline.routing.services import interaction_enqueue, presence_set
from frontline.sla.models import SlaClock
from frontline.tickets.models import Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def _page(chromium, **options):
    return chromium.new_context(locale="en-US", viewport=WIDE, **options).new_page()


def _clock(ticket, minutes, state=SlaClock.State.RUNNING, metric=SlaClock.Metric.RESOLUTION):
    now = datetime.now(UTC)
    due = now + timedelta(minutes=minutes)
    return SlaClock.objects.create(
        ticket=ticket,
        metric=metric,
        state=state,
        target_minutes=240,
        business_time=False,
        at_risk_ratio=0.8,
        started_at=now - timedelta(hours=1),
        running_since=now - timedelta(hours=1) if state == SlaClock.State.RUNNING else None,
        elapsed=timedelta(0),
        due_at=due,
        at_risk_at=due - timedelta(minutes=48),
    )


def test_a_mention_in_a_note_rings_the_colleagues_bell(
    agent,
    team,
    make_ticket,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
):
    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    ticket = make_ticket("Aircon not cooling", team=team)
    page = _page(chromium)
    _sign_in(page, asgi_server, "ben")
    page.locator('body[data-live="connected"]').wait_for(state="attached")
    assert page.locator("#bell-count").is_hidden()

    # Ana writes an internal note mentioning Ben (as the ticket page's form does)
    _in_a_plain_thread(lambda: note_add(actor=agent, ticket=ticket, body="@ben can you call her back?"))

    page.locator("#bell-count", has_text="1").wait_for(timeout=5000)
    page.locator("#bell-toggle").click()
    item = page.locator("#bell-panel .notification-list li.is-unread")
    item.wait_for()
    assert f"Ana Reyes mentioned you on ticket #{ticket.pk}" in item.inner_text()
    assert "can you call her back?" in item.inner_text()
    page.screenshot(path=str(artifacts / "10-bell-mention.png"))

    page.locator("#bell-panel").get_by_role("button", name="Mark all read").click()
    page.locator("#bell-count").wait_for(state="hidden")
    assert not Notification.objects.filter(user=ben, read_at__isnull=True).exists()


def test_an_offer_counts_in_the_tab_title_rings_and_never_covers_the_status_fields(
    agent,
    customer,
    make_ticket,
    team,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
):
    queue = Queue.objects.create(name="Aircon chat", channel="chat", offer_timeout_seconds=90)
    agent.agent.capacity = {"chat": 1}
    agent.agent.save()
    presence_set(actor=agent, user=agent, state=PresenceState.AVAILABLE)
    working_on = make_ticket("Noisy compressor", team=team, assignee=agent)
    calling = make_ticket("Chatting about the aircon", channel="chat")
    context = chromium.new_context(locale="en-US", viewport=WIDE)
    context.grant_permissions(["notifications"])
    page = context.new_page()
    _sign_in(page, asgi_server, "ana")

    # She turns offer alerts on in her profile (this browser only)
    page.goto(f"{asgi_server}/desk/profile/")
    page.get_by_label("Sound and browser notification for offers").check()
    page.locator(
        "[data-offer-alerts-status]", has_text="This browser shows the desk’s notifications."
    ).wait_for()

    page.goto(f"{asgi_server}/desk/tickets/{working_on.pk}/")
    page.locator('#offers[data-live="connected"]').wait_for(state="attached")
    title = page.title()
    _in_a_plain_thread(lambda: interaction_enqueue(queue=queue, customer=customer, ticket=calling))

    offer = page.get_by_role("alertdialog", name="Incoming Web chat")
    offer.wait_for()
    page.wait_for_function("document.title.startsWith('(1) waiting')")
    assert page.title() == f"(1) waiting {title}"
    page.wait_for_function("document.body.dataset.lastNotification !== undefined")
    interaction_id = offer.get_attribute("data-offer")
    assert page.evaluate("document.body.dataset.lastNotification") == interaction_id
    assert page.evaluate("document.body.dataset.lastSound") is not None
    strip = page.locator("#offers").bounding_box()
    status = page.locator("#edit-status").bounding_box()
    assert strip["y"] + strip["height"] <= status["y"]  # the strip pushes the page down, never over it
    page.screenshot(path=str(artifacts / "11-offer-alert.png"))

    offer.get_by_role("button", name="Decline").click()
    page.wait_for_load_state()
    page.wait_for_function("!document.title.startsWith('(')")


def test_the_status_badge_follows_a_change_the_server_makes(agent, supervisor, asgi_server, chromium):  # noqa: F811
    agent.agent.capacity = {"voice": 1}
    agent.agent.save()
    presence_set(actor=agent, user=agent, state=PresenceState.AVAILABLE)
    page = _page(chromium)
    _sign_in(page, asgi_server, "ana")
    page.locator('body[data-live="connected"]').wait_for(state="attached")
    assert page.locator("#presence-now .state").inner_text() == "Available"

    _in_a_plain_thread(lambda: presence_set(actor=None, user=agent, state="not_ready", reason="missed_offer"))

    page.locator("#presence-now .state", has_text="Not ready").wait_for(timeout=5000)
    assert page.locator("#presence-now .reason").inner_text() == "Missed offer"


def test_select_all_and_a_bulk_status_change_with_confirmation(
    agent,
    team,
    make_ticket,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
):
    tickets = [make_ticket(f"Aircon {n}", team=team) for n in range(3)]
    page = _page(chromium)
    _sign_in(page, asgi_server, "ana")
    page.goto(f"{asgi_server}/desk/?inbox=team")
    assert page.locator("#bulk-status").input_value() == ""  # nothing chosen for her

    page.get_by_label("Select all tickets on this page").check()
    page.locator("[data-selected-count]", has_text="3 selected").wait_for()
    page.locator("#bulk-status").select_option("pending")
    page.get_by_role("button", name="Set status").click()
    page.locator(".message.success", has_text="3 tickets updated.").wait_for()
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("status", flat=True)) == {
        "pending"
    }

    page.get_by_label("Select all tickets on this page").check()
    page.locator("#bulk-status").select_option("solved")
    page.get_by_role("button", name="Set status").click()
    page.get_by_role("heading", name="Set 3 tickets to Solved?").wait_for()
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("status", flat=True)) == {
        "pending"
    }
    page.screenshot(path=str(artifacts / "12-bulk-confirm.png"))
    page.get_by_role("button", name="Yes, set to Solved").click()
    page.locator(".message.success", has_text="3 tickets updated.").wait_for()
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("status", flat=True)) == {
        "solved"
    }


def test_send_and_solve_in_one_action(agent, team, make_ticket, asgi_server, chromium):  # noqa: F811
    ticket = make_ticket("Aircon not cooling", team=team, assignee=agent)
    page = _page(chromium)
    _sign_in(page, asgi_server, "ana")
    page.goto(f"{asgi_server}/desk/tickets/{ticket.pk}/")

    page.get_by_label("Reply by Email").fill("Cleaned the filter remotely; it cools again. Thank you!")
    page.get_by_label("and set status").select_option(label="Solved")
    send = page.get_by_role("button", name="Send and set Solved")
    send.click()

    page.locator(".message.success", has_text="Reply sent. Status: Solved.").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert Message.objects.filter(ticket=ticket, direction="outbound").count() == 1
    assert "set the status to Solved" in page.locator(".timeline").inner_text()


@pytest.fixture
def busy_desk(agent, supervisor, team, make_ticket):
    """A desk with a day's work on it: tickets in several states with SLA clocks, notes, a queue."""
    from frontline.customers.factories import CustomerFactory
    from frontline.tickets.services import ticket_create

    ben = staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    Queue.objects.create(name="Aircon hotline", channel="voice")
    people = [
        ("Maria", "Santos", "fil", "email"),
        ("Li", "Wei", "zh-hans", "chat"),
        ("James", "Clarke", "en", "voice"),
        ("Rowena", "Castillo", "fil", "sms"),
        ("Chen", "Jun", "zh-hans", "web_form"),
    ]
    subjects = [
        "Aircon not cooling after the brownout",
        "冰箱不制冷，冷藏室是温的",
        "Refund for the dented range hood",
        "Hindi gumagana ang remote ng aircon",
        "Installation appointment for the new washer",
        "Warranty claim: compressor noise at night",
    ]
    tickets = []
    for n, subject in enumerate(subjects):
        first, last, language, channel = people[n % len(people)]
        customer = CustomerFactory(first_name=first, last_name=last, language=language)
        ticket = ticket_create(
            actor=None,
            requester=customer,
            subject=subject,
            team=team,
            channel=channel,
            body_text="Good day. "
            + "The unit blows warm air and the display blinks. " * (12 if n == 0 else 2),
            assignee=agent if n % 2 == 0 else ben,
            priority=["urgent", "high", "normal", "low"][n % 4],
            tags=["warranty"] if n % 3 == 0 else [],
        )
        _clock(ticket, [-30, 20, 150, 600, 45, 90][n])
        tickets.append(ticket)
    Ticket.objects.filter(pk=tickets[3].pk).update(status="pending")
    note_add(actor=agent, ticket=tickets[0], body="@ben the customer prefers a call after 5 pm.")
    presence_set(actor=agent, user=agent, state=PresenceState.AVAILABLE)
    presence_set(actor=ben, user=ben, state=PresenceState.NOT_READY, reason="lunch")
    return tickets


PAGES = [
    ("inbox", "ana", "/desk/?inbox=team"),
    ("ticket", "ana", None),
    ("console", "sam", "/desk/supervisor/"),
    ("reports", "sam", "/desk/supervisor/reports/"),
]


def _axe(page):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["en", "fil", "zh-hans"])
def test_the_main_pages_pass_axe_and_are_photographed_at_1440(
    busy_desk,
    agent,
    supervisor,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
    language,
):
    for user in (agent, supervisor):
        user.language = language
        user.timezone = "Asia/Manila"
        user.save()
    pages = {}
    for username in ("ana", "sam"):
        pages[username] = _page(chromium, bypass_csp=True)  # axe is injected by the test, not the page
        _sign_in(pages[username], asgi_server, username)
    problems = {}
    for name, username, path in PAGES:
        page = pages[username]
        if name == "ticket":  # from the inbox, so the list beside it is that inbox
            page.goto(f"{asgi_server}/desk/?inbox=team")
            path = f"/desk/tickets/{busy_desk[0].pk}/"
        page.goto(f"{asgi_server}{path}")
        page.wait_for_load_state("networkidle")
        if name == "ticket":
            page.locator("#rail .rail-list").wait_for()
        header = page.locator(".desk-topbar").bounding_box()
        assert header["height"] < 60, f"{name} ({language}): the top bar wraps"
        page.screenshot(path=str(artifacts / f"design-{name}-{language}.png"))
        violations = _axe(page)
        if violations:
            problems[name] = violations
        time.sleep(0.1)
    assert not problems, problems
