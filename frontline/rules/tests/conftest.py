"""Rules test helpers: the shared JSON API client, and running a step with after-commit listeners."""

import pytest
import time_machine

from frontline.accounts.testing import Api
from frontline.sla import services as sla

__all__ = ["Api"]

WEEKDAYS_9_TO_6 = {str(day): [["09:00", "18:00"]] for day in range(5)}


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run `fn` at aware time `at` (frozen), with after-commit listeners (the trigger engine) running."""

    def run(at, fn, *args, **kwargs):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def calendar():
    """The Manila office: 09:00-18:00 Monday to Friday (no public holidays, to keep the sums plain)."""
    return sla.business_calendar_create(
        actor=None, name="Manila office", timezone_name="Asia/Manila", weekly_hours=WEEKDAYS_9_TO_6
    )
