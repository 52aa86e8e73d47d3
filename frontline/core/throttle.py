"""A fixed-window attempt counter over any cache with add/incr/set (Django's, in production)."""

from __future__ import annotations

from typing import Protocol


class CounterCache(Protocol):
    def add(self, key: str, value: float, timeout: int) -> bool: ...

    def incr(self, key: str) -> int: ...

    def set(self, key: str, value: int, timeout: int) -> None: ...


def attempts_counted(cache: CounterCache, key: str, *, window: int) -> int:
    """Count one attempt for `key` in the window that began with its first attempt; the count so far.

    Atomic on caches whose incr is (Redis, Memcached); the window restarts once the key expires.
    """
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


class TimedCache(CounterCache, Protocol):
    def get(self, key: str, default: object = None) -> object: ...


def window_end(cache: TimedCache, key: str, *, window: int, now: float) -> float:
    """When the window of `key` that began with its first attempt ends (a timestamp); the first
    call in a window starts it. Kept beside the count, since caches do not say when a key expires."""
    cache.add(f"{key}:ends", now + window, timeout=window)
    ends = cache.get(f"{key}:ends")
    return float(ends) if isinstance(ends, int | float) else now + window
