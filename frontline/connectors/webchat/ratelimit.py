"""A token bucket: at most `capacity` messages at once, refilled at `rate` per second.

Pure: the caller passes the clock (`now`, seconds from any fixed start), so tests need no sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    capacity: float
    rate: float
    tokens: float = -1.0
    updated: float | None = None

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.rate < 0:
            raise ValueError("capacity must be positive and rate not negative")
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self, now: float) -> bool:
        """Spend one token at `now` if there is one; False (nothing spent) when the bucket is empty."""
        if self.updated is not None and now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        if self.updated is None or now > self.updated:
            self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
