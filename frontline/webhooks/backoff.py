"""When to try a failed delivery again: exponential backoff with full jitter, capped.

Attempt `n` (1 = the first attempt) failed; the next waits a random share of
`min(cap, base * factor ** (n - 1))`, at least `minimum`. Full jitter spreads the retries of many
deliveries that failed together (an endpoint that was down) instead of sending them in waves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float = 60.0  # seconds
    factor: float = 3.0
    cap: float = 12 * 3600.0
    minimum: float = 1.0

    def __post_init__(self) -> None:
        if not (self.base > 0 and self.factor >= 1 and self.cap >= self.base and self.minimum >= 0):
            raise ValueError("backoff needs base > 0, factor >= 1, cap >= base and minimum >= 0")

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError("attempts count from 1")
        if self.factor == 1:
            return self.base
        # base * factor ** (attempt - 1) >= cap, decided in logarithms so huge attempts do not overflow
        if (attempt - 1) * math.log(self.factor) >= math.log(self.cap / self.base):
            return self.cap
        return min(self.cap, self.base * self.factor ** (attempt - 1))

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds to wait after failed attempt `attempt`; `rand` is uniform in [0, 1)."""
        if not 0 <= rand < 1:
            raise ValueError("rand is a share in [0, 1)")
        ceiling = self.ceiling(attempt)
        return min(ceiling, max(self.minimum, rand * ceiling))
