"""The pure cores: which origins may open a site's chat, and the per-connection token bucket."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.connectors.webchat.origins import is_allowed, is_valid_entry, normalize
from frontline.connectors.webchat.ratelimit import TokenBucket

labels = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
hosts = st.lists(labels, min_size=1, max_size=4).map(".".join)
schemes = st.sampled_from(["http", "https"])
ports = st.one_of(st.none(), st.integers(min_value=1, max_value=65535))


def origin_of(scheme, host, port):
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        ("https://www.example.com", ["https://www.example.com"], True),
        ("https://WWW.Example.com:443", ["https://www.example.com"], True),
        ("http://www.example.com", ["https://www.example.com"], False),
        ("https://www.example.com:8443", ["https://www.example.com"], False),
        ("https://shop.example.com", ["https://*.example.com"], True),
        ("https://a.b.example.com", ["https://*.example.com"], True),
        ("https://example.com", ["https://*.example.com"], False),
        ("https://evilexample.com", ["https://*.example.com"], False),
        ("https://example.com.evil.test", ["https://*.example.com"], False),
        ("null", ["https://www.example.com"], False),
        ("", ["https://www.example.com"], False),
        (None, ["https://www.example.com"], False),
        ("https://www.example.com", [], False),
        ("javascript://www.example.com", ["javascript://www.example.com"], False),
    ],
)
def test_origins_table(origin, allowed, expected):
    assert is_allowed(origin, allowed) is expected


@given(schemes, hosts, ports)
def test_an_origin_is_allowed_by_itself_and_only_by_its_scheme(scheme, host, port):
    origin = origin_of(scheme, host, port)
    other = "https" if scheme == "http" else "http"
    assert is_allowed(origin, [origin])
    assert is_allowed(origin_of(scheme, host.upper(), port), [origin])
    assert not is_allowed(origin_of(other, host, port), [origin])
    assert not is_allowed(origin_of(scheme, f"x{host}", port), [origin])


@given(schemes, hosts, labels, ports)
def test_a_wildcard_allows_subdomains_never_the_bare_domain(scheme, host, sub, port):
    pattern = origin_of(scheme, f"*.{host}", port)
    assert is_valid_entry(pattern)
    assert is_allowed(origin_of(scheme, f"{sub}.{host}", port), [pattern])
    assert not is_allowed(origin_of(scheme, host, port), [pattern])
    assert not is_allowed(origin_of(scheme, f"{sub}{host}", port), [pattern])


@given(schemes, hosts, ports)
def test_normalize_is_idempotent(scheme, host, port):
    once = normalize(origin_of(scheme, host, port))
    assert once is not None
    assert normalize(once) == once


@given(
    st.integers(min_value=1, max_value=20),
    st.floats(min_value=0, max_value=10),
    st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=200),
)
def test_a_bucket_never_allows_more_than_capacity_plus_what_refilled(capacity, rate, offsets):
    bucket = TokenBucket(capacity=capacity, rate=rate)
    moments = sorted(offsets)
    allowed = sum(bucket.take(now) for now in moments)
    span = moments[-1] - moments[0]
    assert allowed <= capacity + rate * span + 1e-9
    assert allowed >= min(len(moments), capacity)


def test_a_bucket_refills_at_its_rate():
    bucket = TokenBucket(capacity=2, rate=1)
    assert [bucket.take(0), bucket.take(0), bucket.take(0)] == [True, True, False]
    assert bucket.take(0.5) is False
    assert bucket.take(1.0) is True
    assert bucket.take(1.0) is False


def test_a_bucket_needs_a_positive_capacity():
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(capacity=0, rate=1)
