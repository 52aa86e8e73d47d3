"""The agent performance report as CSV and XLSX for spreadsheets and payroll (formula-safe)."""

from __future__ import annotations

from typing import Any

from frontline.core import spreadsheet
from frontline.routing.selectors import ReportRow

REASONS = ("break", "lunch", "training", "meeting", "coaching", "missed_offer", "away")
COLUMNS = (
    "agent",
    "from",
    "to",
    "first_login",
    "last_logout",
    "online_s",
    "idle_s",
    "busy_s",
    "wrap_up_s",
    "not_ready_s",
    *(f"not_ready_{reason}_s" for reason in REASONS),
    "offered",
    "handled",
    "missed",
    "average_handle_s",
    "average_after_contact_s",
    "occupancy",
)


def row_values(row: ReportRow) -> list[Any]:
    f = row.figures
    return [
        row.agent.get_full_name() or row.agent.get_username(),
        row.start.isoformat(),
        row.end.isoformat(),
        f.first_login.isoformat() if f.first_login else "",
        f.last_logout.isoformat() if f.last_logout else "",
        round(f.online),
        round(f.idle),
        round(f.busy),
        round(f.wrap_up),
        round(f.not_ready),
        *(round(f.not_ready_by_reason.get(reason, 0.0)) for reason in REASONS),
        f.offered,
        f.handled,
        f.missed,
        round(f.average_handle_seconds, 1) if f.average_handle_seconds is not None else "",
        round(f.average_after_contact_seconds, 1) if f.average_after_contact_seconds is not None else "",
        round(f.occupancy, 4) if f.occupancy is not None else "",
    ]


def as_csv(rows: list[ReportRow]) -> str:
    return spreadsheet.as_csv(COLUMNS, (row_values(row) for row in rows))


def as_xlsx(rows: list[ReportRow]) -> bytes:
    return spreadsheet.as_xlsx("Agent performance", COLUMNS, (row_values(row) for row in rows))
