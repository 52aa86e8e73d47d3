"""SLA test helpers: the shared JSON API client."""

from frontline.accounts.testing import Api

__all__ = ["Api"]
