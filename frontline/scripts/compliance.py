"""Reviewing an outbound text (chat, email, SMS, …) against the etiquette of the call-center scripts.

Pure module: standard library only, no Django. `check` returns findings, each with a kind, the span
of the original text it is about, the phrase and the suggested alternative:

- `forbidden_phrase`: a phrase agents must not say ("Hey, talk!"), with what to say instead
  ("Hello, may I help you?");
- `missing_greeting`: the reply does not open with a greeting although its channel asks for one;
- `missing_closing`: the reply does not end with a closing although its channel asks for one.

Matching is done on a normalised form of both the text and the phrase: compatibility forms are
folded (full-width "，！" become ",!", full-width letters become ASCII), case is folded,
punctuation, symbols and runs of white space become one space, and invisible format characters
(zero-width spaces, soft hyphens) are dropped, so "HEY,   talk!!" and "ｈｅｙ talk" both contain
"Hey, talk!". Phrases in a Latin script (English, Tagalog, …) match whole words only ("hey" is not
found in "they"); phrases with Chinese, Japanese or Korean characters match as a substring of the
text with all spaces and punctuation removed, since those scripts do not separate words.

When forbidden phrases overlap, the longest is reported and the phrases inside it are not.

Which channel asks for a greeting and a closing (`CHANNEL_RULES`):

| channel | greeting | closing |
| --- | --- | --- |
| email, web_form | every reply (each email stands alone) | every reply |
| chat, social, voice, callback, sms | the first reply on the ticket | never per message (*) |
| api, anything else | never | never |

(*) A chat or call closes when the conversation ends, which one message does not show, and SMS
replies are kept short: only the first message of the conversation needs its greeting.

A greeting counts when one of the language's greeting markers (or an English one: agents
code-switch) starts within the first `GREETING_WITHIN` normalised characters; a closing counts when
a closing marker ends within the last `CLOSING_WITHIN` ones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from frontline.scripts import languages

__all__ = [
    "CHANNEL_RULES",
    "CLOSING_WITHIN",
    "DEFAULT_MARKERS",
    "GREETING_WITHIN",
    "KINDS",
    "ChannelRule",
    "Finding",
    "Markers",
    "Normalised",
    "Phrase",
    "check",
    "find",
    "has_cjk",
    "markers_for",
    "normalise",
    "rule_for",
]

Kind = Literal["forbidden_phrase", "missing_greeting", "missing_closing"]
KINDS: tuple[Kind, ...] = ("forbidden_phrase", "missing_greeting", "missing_closing")
When = Literal["never", "first_reply", "always"]

#: A greeting marker must start within this many normalised characters of the beginning.
GREETING_WITHIN = 40
#: A closing marker must end within this many normalised characters of the end.
CLOSING_WITHIN = 120


@dataclass(frozen=True)
class ChannelRule:
    greeting: When
    closing: When

    def needs_greeting(self, is_first_reply: bool) -> bool:
        return self.greeting == "always" or (self.greeting == "first_reply" and is_first_reply)

    def needs_closing(self, is_first_reply: bool) -> bool:
        return self.closing == "always" or (self.closing == "first_reply" and is_first_reply)


_CONVERSATION = ChannelRule(greeting="first_reply", closing="never")
CHANNEL_RULES: Mapping[str, ChannelRule] = {
    "email": ChannelRule(greeting="always", closing="always"),
    "web_form": ChannelRule(greeting="always", closing="always"),
    "chat": _CONVERSATION,
    "social": _CONVERSATION,
    "voice": _CONVERSATION,
    "callback": _CONVERSATION,
    "sms": _CONVERSATION,
}
_NO_RULE = ChannelRule(greeting="never", closing="never")


def rule_for(channel: str) -> ChannelRule:
    """What `channel` asks of a reply; channels without a rule (the API) ask for nothing."""
    return CHANNEL_RULES.get(channel, _NO_RULE)


@dataclass(frozen=True)
class Phrase:
    """A forbidden phrase and what to say instead."""

    phrase: str
    alternative: str
    language: str = ""
    note: str = ""


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    """Offset of the first character concerned in the original text (0 for a missing greeting)."""
    end: int
    """Offset just after the last character concerned (`start == end` for a missing greeting or closing)."""
    phrase: str
    """The forbidden phrase as configured; empty for a missing greeting or closing."""
    suggestion: str
    """What to say instead (the alternative, or a greeting or closing line)."""
    language: str = ""
    note: str = ""


@dataclass(frozen=True)
class Markers:
    """Words and phrases that open (greetings) and close (closings) a polite reply."""

    greetings: tuple[str, ...]
    closings: tuple[str, ...]

    def __add__(self, other: Markers) -> Markers:
        return Markers(
            greetings=tuple(dict.fromkeys(self.greetings + other.greetings)),
            closings=tuple(dict.fromkeys(self.closings + other.closings)),
        )


DEFAULT_MARKERS: Mapping[str, Markers] = {
    "en": Markers(
        greetings=(
            "hello",
            "hi",
            "hey there",
            "good morning",
            "good afternoon",
            "good evening",
            "good day",
            "dear",
            "greetings",
            "welcome",
            "thank you for contacting",
            "thank you for calling",
            "thank you for reaching out",
            "thanks for reaching out",
        ),
        closings=(
            "thank you",
            "thanks",
            "regards",
            "sincerely",
            "yours truly",
            "best wishes",
            "goodbye",
            "good bye",
            "bye",
            "have a nice day",
            "have a great day",
            "have a good day",
            "take care",
            "anything else",
        ),
    ),
    "fil": Markers(
        greetings=(
            "magandang araw",
            "magandang umaga",
            "magandang tanghali",
            "magandang hapon",
            "magandang gabi",
            "kumusta",
            "kamusta",
            "mabuhay",
            "mahal na",
            "salamat po sa pagtawag",
            "salamat po sa pakikipag-ugnayan",
        ),
        closings=(
            "salamat",
            "maraming salamat",
            "paalam",
            "ingat",
            "mag-ingat",
            "hanggang sa muli",
            "lubos na gumagalang",
            "may iba pa po ba",
        ),
    ),
    "zh-hans": Markers(
        greetings=(
            "您好",
            "你好",
            "早上好",
            "上午好",
            "中午好",
            "下午好",
            "晚上好",
            "尊敬的",
            "亲爱的",
            "欢迎",
        ),
        closings=("谢谢", "感谢", "再见", "祝您", "此致", "敬礼", "还有什么可以帮您", "还有其他问题"),
    ),
}


def markers_for(language: str) -> Markers:
    """The markers of `language` together with the English ones."""
    found = Markers(greetings=(), closings=())
    for code in languages.lookup_order(language):
        found = found + DEFAULT_MARKERS.get(code, Markers(greetings=(), closings=()))
    return found


# --- Normalisation


@dataclass(frozen=True)
class Normalised:
    """A normalised text and, for each of its characters, the offset of its source in the original."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for the normalised `start:end` (end exclusive, non-empty)."""
        return self.offsets[start], self.offsets[end - 1] + 1

    def without_spaces(self) -> Normalised:
        kept = [(char, offset) for char, offset in zip(self.text, self.offsets, strict=True) if char != " "]
        return Normalised("".join(char for char, _ in kept), tuple(offset for _, offset in kept))


