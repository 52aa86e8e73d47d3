"""Shared test set-up: media in a temporary folder; checks for real services in CI; the browser."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def require_service(name: str, available: bool, reason: str) -> None:
    """Skip when a real service is missing on a developer's machine; fail when the run requires it.

    CI's PostgreSQL + Redis run sets FRONTLINE_REQUIRE_SERVICES=postgres,redis, so there these
    tests can never skip.
    """
    if available:
        return
    required = {s.strip().lower() for s in os.environ.get("FRONTLINE_REQUIRE_SERVICES", "").split(",")}
    if name.lower() in required:
        pytest.fail(f"{name} is required in this run: {reason}")
    pytest.skip(f"{name} not available: {reason}")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium driven by Playwright (never a downloaded browser); skips without it."""
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls run between
    # browser steps, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    require_service(
        "chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _tasks_run_inline(request):
    """Tasks run inline in tests; tests marked `real_queue` use the configured queue (Redis in CI)."""
    from huey.contrib.djhuey import HUEY

    if request.node.get_closest_marker("real_queue"):
        HUEY.immediate = False
        yield
        return
    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached values (in Redis when REDIS_URL is set) start empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_staff_scope():
    """Ids are reused after a test's rollback, so no cached role may outlive its test."""
    from frontline.accounts.selectors import staff_scope_forget

    staff_scope_forget()
    yield
    staff_scope_forget()
