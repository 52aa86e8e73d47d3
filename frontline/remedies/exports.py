"""The remedy ledger as CSV and XLSX for the billing or shop system (formula-injection safe)."""

from __future__ import annotations

from typing import Any

from frontline.core import spreadsheet
from frontline.remedies.models import RemedyEntry

COLUMNS = (
    "entry",
    "reverses",
    "issued_at",
    "ticket",
    "customer",
    "customer_name",
    "complaint_reason",
    "kind",
    "option",
    "item",
    "amount",
    "currency",
    "coupon_code",
    "issued_by",
    "approved_by",
    "fulfilment_status",
    "fulfilment_reference",
    "note",
)


def row_values(entry: RemedyEntry) -> list[Any]:
    complaint = entry.complaint
    return [
        entry.pk,
        entry.reverses_id or "",
        entry.issued_at.isoformat(),
        entry.ticket_id,
        entry.customer_id,
        entry.customer.display_name,
        complaint.reason.code if complaint is not None else "",
        entry.kind,
        entry.option.code,
        entry.item,
        entry.amount,
        entry.currency,
        entry.coupon_code,
        entry.issued_by.get_username(),
        entry.approved_by.get_username() if entry.approved_by else "",
        entry.fulfilment_status,
        entry.fulfilment_reference,
        entry.note,
    ]


def as_csv(entries: list[RemedyEntry]) -> str:
    return spreadsheet.as_csv(COLUMNS, (row_values(e) for e in entries))


def as_xlsx(entries: list[RemedyEntry]) -> bytes:
    return spreadsheet.as_xlsx("Remedies", COLUMNS, (row_values(e) for e in entries))
