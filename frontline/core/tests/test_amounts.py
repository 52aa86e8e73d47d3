"""Amounts are written in the digits 0-9: other Unicode digits are refused, never read as numbers."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.amounts import NotAnAmount, parse_amount

NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda ch: ch not in "0123456789")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_an_amount_written_in_ascii_reads_back_as_itself(amount):
    assert parse_amount(f"{amount:f}") == amount


@given(st.text(alphabet="0123456789", min_size=1, max_size=8), NON_ASCII_DIGITS, st.integers(0, 8))
def test_one_digit_from_another_script_makes_it_not_an_amount(digits, other, at):
    text = digits[:at] + other + digits[at:]
    assert unicodedata.digit(other) in range(10)  # Python's Decimal would read it
    with pytest.raises(NotAnAmount):
        parse_amount(text)


@pytest.mark.parametrize("text", ["", " ", "1e3", "NaN", "Infinity", "1,000", "1.2.3", "0x10", "１０"])
def test_other_spellings_are_refused(text):
    with pytest.raises(NotAnAmount):
        parse_amount(text)


def test_numbers_pass_as_numbers_and_text_is_trimmed():
    assert parse_amount(12) == Decimal(12)
    assert parse_amount(Decimal("1.50")) == Decimal("1.50")
    assert parse_amount(" 7.25 ") == Decimal("7.25")
    with pytest.raises(NotAnAmount):
        parse_amount(True)
