"""A call offered to the agent pops up on the desk page, counts down, and opens the ticket with the script.

Chromium through Playwright against uvicorn (pages and websockets), as test_browser.py.
"""

from __future__ import annotations

import pytest

from frontline.desk.tests.test_browser import (  # noqa: F401  (fixtures shared with the desk's browser tests)
    _in_a_plain_thread,
    _sign_in,
    artifacts,
    asgi_server,
)
from frontline.routing.models import Interaction, PresenceState, Queue
from frontline.routing.services import interaction_enqueue, presence_set
from frontline.scripts.models import Script

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_offered_call_pops_up_and_accepting_opens_the_ticket_with_the_call_script(
    agent,
    customer,
    make_ticket,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
):
    Script.objects.filter(language="en", kind__in=[Script.Kind.GREETING, Script.Kind.SILENT_CALL]).delete()
    Script.objects.create(language="en", kind=Script.Kind.GREETING, text="Good day, {salutation} {surname}!")
    Script.objects.create(
        language="en", kind=Script.Kind.SILENT_CALL, step=1, text="Hello, are you there?", wait_seconds=5
    )
    Script.objects.create(
        language="en", kind=Script.Kind.SILENT_CALL, step=2, text="I cannot hear you.", wait_seconds=5
    )
    queue = Queue.objects.create(name="Aircon hotline", channel="voice", offer_timeout_seconds=90)
    agent.agent.capacity = {"voice": 1}
    agent.agent.save()
    presence_set(actor=agent, user=agent, state=PresenceState.AVAILABLE)
    ticket = make_ticket("Calling about the aircon", channel="voice")
    page = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(page, asgi_server, "ana")
    page.locator('#offers[data-live="connected"]').wait_for(state="attached")
    assert page.get_by_role("alertdialog").count() == 0

    # The phone system hands the call to routing (as the voice connector does), which offers it to Ana.
    _in_a_plain_thread(lambda: interaction_enqueue(queue=queue, customer=customer, ticket=ticket))

    offer = page.get_by_role("alertdialog", name="Incoming Phone")
    offer.wait_for()
    assert "Ms Maria Santos" in offer.inner_text()
    assert "Aircon hotline" in offer.inner_text()
    countdown = offer.locator("[data-countdown]")
    assert countdown.inner_text().startswith("Expires in ")
    assert 0 < int(countdown.get_attribute("data-seconds-left")) <= 90
    assert offer.locator("[data-greeting]").inner_text() == "Good day, Ms. Santos!"
    assert offer.locator("[data-silent-call] li[data-step]").all_inner_texts() == [
        "Hello, are you there? at 0 s · then wait 5 s",
        "I cannot hear you. at 5 s · then wait 5 s",
        "End the call at 10 s",
    ]
    page.screenshot(path=str(artifacts / "5-offer-popup.png"), full_page=True)

    offer.get_by_role("button", name="Accept").click()

    interaction = Interaction.objects.get(ticket=ticket)
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/?contact={interaction.pk}")
    interaction.refresh_from_db()
    assert interaction.state == Interaction.State.CONNECTED
    assert interaction.agent_id == agent.pk
    panel = page.locator(".call-script")
    assert panel.locator("[data-greeting]").inner_text() == "Good day, Ms. Santos!"
    panel.get_by_role("button", name="Start the silent-call protocol").click()
    page.locator("[data-silent-call-status]", has_text="Hello, are you there?").wait_for()
    assert page.get_by_role("alertdialog").count() == 0  # nothing offered any more
    page.screenshot(path=str(artifacts / "6-call-script.png"), full_page=True)


def test_an_agent_sees_a_colleague_viewing_and_typing_on_the_same_ticket(
    agent,
    team,
    make_ticket,
    asgi_server,  # noqa: F811
    chromium,
    artifacts,  # noqa: F811
):
    from frontline.accounts.factories import staff
    from frontline.accounts.models import Role

    staff(Role.AGENT, teams=[team], username="ben", first_name="Ben", last_name="Cruz")
    ticket = make_ticket("Aircon not cooling", team=team)
    ana = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    ben = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(ana, asgi_server, "ana")
    _sign_in(ben, asgi_server, "ben")
    ana.goto(f"{asgi_server}/desk/tickets/{ticket.pk}/")
    assert ana.locator("#presence-others").is_hidden()

    ben.goto(f"{asgi_server}/desk/tickets/{ticket.pk}/")

    ana.locator("#presence-others", has_text="Ben Cruz is viewing this ticket.").wait_for()
    ben.locator("#presence-others", has_text="Ana Reyes is viewing this ticket.").wait_for()
    ben.locator("#reply-body").press_sequentially("Hello Ms")
    ana.locator("#presence-others", has_text="Ben Cruz is typing on this ticket.").wait_for()
    ana.screenshot(path=str(artifacts / "7-colleague-typing.png"), full_page=True)
    ben.close()
    ana.locator("#presence-others").wait_for(state="hidden")