def _is_separator(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "PZS" or category == "Cc"


def _is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def _clusters(text: str) -> Iterable[tuple[int, str]]:
    """(offset, characters) of each base character with the combining marks after it."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, text[start:index]
            start = index


def normalise(text: str) -> Normalised:
    """Fold compatibility forms and case, turn punctuation and white space into single spaces."""
    chars: list[str] = []
    offsets: list[int] = []
    space_at: int | None = None
    for offset, cluster in _clusters(text):
        for char in unicodedata.normalize("NFKC", cluster).casefold():
            if _is_invisible(char):
                continue
            if _is_separator(char):
                if chars and space_at is None:
                    space_at = offset
                continue
            if space_at is not None:
                chars.append(" ")
                offsets.append(space_at)
                space_at = None
            chars.append(char)
            offsets.append(offset)
    return Normalised("".join(chars), tuple(offsets))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, kana, CJK symbols, unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extension ideographs
    )


def has_cjk(text: str) -> bool:
    return any(_is_cjk(char) for char in text)


def _joins_word(char: str) -> bool:
    """Whether `char` next to a Latin match would make it part of a longer word."""
    return char != " " and not _is_cjk(char)


def find(text: Normalised, phrase: str) -> list[tuple[int, int]]:
    """Spans of the original text where `phrase` occurs, without overlaps, first to last."""
    needle = normalise(phrase).text
    if not needle:
        return []
    if has_cjk(needle):
        haystack = text.without_spaces()
        needle = needle.replace(" ", "")
        return [haystack.span(start, start + len(needle)) for start in _occurrences(haystack.text, needle)]
    spans = []
    for start in _occurrences(text.text, needle, whole_words=True):
        spans.append(text.span(start, start + len(needle)))
    return spans


def _occurrences(haystack: str, needle: str, *, whole_words: bool = False) -> Iterable[int]:
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        if not whole_words or (
            (start == 0 or not _joins_word(haystack[start - 1]))
            and (end == len(haystack) or not _joins_word(haystack[end]))
        ):
            yield start
            start = haystack.find(needle, end)
        else:
            start = haystack.find(needle, start + 1)


# --- The check


def _found_within(text: Normalised, markers: Sequence[str], *, head: int | None, tail: int | None) -> bool:
    for marker in markers:
        for start, end in find(text, marker):
            # spans are offsets into the original text: translate the window limits to them
            if head is not None and start <= _original_at(text, head):
                return True
            if tail is not None and end >= _original_at(text, len(text.text) - tail):
                return True
    return False


def _original_at(text: Normalised, index: int) -> int:
    if not text.offsets:
        return 0
    return text.offsets[max(0, min(index, len(text.offsets) - 1))]


def check(
    text: str,
    *,
    phrases: Iterable[Phrase],
    channel: str,
    is_first_reply: bool,
    language: str = languages.FALLBACK,
    markers: Markers | None = None,
    greeting_suggestion: str = "",
    closing_suggestion: str = "",
) -> list[Finding]:
    """Findings about `text`, forbidden phrases first (in the order they occur), then what is missing.

    `language` chooses the greeting and closing markers (with English ones) unless `markers` are
    given; every phrase of `phrases` is looked for, whatever its language.
    """
    normalised = normalise(text)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    ordered = sorted(phrases, key=lambda p: (-len(normalise(p.phrase).text), p.phrase))
    for phrase in ordered:
        for start, end in find(normalised, phrase.phrase):
            if any(start >= t_start and end <= t_end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            findings.append(
                Finding(
                    kind="forbidden_phrase",
                    start=start,
                    end=end,
                    phrase=phrase.phrase,
                    suggestion=phrase.alternative,
                    language=phrase.language,
                    note=phrase.note,
                )
            )
    findings.sort(key=lambda f: (f.start, -f.end))
    rule = rule_for(channel)
    chosen = markers if markers is not None else markers_for(language)
    if rule.needs_greeting(is_first_reply) and not _found_within(
        normalised, chosen.greetings, head=GREETING_WITHIN, tail=None
    ):
        findings.append(
            Finding(
                kind="missing_greeting",
                start=0,
                end=0,
                phrase="",
                suggestion=greeting_suggestion,
                language=languages.canonical(language),
            )
        )
    if rule.needs_closing(is_first_reply) and not _found_within(
        normalised, chosen.closings, head=None, tail=CLOSING_WITHIN
    ):
        findings.append(
            Finding(
                kind="missing_closing",
                start=len(text),
                end=len(text),
                phrase="",
                suggestion=closing_suggestion,
                language=languages.canonical(language),
            )
        )
    return findings
