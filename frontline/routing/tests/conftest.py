"""Routing test helpers: agents with capacity and skills, queues, and a frozen clock."""

from datetime import UTC, datetime

import pytest
import time_machine

from frontline.accounts.factories import staff
from frontline.accounts.models import AgentSkill, Role, Skill
from frontline.routing import services
from frontline.routing.models import Queue

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def make_agent(capacity=None, skills=None, languages=("en",), available_at=None, **kwargs):
    user = staff(Role.AGENT, **kwargs)
    profile = user.agent
    profile.capacity = capacity or {"voice": 1, "chat": 2, "email": 3}
    profile.languages = list(languages)
    profile.save()
    for name, level in (skills or {}).items():
        AgentSkill.objects.create(
            agent=profile, skill=Skill.objects.get_or_create(name=name)[0], proficiency=level
        )
    if available_at is not None:
        services.presence_set(actor=user, user=user, state="available", at=available_at)
    return user


@pytest.fixture
def voice_queue():
    return Queue.objects.create(name="Phone", channel="voice", offer_timeout_seconds=20, wrap_up_seconds=30)


@pytest.fixture
def clock(django_capture_on_commit_callbacks):
    """Run `fn` at `at` with time frozen and after-commit hooks (route tasks run inline)."""

    def run(at, fn, *args, **kwargs):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
