"""A fixed-window attempt counter over any cache with add/incr/set (Django's, in production)."""

from __future__ import annotations

from typing import Protocol


class CounterCache(Protocol):
    def add(self, key: str, value: int, timeout: int) -> bool: ...

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
