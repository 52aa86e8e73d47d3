"""Secrets at rest: Fernet with keys from FRONTLINE_ENCRYPTION_KEY or derived from the signing key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from frontline.security import checks, crypto
from frontline.security.fields import REDACTED, redact_names

KEY_A = "first-signing-key-" + "a1B2c3D4e5F6g7H8" * 3
KEY_B = "second-signing-key-" + "z9Y8x7W6v5U4t3S2" * 3


@pytest.fixture
def keys(settings):
    settings.SECRET_KEY = KEY_A
    settings.SECRET_KEY_FALLBACKS = []
    settings.FRONTLINE_ENCRYPTION_KEYS = []
    return settings


@given(st.text(min_size=1, max_size=300))
def test_what_is_encrypted_decrypts_to_itself(plain):
    stored = crypto.encrypt(plain)
    assert stored.startswith(crypto.PREFIX)
    assert crypto.decrypt(stored) == plain
    assert crypto.encrypt(plain) != stored  # a fresh IV each time: equal secrets do not look equal


def test_an_empty_secret_stays_empty_and_a_value_from_before_encryption_reads_as_it_is(keys):
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("plain-token-from-last-year") == "plain-token-from-last-year"


def test_a_new_signing_key_with_the_old_one_as_fallback_still_opens_old_secrets(keys):
    stored = crypto.encrypt("twilio-token")
    keys.SECRET_KEY = KEY_B
    with pytest.raises(crypto.SecretUndecryptable, match="FRONTLINE_ENCRYPTION_KEY"):
        crypto.decrypt(stored)

    keys.SECRET_KEY_FALLBACKS = [KEY_A]
    assert crypto.decrypt(stored) == "twilio-token"
    rotated = crypto.rotate(stored)
    keys.SECRET_KEY_FALLBACKS = []
    assert crypto.decrypt(rotated) == "twilio-token"  # now under the new key alone


def test_an_encryption_key_of_its_own_takes_over_and_the_old_derived_one_still_reads(keys):
    before = crypto.encrypt("imap-password")
    own = Fernet.generate_key().decode()
    keys.FRONTLINE_ENCRYPTION_KEYS = [own]

    after = crypto.encrypt("imap-password")

    assert Fernet(own.encode()).decrypt(after[len(crypto.PREFIX) :].encode()) == b"imap-password"
    assert crypto.decrypt(before) == "imap-password"


def test_an_encryption_key_that_is_not_a_fernet_key_fails_the_checks(keys):
    keys.FRONTLINE_ENCRYPTION_KEYS = ["not-a-key"]
    assert [m.id for m in checks.encryption_key_check()] == ["frontline.E005"]
    keys.FRONTLINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert checks.encryption_key_check() == []


def test_redaction_reaches_nested_values_and_leaves_empty_ones():
    values = {"signing_secret": "s3", "name": "SMS", "changes": [{"access_token": "t0"}], "verify_token": ""}
    names = frozenset({"signing_secret", "access_token", "verify_token"})
    assert redact_names(values, names) == {
        "signing_secret": REDACTED,
        "name": "SMS",
        "changes": [{"access_token": REDACTED}],
        "verify_token": "",
    }
