"""factory-boy factories for tests."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from frontline.accounts.models import AgentProfile, Role, Team, User


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
