"""Scripts test helpers: the shared JSON API client, and a fresh phrase cache for every test."""

import pytest

from frontline.accounts.testing import Api
from frontline.scripts.selectors import forbidden_phrases_cache_clear

__all__ = ["Api"]


@pytest.fixture(autouse=True)
def _fresh_phrase_cache():
    """Rolled-back test transactions send no signals: drop what an earlier test cached."""
    forbidden_phrases_cache_clear()
    yield
    forbidden_phrases_cache_clear()
