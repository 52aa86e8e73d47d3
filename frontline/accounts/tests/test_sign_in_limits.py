"""Password guessing is limited by account and address, without locking the real user out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from frontline.accounts import sign_in_limits as limits
from frontline.accounts.sign_in_limits import SignInThrottled

HOME = "203.0.113.7"
ATTACKER = "198.51.100.66"


def _fail(account, address, times=1, scope="staff"):
    for _ in range(times):
        limits.sign_in_failed(scope=scope, account=account, remote_addr=address)


def _check(account, address, scope="staff"):
    limits.sign_in_check(scope=scope, account=account, remote_addr=address)


@pytest.fixture
def local_cache(settings):
    """A cache whose windows follow time-machine (Redis expires keys by its own clock)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_a_few_wrong_passwords_at_one_address_stop_that_address_for_that_account():
    _fail("ana", ATTACKER, times=limits.ACCOUNT_AT_ADDRESS - 1)
    _check("ana", ATTACKER)
    _fail("ana", ATTACKER)

    with pytest.raises(SignInThrottled) as refused:
        _check("ANA ", ATTACKER)  # the same account however it is typed

    assert refused.value.minutes == 15
    assert refused.value.status == 429
    _check("ana", HOME)  # Ana herself, elsewhere
    _check("ben", ATTACKER)


def test_the_window_ends_and_the_account_may_try_again(local_cache):
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        _fail("ana", ATTACKER, times=limits.ACCOUNT_AT_ADDRESS)
    with (
        time_machine.travel(start + timedelta(minutes=10), tick=False),
        pytest.raises(SignInThrottled) as later,
    ):
        _check("ana", ATTACKER)
    assert later.value.minutes == 5
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        _check("ana", ATTACKER)


def test_many_addresses_guessing_one_account_do_not_lock_out_its_owner_at_a_known_address():
    limits.sign_in_succeeded(scope="staff", account="ana", remote_addr=HOME)
    for n in range(limits.ACCOUNT_FROM_NEW_ADDRESSES):
        _fail("ana", f"192.0.2.{n + 1}")

    with pytest.raises(SignInThrottled):
        _check("ana", "192.0.2.250")  # yet another new address
    _check("ana", HOME)


def test_one_address_guessing_many_accounts_is_stopped_for_all_of_them():
    for n in range(limits.ADDRESS):
        _fail(f"user{n}", ATTACKER, scope="portal" if n % 2 else "staff")

    with pytest.raises(SignInThrottled):
        _check("someone-else", ATTACKER)
    _check("someone-else", HOME)


def test_addresses_of_one_ipv6_subscriber_count_as_one():
    for n in range(limits.ACCOUNT_AT_ADDRESS):
        _fail("ana", f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(SignInThrottled):
        _check("ana", "2001:db8:1:2:ffff::9")
    _check("ana", "2001:db8:1:3::1")


def test_a_success_forgets_the_failures_of_that_address():
    _fail("ana", HOME, times=limits.ACCOUNT_AT_ADDRESS - 1)
    limits.sign_in_succeeded(scope="staff", account="ana", remote_addr=HOME)
    _fail("ana", HOME, times=limits.ACCOUNT_AT_ADDRESS - 1)
    _check("ana", HOME)
