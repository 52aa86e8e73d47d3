"""Pure cores: authority decisions, coupon codes, the spreadsheet formula guard."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from frontline.core import spreadsheet
from frontline.remedies import authority, coupons

D = Decimal


@pytest.mark.parametrize(
    ("amount", "limit", "left", "reasons"),
    [
        (D("25"), D("25"), None, ()),
        (D("25.01"), D("25"), None, ("over_limit",)),
        (D("10"), None, D("5"), ("over_budget",)),
        (D("30"), D("25"), D("5"), ("over_limit", "over_budget")),
        (D("5"), D("25"), D("5"), ()),
        (D("1"), D("0"), None, ("over_limit",)),
    ],
)
def test_decide_names_every_reason_for_approval(amount, limit, left, reasons):
    decision = authority.decide(amount=amount, limit=limit, budget_remaining=left)
    assert decision.reasons == reasons
    assert decision.is_allowed is (reasons == ())


@pytest.mark.parametrize(
    ("amount", "limit", "left", "allowed"),
    [
        (D("150"), D("200"), None, True),
        (D("250"), D("200"), None, False),
        (D("150"), D("200"), D("100"), False),  # past the budget needs an unlimited approver
        (D("150"), None, D("100"), True),
        (D("150"), None, D("-20"), True),
    ],
)
def test_can_approve(amount, limit, left, allowed):
    assert authority.can_approve(amount=amount, limit=limit, budget_remaining=left) is allowed


def test_a_personal_limit_wins_over_the_role_and_no_limit_means_nothing_may_be_given():
    assert authority.effective_limit(
        user_limit=D("50"), has_user_limit=True, role_limit=D("25"), has_role_limit=True
    ) == D("50")
    assert (
        authority.effective_limit(
            user_limit=None, has_user_limit=True, role_limit=D("25"), has_role_limit=True
        )
        is None
    )
    assert authority.effective_limit(
        user_limit=None, has_user_limit=False, role_limit=D("25"), has_role_limit=True
    ) == D("25")
    assert authority.effective_limit(
        user_limit=None, has_user_limit=False, role_limit=None, has_role_limit=False
    ) == D("0")


def test_month_of_is_the_first_day():
    assert authority.month_of(datetime(2025, 3, 31, 23, 59, tzinfo=UTC)) == date(2025, 3, 1)


def test_coupon_codes_are_well_formed_and_distinct():
    codes = {coupons.coupon_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(coupons.is_well_formed(code) for code in codes)
    assert not coupons.is_well_formed("FL-O0O0-AAAA-BBBB")


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_risky_text_is_quoted_in_csv_and_xlsx(text):
    assert spreadsheet.safe_cell(text) == "'" + text
    csv_text = spreadsheet.as_csv(["a", "b"], [[text, D("-5.00")]])
    assert csv_text.splitlines()[1].startswith(("'", "\"'"))
    assert "-5.00" in csv_text
    assert "'-5.00" not in csv_text
    book = load_workbook(io.BytesIO(spreadsheet.as_xlsx("T", ["a", "b"], [[text, D("-5.00")]])))
    cell = book.active["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + text.replace("\r", "\n")  # XML stores a lone CR as LF
    assert book.active["B2"].value == -5


@given(st.text())
def test_no_text_cell_starts_like_a_formula(text):
    value = spreadsheet.safe_cell(text)
    assert not value.startswith(spreadsheet.FORMULA_STARTS) or value.startswith("'")
    assert value.removeprefix("'") == text or value == text
