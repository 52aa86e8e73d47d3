from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import cursor
from frontline.core.contact import InvalidContact, normalize_email, normalize_handle, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Maria.Santos@Example.PH ", "maria.santos@example.ph"),
        ("a+tag@x.co", "a+tag@x.co"),
        ('"Test test"@Example.com', '"test test"@example.com'),  # a quoted local part (RFC 5321)
    ],
)
def test_emails_normalise(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "no-at-sign", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "x" * 250 + "@a.bc", '""@b.c', '"a"b@c.d'],
)
def test_invalid_emails_are_refused(raw):
    with pytest.raises(InvalidContact):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "code", "expected"),
    [
        ("0917 123 4567", "63", "+639171234567"),
        ("+63 (917) 123-4567", "", "+639171234567"),
        ("0063 917 123 4567", "", "+639171234567"),
        ("0917-1234567", "", "09171234567"),
    ],
)
def test_phones_normalise_to_e164(raw, code, expected):
    assert normalize_phone(raw, code) == expected


@pytest.mark.parametrize("raw", ["", "abc", "12", "+1234567890123456"])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(InvalidContact):
        normalize_phone(raw)


def test_handles_lose_the_at_sign():
    assert normalize_handle("@AuroraPH") == "auroraph"


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
    st.integers(min_value=1, max_value=2**62),
)
def test_cursor_round_trips_to_the_microsecond(at, pk):
    assert cursor.decode(cursor.encode(at, pk)) == (at, pk)


@pytest.mark.parametrize("token", ["", "!!!", "bm90LWEtY3Vyc29y", "LTE6eA", "YTpi"])
def test_foreign_cursors_are_refused(token):
    with pytest.raises(cursor.InvalidCursor):
        cursor.decode(token)


def test_naive_times_cannot_become_cursors():
    with pytest.raises(ValueError, match="aware"):
        cursor.encode(datetime(2026, 1, 1) + timedelta(0), 1)
