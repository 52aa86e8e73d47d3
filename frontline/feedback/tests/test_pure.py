"""Pure cores: NPS and CSAT arithmetic, periods, questions and answers, plan settings."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.feedback import questions, scores
from frontline.feedback.config import FeedbackSettings, feedback_settings


def test_nps_is_exact_on_a_known_sample():
    # 5 promoters (9, 9, 10, 10, 10), 2 passives (7, 8), 3 detractors (0, 3, 6): (5 - 3) / 10 = 20
    assert scores.nps([10, 10, 9, 8, 7, 6, 0, 3, 9, 10]) == Decimal("20.0")
    assert scores.nps([9, 10, 0]) == Decimal("33.3")
    assert scores.nps([6, 6]) == Decimal("-100.0")
    assert scores.nps([]) is None
    with pytest.raises(ValueError, match="0 to 10"):
        scores.nps([11])


@given(st.lists(st.integers(0, 10), min_size=1))
def test_nps_stays_within_minus_100_and_100(sample):
    assert Decimal("-100") <= scores.nps(sample) <= Decimal("100")


def test_csat_counts_the_top_fifth_as_satisfied():
    assert scores.satisfied_from(5) == 4
    assert scores.satisfied_from(10) == 8
    assert scores.csat([(5, 5), (4, 5), (3, 5), (1, 5)]) == Decimal("50.0")
    assert scores.csat([(8, 10), (7, 10), (2, 3)]) == Decimal("33.3")
    assert scores.csat([]) is None


@pytest.mark.parametrize(
    ("period", "start"),
    [("day", date(2025, 3, 12)), ("week", date(2025, 3, 10)), ("month", date(2025, 3, 1))],
)
def test_periods_start_on_their_first_day(period, start):
    assert scores.period_start(datetime(2025, 3, 12, 23, 30), period) == start


def test_questions_are_checked_and_answers_validated():
    parsed = questions.parse_questions(
        [
            {
                "key": "quality",
                "label": "How good is it?",
                "kind": "scale",
                "low": 1,
                "high": 5,
                "required": True,
            },
            {"key": "colour", "label": "Colour", "kind": "choice", "choices": ["red", "blue"]},
            {"key": "ideas", "label": "Ideas?"},
        ]
    )
    answers, errors = questions.check_answers(parsed, {"quality": "2", "colour": "green", "ideas": " more "})
    assert answers == {"quality": 2, "ideas": "more"}
    assert errors == {"colour": "choose one of the options"}
    assert questions.check_answers(parsed, {})[1] == {"quality": "required"}
    assert questions.first_score(parsed, answers) == (2, 5)
    with pytest.raises(questions.QuestionError) as caught:
        questions.parse_questions([{"key": "a", "label": "A"}, {"key": "a", "label": "B"}])
    assert caught.value.path == "questions[1].key"
    with pytest.raises(questions.QuestionError):
        questions.parse_questions([{"key": "a", "label": "A", "kind": "scale", "low": 3, "high": 2}])


def test_plan_settings_fall_back_to_defaults():
    assert feedback_settings(None) == FeedbackSettings()
    assert feedback_settings(
        {"feedback": {"csat": {"enabled": True, "scale": 10, "low_score": 4}}}
    ) == FeedbackSettings(csat_enabled=True, csat_scale=10, csat_low_score=4)
    assert feedback_settings({"feedback": {"csat": {"scale": "five"}, "token_days": 0}}).csat_scale == 5
