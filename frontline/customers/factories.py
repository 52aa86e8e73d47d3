"""factory-boy factories for tests."""

from __future__ import annotations

from typing import Any

import factory

from frontline.accounts.factories import UserFactory
from frontline.accounts.models import User
from frontline.customers.models import ContactPoint, Customer, Organization


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Santos{n}")
    country = "PH"
    language = "en"

    @factory.post_generation
    def email(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        address = extracted or f"customer{self.pk}@example.test"
        ContactPoint.objects.create(
            customer=self, kind="email", value=address, normalized=address.lower(), is_primary=True
        )


def portal_user(customer: Customer) -> User:
    user = UserFactory(username=f"portal{customer.pk}")
    customer.user = user
    customer.save(update_fields=["user"])
    return user
