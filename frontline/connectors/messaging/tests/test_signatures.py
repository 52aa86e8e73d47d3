"""Signature checks and handshakes of Twilio, Meta and X, against the providers' documented rules."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from frontline.connectors.messaging import signatures

# Twilio's published request-validation example (auth token 12345).
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]
TWILIO_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_matches_the_published_example():
    assert signatures.twilio_signature(TWILIO_URL, TWILIO_PARAMS, "12345") == TWILIO_SIGNATURE
    assert signatures.twilio_signature_valid(TWILIO_URL, reversed(TWILIO_PARAMS), "12345", TWILIO_SIGNATURE)


def test_twilio_signature_sorts_names_and_distinct_values_like_twilios_validators():
    repeated = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]
    assert signatures.twilio_signature(TWILIO_URL, repeated, "12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


@pytest.mark.parametrize(
    ("url", "params", "token"),
    [
        (TWILIO_URL + "&extra=1", TWILIO_PARAMS, "12345"),
        (TWILIO_URL.replace("https", "http"), TWILIO_PARAMS, "12345"),
        (TWILIO_URL, [*TWILIO_PARAMS[:2], ("Digits", "9999"), *TWILIO_PARAMS[3:]], "12345"),
        (TWILIO_URL, [*TWILIO_PARAMS, ("Body", "added")], "12345"),
        (TWILIO_URL, TWILIO_PARAMS, "54321"),
        (TWILIO_URL, TWILIO_PARAMS, ""),
    ],
)
def test_twilio_signature_fails_when_anything_changes(url, params, token):
    assert not signatures.twilio_signature_valid(url, params, token, TWILIO_SIGNATURE)


def test_twilio_signature_is_accepted_with_or_without_the_default_port():
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    signed_with_port = signatures.twilio_signature(with_port, TWILIO_PARAMS, "12345")
    assert signatures.twilio_signature_valid(TWILIO_URL, TWILIO_PARAMS, "12345", signed_with_port)
    assert signatures.twilio_signature_valid(with_port, TWILIO_PARAMS, "12345", TWILIO_SIGNATURE)
    other_port = "https://mycompany.com:8443/myapp.php?foo=1&bar=2"
    assert not signatures.twilio_signature_valid(other_port, TWILIO_PARAMS, "12345", TWILIO_SIGNATURE)


def test_an_empty_twilio_signature_is_refused():
    assert not signatures.twilio_signature_valid(TWILIO_URL, TWILIO_PARAMS, "12345", "")


BODY = b'{"object":"page","entry":[]}'


def test_meta_signature_is_hex_hmac_sha256_of_the_raw_body():
    expected = "sha256=" + hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert signatures.meta_signature(BODY, "app-secret") == expected
    assert signatures.meta_signature_valid(BODY, "app-secret", expected)
    assert signatures.meta_signature_valid(BODY, "app-secret", expected.upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize(
    ("body", "secret", "header"),
    [
        (BODY + b" ", "app-secret", None),
        (BODY, "other-secret", None),
        (BODY, "", None),
        (BODY, "app-secret", "sha1=" + hmac.new(b"app-secret", BODY, hashlib.sha1).hexdigest()),
        (BODY, "app-secret", ""),
    ],
)
def test_meta_signature_fails_for_another_body_secret_or_algorithm(body, secret, header):
    good = signatures.meta_signature(BODY, "app-secret")
    assert not signatures.meta_signature_valid(body, secret, good if header is None else header)


def test_meta_handshake_echoes_the_challenge_only_for_our_token():
    ok = signatures.meta_handshake(
        mode="subscribe", verify_token="tok", challenge="1158201444", expected_token="tok"
    )
    assert ok == "1158201444"
    assert (
        signatures.meta_handshake(mode="subscribe", verify_token="bad", challenge="1", expected_token="tok")
        is None
    )
    assert (
        signatures.meta_handshake(mode="unsubscribe", verify_token="tok", challenge="1", expected_token="tok")
        is None
    )
    assert (
        signatures.meta_handshake(mode="subscribe", verify_token="", challenge="1", expected_token="") is None
    )


def test_x_crc_response_is_base64_hmac_sha256_of_the_token():
    digest = hmac.new(b"consumer-secret", b"crc-token-123", hashlib.sha256).digest()
    assert signatures.x_crc_response("crc-token-123", "consumer-secret") == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }


def test_x_signature_is_base64_hmac_sha256_of_the_raw_body():
    header = (
        "sha256=" + base64.b64encode(hmac.new(b"consumer-secret", BODY, hashlib.sha256).digest()).decode()
    )
    assert signatures.x_signature(BODY, "consumer-secret") == header
    assert signatures.x_signature_valid(BODY, "consumer-secret", header)
    assert not signatures.x_signature_valid(BODY + b"x", "consumer-secret", header)
    assert not signatures.x_signature_valid(BODY, "other", header)
    assert not signatures.x_signature_valid(BODY, "consumer-secret", header.removeprefix("sha256="))
