"""Shared test set-up: media in a temporary folder; PostgreSQL/Redis checks for CI."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def require_service(name: str, available: bool, reason: str) -> None:
    """Skip when a real service is missing on a developer's machine, but fail in CI."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")
