"""Amounts typed by people or sent by programs: ASCII digits only.

Python's Decimal and int read any Unicode digit: "１２０" (full-width) or "١٢٠" (Arabic-Indic) would
become 120 without anyone seeing that they were not ASCII. An amount is money: it must be written
the one way everyone reads the same, so anything but 0-9, one point and a leading sign is refused.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
MESSAGE = "write the amount with the digits 0-9 and a point, e.g. 1250.50"


class NotAnAmount(ValueError):
    """Text that is not an amount written in ASCII digits."""


def parse_amount(value: str | int | Decimal) -> Decimal:
    """The Decimal of an amount; text must be ASCII digits with at most one point (NotAnAmount)."""
    if isinstance(value, bool):
        raise NotAnAmount(MESSAGE)
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = value.strip()
    if not _AMOUNT.fullmatch(text):
        raise NotAnAmount(MESSAGE)
    return Decimal(text)


def _ascii_digits_only(value: Any) -> Any:
    """Text is checked here; numbers (JSON numbers) go on to the Decimal validation as they are."""
    if isinstance(value, str):
        try:
            return parse_amount(value)
        except NotAnAmount as exc:
            raise PydanticCustomError("amount", MESSAGE) from exc
    return value


#: A Decimal field of an API schema that refuses amounts written in other digits than 0-9.
AmountField = Annotated[Decimal, BeforeValidator(_ascii_digits_only)]
