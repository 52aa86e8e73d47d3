"""Macros: canned replies with the customer's salutation and surname filled in."""

from datetime import UTC, datetime

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.events.models import Event
from frontline.scripts import selectors, services
from frontline.scripts.models import Macro
from frontline.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_the_seeded_macro_greets_by_salutation_and_surname():
    macro = Macro.objects.get(language="en", name="Technician visit booked")
    customer = CustomerFactory(salutation="Mr.", last_name="Reyes", timezone="Asia/Manila")
    agent = staff(Role.AGENT, first_name="Maria")
    text = selectors.macro_render(
        macro=macro, customer=customer, agent=agent, at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    )
    assert text.startswith("Good morning, Mr. Reyes. Thank you for your patience.")
    assert "Maria," in text
    chinese = Macro.objects.get(language="zh-hans")
    wang = CustomerFactory(salutation="Mr.", last_name="王", language="zh-hans")
    assert selectors.macro_render(macro=chinese, customer=wang, agent=agent).startswith("王先生，")


def test_bad_macros_name_the_field():
    with pytest.raises(Invalid) as error:
        services.macro_create(actor=None, name="Bad", language="en", body="Hello {first_name}")
    assert error.value.field == "body"
    with pytest.raises(Invalid) as error:
        services.macro_create(actor=None, name="Technician visit booked", language="en", body="Hi")
    assert error.value.field == "name"
    macro = services.macro_create(
        actor=None, name="Thanks", language="en", body="Thank you, {salutation} {surname}."
    )
    services.macro_update(actor=None, macro=macro, active=False)
    assert Event.objects.filter(verb__startswith="macro.", target_id=macro.pk).count() == 2
    assert macro not in selectors.macro_list(language="en")


def test_macro_api_fills_in_the_tickets_customer_and_hides_other_tickets():
    supervisor, agent = Api(staff(Role.SUPERVISOR)), Api(staff(Role.AGENT))
    created = supervisor.post(
        "/macros", {"name": "Sorry", "language": "en", "body": "We are sorry, {salutation} {surname}."}
    )
    assert created.status_code == 201
    macro_id = created.json()["id"]
    bad = supervisor.post("/macros", {"name": "X", "language": "en", "body": "{nope}"})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "body")
    assert agent.post("/macros", {"name": "Mine", "body": "Hi"}).status_code == 403
    assert any(m["id"] == macro_id for m in agent.get("/macros", language="en").json())

    ticket = ticket_create(
        actor=None, requester=CustomerFactory(salutation="Ms.", last_name="Santos"), subject="Oven"
    )
    filled = agent.get(f"/tickets/{ticket.pk}/macros/{macro_id}").json()
    assert filled["text"] == "We are sorry, Ms. Santos."
    hidden = ticket_create(
        actor=None, requester=CustomerFactory(), subject="x", team=TeamFactory(is_private=True)
    )
    assert agent.get(f"/tickets/{hidden.pk}/macros/{macro_id}").status_code == 404
    assert Api(portal_user(CustomerFactory())).get("/macros").status_code == 403
