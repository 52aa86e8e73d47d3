"""Survey questions and answers: the question list a survey stores, and checking a filled form. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = ("scale", "text", "choice")
MAX_QUESTIONS = 30
MAX_TEXT = 5000
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class QuestionError(ValueError):
    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str
    required: bool = False
    low: int = 1
    high: int = 5
    choices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def points(self) -> list[int]:
        return list(range(self.low, self.high + 1))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
        }
        if self.kind == "scale":
            data.update(low=self.low, high=self.high)
        if self.kind == "choice":
            data["choices"] = list(self.choices)
        return data


def score_question(low: int, high: int) -> Question:
    return Question(key="score", label="score", kind="scale", required=True, low=low, high=high)


COMMENT = Question(key="comment", label="comment", kind="text")


def parse_questions(raw: Any) -> list[Question]:
    """Check a survey's question list (as stored in JSON); errors name the path, e.g. questions[1].key."""
    if not isinstance(raw, list) or not raw:
        raise QuestionError("give a list of questions", path="questions")
    if len(raw) > MAX_QUESTIONS:
        raise QuestionError(f"at most {MAX_QUESTIONS} questions", path="questions")
    questions: list[Question] = []
    for index, item in enumerate(raw):
        path = f"questions[{index}]"
        if not isinstance(item, Mapping):
            raise QuestionError("a question is an object", path=path)
        key, label, kind = item.get("key"), item.get("label"), item.get("kind", "text")
        if not isinstance(key, str) or not _KEY.match(key):
            raise QuestionError("a key is lower-case letters, digits and _", path=f"{path}.key")
        if any(q.key == key for q in questions):
            raise QuestionError(f"the key {key!r} is used twice", path=f"{path}.key")
        if not isinstance(label, str) or not label.strip() or len(label) > 300:
            raise QuestionError("a label is 1 to 300 characters", path=f"{path}.label")
        if kind not in KINDS:
            raise QuestionError(f"kind is one of {', '.join(KINDS)}", path=f"{path}.kind")
        required = bool(item.get("required", False))
        if kind == "scale":
            low, high = item.get("low", 1), item.get("high", 5)
            if not (isinstance(low, int) and isinstance(high, int) and 0 <= low < high <= 10):
                raise QuestionError("a scale runs from low to high within 0–10", path=f"{path}.high")
            questions.append(Question(key, label.strip(), kind, required, low=low, high=high))
        elif kind == "choice":
            choices = item.get("choices")
            if (
                not isinstance(choices, list)
                or not 2 <= len(choices) <= 20
                or not all(isinstance(c, str) and c.strip() for c in choices)
            ):
                raise QuestionError("a choice question has 2 to 20 choices", path=f"{path}.choices")
            questions.append(
                Question(key, label.strip(), kind, required, choices=tuple(c.strip() for c in choices))
            )
        else:
            questions.append(Question(key, label.strip(), kind, required))
    return questions


def check_answers(
    questions: Sequence[Question], data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers (scales as ints, empty ones left out) and, per question key, what is wrong."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value = data.get(question.key)
        text = "" if value is None else str(value).strip()
        if not text:
            if question.required:
                errors[question.key] = "required"
            continue
        if question.kind == "scale":
            try:
                number = int(text)
            except ValueError:
                errors[question.key] = f"choose a number from {question.low} to {question.high}"
                continue
            if not question.low <= number <= question.high:
                errors[question.key] = f"choose a number from {question.low} to {question.high}"
                continue
            answers[question.key] = number
        elif question.kind == "choice":
            if text not in question.choices:
                errors[question.key] = "choose one of the options"
                continue
            answers[question.key] = text
        else:
            if len(text) > MAX_TEXT:
                errors[question.key] = f"at most {MAX_TEXT} characters"
                continue
            answers[question.key] = text
    return answers, errors


def first_score(questions: Sequence[Question], answers: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The answer to the first scale question, with its top: the score a product form reports."""
    for question in questions:
        if question.kind == "scale":
            value = answers.get(question.key)
            return (value if isinstance(value, int) else None), question.high
    return None, None
