"""factory-boy factories for tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from frontline.customers.factories import CustomerFactory
from frontline.tickets.models import Ticket


class TicketFactory(factory.django.DjangoModelFactory[Ticket]):
    """A bare ticket row (no events, no index rows): for selector tests, not for service behaviour."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Ticket {n}")
    requester = factory.SubFactory(CustomerFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
