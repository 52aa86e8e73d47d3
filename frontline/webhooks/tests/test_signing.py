"""Signing: what we send verifies with the secret, and nothing else does."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.webhooks import signing

SECRET = "whsec_test-secret"
BODY = b'{"id":"evt_1","type":"ticket.created"}'


def test_a_signed_body_verifies_and_returns_its_timestamp():
    header = signing.sign(SECRET, BODY, 1_767_225_600)
    assert header.startswith("t=1767225600,v1=")
    assert signing.verify(SECRET, header, BODY, now=1_767_225_600 + 10) == 1_767_225_600


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    # Computed independently: printf '1767225600.{"a":1}' | openssl dgst -sha256 -hmac whsec_test-secret
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test-secret", b'1767225600.{"a":1}', hashlib.sha256).hexdigest()
    assert signing.sign(SECRET, b'{"a":1}', 1_767_225_600) == f"t=1767225600,v1={expected}"


@pytest.mark.parametrize(
    ("secret", "body", "now", "message"),
    [
        ("whsec_other", BODY, 1_767_225_600, "no signature matches"),
        (SECRET, BODY + b" ", 1_767_225_600, "no signature matches"),
        (SECRET, BODY, 1_767_225_600 + 301, "outside the tolerance"),
        (SECRET, BODY, 1_767_225_600 - 301, "outside the tolerance"),
    ],
)
def test_a_wrong_secret_changed_body_or_old_timestamp_is_refused(secret, body, now, message):
    header = signing.sign(SECRET, BODY, 1_767_225_600)
    with pytest.raises(signing.SignatureError, match=message):
        signing.verify(secret, header, body, now=now)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "no timestamp"),
        ("v1=abc", "no timestamp"),
        ("t=soon,v1=abc", "not a whole number"),
        ("t=1767225600", "no v1 signature"),
    ],
)
def test_a_malformed_header_is_refused(header, message):
    with pytest.raises(signing.SignatureError, match=message):
        signing.verify(SECRET, header, BODY, now=1_767_225_600)


def test_any_of_several_v1_signatures_may_match():
    good = signing.sign(SECRET, BODY, 1_767_225_600)
    header = f"t=1767225600,v1={'0' * 64},{good.split(',')[1]}"
    assert signing.verify(SECRET, header, BODY, now=1_767_225_600) == 1_767_225_600


def test_generated_secrets_are_prefixed_and_unique():
    first, second = signing.secret_generate(), signing.secret_generate()
    assert first.startswith("whsec_")
    assert len(first) > 40
    assert first != second


@given(secret=st.text(min_size=1, max_size=80), body=st.binary(max_size=2000), t=st.integers(0, 2**40))
def test_every_signed_body_verifies_with_its_own_secret(secret, body, t):
    assert signing.verify(secret, signing.sign(secret, body, t), body, now=t) == t
