"""The acknowledgement of a new email ticket says when a reply can be expected, and the hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from frontline.connectors.email import services
from frontline.connectors.email.models import Mailbox, OutboundEmail
from frontline.connectors.email.tests.conftest import mail
from frontline.customers.factories import CustomerFactory
from frontline.sla import services as sla

pytestmark = pytest.mark.django_db(transaction=True)

MANILA = ZoneInfo("Asia/Manila")
WEEKDAYS = {str(day): [["09:00", "18:00"]] for day in range(5)}
#: Friday evening; Monday 30 November 2026 is Bonifacio Day, a public holiday in the Philippines.
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 30, tzinfo=MANILA)


@pytest.fixture
def acknowledging(mailbox, smtp_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(acknowledge_new_tickets=True)
    mailbox.refresh_from_db()
    return mailbox


@pytest.fixture
def office():
    calendar = sla.business_calendar_create(
        actor=None,
        name="Manila office",
        timezone_name="Asia/Manila",
        weekly_hours=WEEKDAYS,
        holiday_country="PH",
    )
    sla.sla_policy_create(
        actor=None, name="Standard", first_response_minutes=120, resolution_minutes=1440, calendar=calendar
    )
    return calendar


def _acknowledgement(mailbox, raw, at):
    with time_machine.travel(at, tick=False):
        services.inbound_store(mailbox=mailbox, raw=raw, source="smtp")
    return OutboundEmail.objects.get(is_automatic=True)


def test_mail_on_friday_evening_before_a_holiday_is_promised_a_reply_on_tuesday(
    acknowledging, office, smtp_server
):
    sla.channel_hours_create(actor=None, channel="email", calendar=office, outside_hours="acknowledge")
    outbound = _acknowledgement(acknowledging, mail(message_id="<friday@example.ph>"), FRIDAY_EVENING)
    ticket = outbound.ticket
    assert outbound.body_text == (
        f"Thank you for writing to us. Your request is ticket #{ticket.pk}; an agent will answer you as soon "
        f"as possible. Please keep [#{ticket.pk}] in the subject of your replies.\n\n"
        "Your message arrived outside our email hours: Monday to Friday 09:00–18:00 (Asia/Manila). "
        "We will reply by Tuesday 1 December, 11:00 (Asia/Manila)."
    )
    assert "Tuesday 1 December, 11:00" in smtp_server.messages[0][2].decode()


def test_mail_inside_the_hours_gets_the_reply_time_only(acknowledging, office):
    sla.channel_hours_create(actor=None, channel="email", calendar=office, outside_hours="acknowledge")
    tuesday_morning = datetime(2026, 11, 24, 10, 0, tzinfo=MANILA)
    outbound = _acknowledgement(acknowledging, mail(message_id="<tuesday@example.ph>"), tuesday_morning)
    assert outbound.body_text.endswith(
        "replies.\n\nWe will reply by Tuesday 24 November, 12:00 (Asia/Manila)."
    )


def test_the_reply_time_is_in_the_customers_language_and_zone(acknowledging, office):
    CustomerFactory(email="li.wei@example.cn", language="zh-hans", timezone="Europe/London")
    raw = mail(sender="Li Wei <li.wei@example.cn>", message_id="<li@example.cn>")
    outbound = _acknowledgement(acknowledging, raw, FRIDAY_EVENING)
    # No email hours are configured: nothing about hours; the SLA calendar still skips the holiday.
    assert outbound.body_text.endswith("\n\n我们将在12月1日星期二 03:00（Europe/London）之前回复您。")


def test_without_an_sla_or_hours_the_acknowledgement_is_unchanged(acknowledging):
    outbound = _acknowledgement(acknowledging, mail(message_id="<plain@example.ph>"), FRIDAY_EVENING)
    assert outbound.body_text.endswith(f"Please keep [#{outbound.ticket_id}] in the subject of your replies.")
