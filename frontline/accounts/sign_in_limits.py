"""Limits on password guessing, shared by every sign-in that takes a password (desk, portal).

Failures are counted in the shared cache (Redis in production) in short windows, three ways:

- per account and address: a guesser at one address stops after a few tries;
- per address: one address guessing many accounts stops too;
- per account from addresses it has never signed in from: many addresses guessing one account stop,
  while the real user, at an address where they signed in before, is not held up by them.

So an attacker cannot lock a real user out: at worst a new address waits for one short window.
Counting happens only on failures; a success from an address remembers it as known.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from frontline.core.errors import RateLimited
from frontline.core.throttle import attempts_counted, window_end

#: Seconds in a counting window; a refused sign-in may try again when its window ends.
WINDOW = 15 * 60
#: Failures allowed in a window: for one account from one address, ...
ACCOUNT_AT_ADDRESS = 5
#: ... from one address over any accounts, ...
ADDRESS = 30
#: ... and for one account from addresses it never signed in from.
ACCOUNT_FROM_NEW_ADDRESSES = 20
#: How long an address where an account signed in stays known for it.
KNOWN_ADDRESS_SECONDS = 60 * 60 * 24 * 60


class SignInThrottled(RateLimited):
    """Too many failed sign-ins; `retry_after` seconds until this sign-in may try again."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes != 1 else ''}",
            code="sign_in_throttled",
        )
        self.retry_after = retry_after
        self.minutes = minutes


@dataclass(frozen=True)
class _Keys:
    pair: str
    address: str
    account: str
    known: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def address_of(remote_addr: str) -> str:
    """The client's address as counted: IPv6 by its /64 (one subscriber), IPv4 as it is."""
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return remote_addr.strip() or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _keys(scope: str, account: str, remote_addr: str) -> _Keys:
    who, where = _digest(account.strip().lower()), _digest(address_of(remote_addr))
    return _Keys(
        pair=f"signin:{scope}:pair:{who}:{where}",
        address=f"signin:address:{where}",  # one address guessing at the desk and the portal counts once
        account=f"signin:{scope}:account:{who}",
        known=f"signin:{scope}:known:{who}:{where}",
    )


def _count(key: str) -> int:
    value = cache.get(key)
    return int(value) if isinstance(value, int) else 0


def sign_in_check(*, scope: str, account: str, remote_addr: str) -> None:
    """Refuse (SignInThrottled) before the password is even checked, if a limit is reached."""
    keys = _keys(scope, account, remote_addr)
    now = timezone.now().timestamp()
    over = [
        key
        for key, limit in ((keys.pair, ACCOUNT_AT_ADDRESS), (keys.address, ADDRESS))
        if _count(key) >= limit
    ]
    if _count(keys.account) >= ACCOUNT_FROM_NEW_ADDRESSES and cache.get(keys.known) is None:
        over.append(keys.account)
    if over:
        ends = max(window_end(cache, key, window=WINDOW, now=now) for key in over)
        raise SignInThrottled(retry_after=max(1, int(ends - now)))


def sign_in_failed(*, scope: str, account: str, remote_addr: str) -> None:
    """Count a wrong password (or an unknown account: the same answer, the same count)."""
    keys = _keys(scope, account, remote_addr)
    now = timezone.now().timestamp()
    counted = [keys.pair, keys.address]
    if cache.get(keys.known) is None:
        counted.append(keys.account)
    for key in counted:
        window_end(cache, key, window=WINDOW, now=now)
        attempts_counted(cache, key, window=WINDOW)


def sign_in_succeeded(*, scope: str, account: str, remote_addr: str) -> None:
    """Remember the address as the account's own, and forget this pair's failures."""
    keys = _keys(scope, account, remote_addr)
    cache.set(keys.known, 1, timeout=KNOWN_ADDRESS_SECONDS)
    cache.delete_many([keys.pair, f"{keys.pair}:ends"])
