"""The fixed-window counter, against an in-memory cache with a clock the test moves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from frontline.core.throttle import attempts_counted


class Clocked:
    """add/incr/set with expiry, as Django's cache API behaves (incr of a missing key: ValueError)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.values: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> bool:
        return key in self.values and self.values[key][1] > self.now

    def add(self, key: str, value: int, timeout: int) -> bool:
        if self._live(key):
            return False
        self.values[key] = (value, self.now + timeout)
        return True

    def incr(self, key: str) -> int:
        if not self._live(key):
            raise ValueError(key)
        value, expires = self.values[key]
        self.values[key] = (value + 1, expires)
        return value + 1

    def set(self, key: str, value: int, timeout: int) -> None:
        self.values[key] = (value, self.now + timeout)


@given(st.lists(st.floats(min_value=0, max_value=200, allow_nan=False), max_size=40), st.integers(1, 120))
def test_the_count_is_the_attempts_since_the_window_began(gaps, window):
    cache = Clocked()
    started = None
    expected = 0
    for gap in gaps:
        cache.now += gap
        if started is None or cache.now >= started + window:
            started, expected = cache.now, 0
        expected += 1
        assert attempts_counted(cache, "k", window=window) == expected


def test_keys_count_apart():
    cache = Clocked()
    assert [attempts_counted(cache, key, window=60) for key in ("a", "a", "b", "a")] == [1, 2, 1, 3]
