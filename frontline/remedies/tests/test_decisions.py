"""Whoever asked for a remedy hears of the decision, in their own language."""

import pytest

from frontline.notifications.models import Notification
from frontline.remedies import services

pytestmark = pytest.mark.django_db


def _pending(people, ticket, amount="100"):
    request, _ = services.remedy_issue(actor=people["agent"], ticket=ticket, option="credit", amount=amount)
    assert request.status == "pending"
    return request


def test_an_approval_tells_the_requester_with_the_coupon_code(people, limits, catalogue, ticket):
    request, _ = services.remedy_issue(actor=people["agent"], ticket=ticket, option="coupon", amount="150")
    lead = people["supervisor"]

    services.remedy_request_approve(actor=lead, request=request, reason="Regular customer")

    told = Notification.objects.get(user=people["agent"])
    code = request.entry.coupon_code
    assert told.title == f"Remedy approved: 150.00 PHP on #{ticket.pk}"
    assert told.body == f"Approved by {lead.get_full_name()}. Coupon code: {code} Reason: Regular customer"
    assert told.ticket == ticket


def test_a_rejection_tells_the_requester_in_tagalog(people, limits, catalogue, ticket):
    people["agent"].language = "fil"
    people["agent"].save(update_fields=["language"])
    request = _pending(people, ticket)

    services.remedy_request_reject(actor=people["supervisor"], request=request, reason="Wala sa warranty")

    told = Notification.objects.get(user=people["agent"])
    assert told.title == f"Tinanggihan ang remedyo: 100.00 PHP sa #{ticket.pk}"
    assert told.body.endswith("Dahilan: Wala sa warranty")


def test_a_refused_decision_tells_nobody(people, limits, catalogue, ticket):
    request = _pending(people, ticket, amount="500")  # above the supervisor's 200

    with pytest.raises(services.Forbidden):
        services.remedy_request_approve(actor=people["supervisor"], request=request)

    assert not Notification.objects.filter(user=people["agent"]).exists()
