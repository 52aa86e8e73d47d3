"""factory-boy factories for tests and benchmarks; services are used where a write has rules."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from frontline.accounts.models import AgentProfile, Role, Team, User
from frontline.customers.models import ContactPoint, Customer, Organization
from frontline.tickets.models import Ticket


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.example.test")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.django.Password("pw-for-tests-only")


def staff(role: str = Role.AGENT, teams: list[Team] | None = None, **kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    profile = AgentProfile.objects.create(user=user)
    if teams:
        profile.teams.set(teams)
    return user


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    is_private = False


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


class TicketFactory(factory.django.DjangoModelFactory[Ticket]):
    """A bare ticket row (no events, no index rows): for selector tests, not for service behaviour."""

    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Ticket {n}")
    requester = factory.SubFactory(CustomerFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
