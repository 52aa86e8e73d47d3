"""The public survey page speaks the customer's language (English, Tagalog, Simplified Chinese)."""

import re

import pytest
from django.test import Client

from frontline.customers.factories import CustomerFactory
from frontline.tickets.models import Message
from frontline.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def _token(make_ticket, capture, language):
    ticket = make_ticket(customer=CustomerFactory(language=language))
    with capture(execute=True):
        ticket_update(actor=None, ticket=ticket, status="solved")
    body = Message.objects.filter(ticket=ticket, direction="outbound").latest("id").body_text
    return body, re.search(r"/survey/([\w-]+)/", body).group(1)


@pytest.mark.parametrize(
    ("language", "heading", "button", "invitation"),
    [
        ("en", "How satisfied are you with our help?", "Send", "Please rate us from 1 to 5"),
        ("fil", "Gaano ka nasiyahan sa aming tulong?", "Ipadala", "marka mula 1 hanggang 5"),
        ("zh-hans", "您对我们的帮助满意吗？", "发送", "请给我们打 1 到 5 分"),
    ],
)
def test_the_survey_is_in_the_customers_language(
    make_ticket, django_capture_on_commit_callbacks, language, heading, button, invitation
):
    body, token = _token(make_ticket, django_capture_on_commit_callbacks, language)
    assert invitation in body

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/survey/{token}/").content.decode()

    assert heading in page
    assert f">{button}</button>" in page
    thanks = Client().post(f"/survey/{token}/", {"score": "4"})
    assert thanks.status_code == 200


def test_a_customer_language_frontline_does_not_speak_falls_back_to_the_browser(
    make_ticket, django_capture_on_commit_callbacks
):
    _, token = _token(make_ticket, django_capture_on_commit_callbacks, "de")

    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/survey/{token}/").content.decode()

    assert "您对我们的帮助满意吗？" in page
