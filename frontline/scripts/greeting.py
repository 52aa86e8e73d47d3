"""Greeting lines that address the customer by salutation and surname: "Good morning, Mr. Reyes".

Pure module: standard library only, no Django. The call-center document asks agents to use "the
customer's last name plus Mr./Miss" once the name is known. A greeting script is a template with
these placeholders:

- `{salutation}`: from the customer's title in the script's language ("Mr." / "G." / "先生"); when
  the title is unknown, the language's neutral form (`NEUTRAL`: "Mx.", "G./Gng.", "先生/女士");
- `{surname}`: the customer's last name (or, for a one-name customer, the first name);
- `{agent_first_name}`, `{company}`;
- `{day_greeting}`: "Good morning" / "Magandang umaga po" / "上午好" from the customer's local time.

In Chinese the salutation follows the surname without a space ("王先生"); the Chinese templates are
written `{surname}{salutation}` and `address` puts it in that order. When no name is known at all,
`{salutation}` is the language's polite way to address anyone (`ANONYMOUS`: "Sir/Madam",
"Sir/Ma'am", "先生/女士") and `{surname}` is empty; the spaces left over are tidied.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from frontline.scripts import languages

__all__ = [
    "ANONYMOUS",
    "NEUTRAL",
    "PLACEHOLDERS",
    "SALUTATIONS",
    "Addressee",
    "TemplateError",
    "addressee",
    "day_greeting",
    "part_of_day",
    "placeholders_in",
    "render",
    "title_key",
]

PLACEHOLDERS = ("salutation", "surname", "agent_first_name", "company", "day_greeting")

#: Salutation for each title, per language.
SALUTATIONS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "mr": "Mr.",
        "mrs": "Mrs.",
        "ms": "Ms.",
        "miss": "Miss",
        "mx": "Mx.",
        "dr": "Dr.",
        "prof": "Prof.",
    },
    "fil": {
        "mr": "G.",  # Ginoong
        "mrs": "Gng.",  # Ginang
        "ms": "Gng.",
        "miss": "Bb.",  # Binibining
        "mx": "G./Gng.",
        "dr": "Dr.",
        "prof": "Prop.",
    },
    "zh-hans": {
        "mr": "先生",
        "mrs": "女士",
        "ms": "女士",
        "miss": "女士",
        "mx": "先生/女士",
        "dr": "博士",
        "prof": "教授",
    },
}

#: The salutation when the surname is known but the title is not.
NEUTRAL: Mapping[str, str] = {"en": "Mx.", "fil": "G./Gng.", "zh-hans": "先生/女士"}

#: How to address a customer whose name is not known.
ANONYMOUS: Mapping[str, str] = {"en": "Sir/Madam", "fil": "Sir/Ma'am", "zh-hans": "先生/女士"}

_DAY_GREETINGS: Mapping[str, Mapping[str, str]] = {
    "en": {"morning": "Good morning", "afternoon": "Good afternoon", "evening": "Good evening"},
    "fil": {
        "morning": "Magandang umaga po",
        "afternoon": "Magandang hapon po",
        "evening": "Magandang gabi po",
    },
    "zh-hans": {"morning": "上午好", "afternoon": "下午好", "evening": "晚上好"},
}

#: What customers write as their title, folded (lower case, no dots or spaces), to a title key.
_TITLES = {
    "mr": "mr",
    "mister": "mr",
    "sir": "mr",
    "g": "mr",
    "gg": "mr",
    "ginoo": "mr",
    "ginoong": "mr",
    "先生": "mr",
    "mrs": "mrs",
    "missus": "mrs",
    "gng": "mrs",
    "ginang": "mrs",
    "太太": "mrs",
    "夫人": "mrs",
    "ms": "ms",
    "madam": "ms",
    "madame": "ms",
    "maam": "ms",
    "ma'am": "ms",
    "女士": "ms",
    "miss": "miss",
    "bb": "miss",
    "binibini": "miss",
    "binibining": "miss",
    "小姐": "miss",
    "mx": "mx",
    "dr": "dr",
    "doctor": "dr",
    "博士": "dr",
    "医生": "dr",
    "prof": "prof",
    "professor": "prof",
    "教授": "prof",
}


class TemplateError(ValueError):
    """A greeting template that cannot be rendered; the message says why."""


def title_key(title: str) -> str | None:
    """The title key ("mr", "ms", …) of what a customer wrote as their title, or None."""
    folded = re.sub(r"[\s.]", "", title).casefold()
    return _TITLES.get(folded)


@dataclass(frozen=True)
class Addressee:
    salutation: str
    surname: str
    language: str

    @property
    def formal(self) -> str:
        """The customer as a script addresses them: "Mr. Reyes", "王先生"; "" when no name is known."""
        if not self.surname:
            return ""
        if languages.is_chinese(self.language):
            return f"{self.surname}{self.salutation}"
        return f"{self.salutation} {self.surname}".strip()


def _language(language: str) -> str:
    for code in languages.lookup_order(language):
        if code in SALUTATIONS:
            return code
    return languages.FALLBACK


def addressee(*, title: str, last_name: str, first_name: str = "", language: str) -> Addressee:
    """Salutation and surname for a greeting in `language` (English when it has no salutations)."""
    code = _language(language)
    surname = last_name.strip() or first_name.strip()
    if not surname:
        return Addressee(salutation=ANONYMOUS[code], surname="", language=code)
    key = title_key(title)
    if key is not None:
        salutation = SALUTATIONS[code][key]
    elif title.strip() and not languages.is_chinese(code):
        salutation = title.strip()  # "Atty.", "Engr.", "Hon.": the customer's own title, as written
    else:
        salutation = NEUTRAL[code]
    return Addressee(salutation=salutation, surname=surname, language=code)


def part_of_day(hour: int) -> str:
    """ "morning" from 05:00, "afternoon" from 12:00, "evening" from 18:00 (and through the night)."""
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 18:
        return "afternoon"
    return "evening"


def day_greeting(language: str, hour: int) -> str:
    return _DAY_GREETINGS[_language(language)][part_of_day(hour)]


def placeholders_in(template: str) -> list[str]:
    """The placeholder names a template uses; raises TemplateError for bad braces or unknown names."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"the template's braces do not match: {exc}") from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise TemplateError(
                f"unknown placeholder {{{name}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
            )
        names.append(name)
    return names


_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.!?;:，。！？；：、])")
_REPEATED_SPACES = re.compile(r"[ \t]{2,}")


def render(
    template: str,
    *,
    addressee: Addressee,
    agent_first_name: str = "",
    company: str = "",
    hour: int = 9,
) -> str:
    """The template with its placeholders filled in, and the spaces empty ones leave tidied away."""
    placeholders_in(template)
    text = template.format(
        salutation=addressee.salutation,
        surname=addressee.surname,
        agent_first_name=agent_first_name,
        company=company,
        day_greeting=day_greeting(addressee.language, hour),
    )
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = _REPEATED_SPACES.sub(" ", text)
    return text.strip()
