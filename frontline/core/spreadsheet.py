"""CSV and XLSX tables for spreadsheets and back-office systems, safe from formula injection.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by Excel, LibreOffice or Google Sheets (CSV injection); such text is written with a leading
apostrophe, which the spreadsheet shows as plain text. Numbers (int, float, Decimal) stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should receive it: risky text quoted, numbers and None kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(values: Sequence[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_row(header))
    for row in rows:
        writer.writerow(["" if v is None else v for v in _row(row)])
    return out.getvalue()


def as_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title[:31]
    sheet.append(_row(header))
    for row in rows:
        sheet.append(_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
