"""The pure compliance checker: forbidden phrases in English, Tagalog and Chinese; greetings and closings."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.scripts.compliance import (
    CHANNEL_RULES,
    Finding,
    Markers,
    Phrase,
    check,
    find,
    markers_for,
    normalise,
    rule_for,
)

PHRASES = (
    Phrase("Hey, talk!", "Hello, may I help you?", "en"),
    Phrase("I'll hang up without talking!", "Sorry, there is no sound on your phone. Goodbye!", "en"),
    Phrase("Hey, louder!", "Sorry, your voice is too low. Please pick up the handset to speak.", "en"),
    Phrase("Hoy, magsalita ka!", "Magandang araw po, paano ko po kayo matutulungan?", "fil"),
    Phrase("Hoy, lakasan mo!", "Paumanhin po, mahina po ang inyong boses.", "fil"),
    Phrase("喂，说话！", "您好，请问有什么可以帮您？", "zh-hans"),
    Phrase("喂，大声点！", "对不起，您的声音太小了，请您拿起话筒讲话。", "zh-hans"),
)


def _forbidden(text, phrases=PHRASES):
    findings = check(text, phrases=phrases, channel="api", is_first_reply=False)
    return [(f.phrase, text[f.start : f.end], f.suggestion) for f in findings]


@pytest.mark.parametrize(
    ("text", "phrase", "excerpt", "suggestion"),
    [
        ("Hey, talk!", "Hey, talk!", "Hey, talk", "Hello, may I help you?"),
        ("HEY,   talk!!! Anyone?", "Hey, talk!", "HEY,   talk", "Hello, may I help you?"),
        ("hey talk", "Hey, talk!", "hey talk", "Hello, may I help you?"),
        (
            "I said: hey, LOUDER.",
            "Hey, louder!",
            "hey, LOUDER",
            "Sorry, your voice is too low. Please pick up the handset to speak.",
        ),
        ("ｈｅｙ，ｔａｌｋ！", "Hey, talk!", "ｈｅｙ，ｔａｌｋ", "Hello, may I help you?"),
        (
            "Okay... I’ll hang up without talking!",
            "I'll hang up without talking!",
            "I’ll hang up without talking",
            "Sorry, there is no sound on your phone. Goodbye!",
        ),
        ("h\u200bey, talk", "Hey, talk!", "h\u200bey, talk", "Hello, may I help you?"),
    ],
)
def test_english_forbidden_phrases_are_found_whatever_the_case_punctuation_and_spacing(
    text, phrase, excerpt, suggestion
):
    assert _forbidden(text) == [(phrase, excerpt, suggestion)]


@pytest.mark.parametrize(
    ("text", "phrase", "excerpt"),
    [
        ("Hoy, magsalita ka!", "Hoy, magsalita ka!", "Hoy, magsalita ka"),
        ("HOY magsalita   KA na", "Hoy, magsalita ka!", "HOY magsalita   KA"),
        ("Sabi ko: hoy,lakasan mo.", "Hoy, lakasan mo!", "hoy,lakasan mo"),
    ],
)
def test_tagalog_forbidden_phrases_are_found_with_their_alternative(text, phrase, excerpt):
    suggestion = next(p.alternative for p in PHRASES if p.phrase == phrase)
    assert _forbidden(text) == [(phrase, excerpt, suggestion)]


@pytest.mark.parametrize(
    ("text", "phrase", "excerpt"),
    [
        ("喂，说话！", "喂，说话！", "喂，说话"),
        ("您好。喂说话吧", "喂，说话！", "喂说话"),
        ("喂 ， 说话!", "喂，说话！", "喂 ， 说话"),
        ("喂,大声点!!", "喂，大声点！", "喂,大声点"),
    ],
)
def test_chinese_forbidden_phrases_match_as_substrings_ignoring_punctuation_and_width(text, phrase, excerpt):
    suggestion = next(p.alternative for p in PHRASES if p.phrase == phrase)
    assert _forbidden(text) == [(phrase, excerpt, suggestion)]


@pytest.mark.parametrize(
    "text",
    [
        "They talk about it every day.",  # "hey" inside "they"
        "Heyday, talking points",
        "Hoy, magsalitaan kayo",  # a longer word is not the phrase
        "您好，请问有什么可以帮您？",
        "Please speak a little louder, okay?",
    ],
)
def test_latin_phrases_match_whole_words_only_and_polite_lines_pass(text):
    assert _forbidden(text) == []


def test_a_phrase_inside_a_longer_forbidden_phrase_is_reported_once_as_the_longer_one():
    phrases = (Phrase("talk", "speak"), Phrase("Hey, talk!", "Hello, may I help you?"))
    assert _forbidden("Hey, talk! Fine, talk later.", phrases) == [
        ("Hey, talk!", "Hey, talk", "Hello, may I help you?"),
        ("talk", "talk", "speak"),
    ]


def test_every_occurrence_is_reported_in_order_with_offsets_into_the_original_text():
    text = "Hey, talk! ... 喂，说话！ ... HEY TALK"
    findings = check(text, phrases=PHRASES, channel="api", is_first_reply=False)
    assert [(f.kind, f.start, f.end, f.language) for f in findings] == [
        ("forbidden_phrase", 0, 9, "en"),
        ("forbidden_phrase", 15, 19, "zh-hans"),
        ("forbidden_phrase", 25, 33, "en"),
    ]


def test_normalising_folds_width_case_and_separators_and_keeps_offsets():
    normalised = normalise("  Ｈｅｌｌｏ,\t\tWORLD！ ")
    assert normalised.text == "hello world"
    assert normalised.offsets == (2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14)


def test_latin_phrase_next_to_chinese_characters_is_a_whole_word():
    assert find(normalise("嘿hey talk你好"), "hey talk") == [(1, 9)]


# --- Greeting and closing per channel

EMAIL_OK = "Dear Mr. Reyes,\n\nYour replacement ships today.\n\nBest regards,\nPat"


@pytest.mark.parametrize(
    ("channel", "is_first_reply", "text", "missing"),
    [
        ("email", False, EMAIL_OK, []),
        ("email", False, "Your replacement ships today.", ["missing_greeting", "missing_closing"]),
        ("email", True, "Good morning, Ms. Santos. It ships today.", ["missing_closing"]),
        ("email", False, "It ships today. Thank you!", ["missing_greeting"]),
        ("web_form", False, "It ships today.", ["missing_greeting", "missing_closing"]),
        ("chat", True, "It ships today.", ["missing_greeting"]),
        ("chat", True, "Hello, Mr. Reyes! It ships today.", []),
        ("chat", False, "It ships today.", []),
        ("sms", True, "Your order ships today.", ["missing_greeting"]),
        ("sms", False, "Your order ships today.", []),
        ("voice", True, "It ships today.", ["missing_greeting"]),
        ("api", True, "It ships today.", []),
    ],
)
def test_greeting_and_closing_are_required_by_channel(channel, is_first_reply, text, missing):
    findings = check(text, phrases=(), channel=channel, is_first_reply=is_first_reply, language="en")
    assert [f.kind for f in findings] == missing


def test_missing_greeting_and_closing_carry_the_suggested_lines_and_positions():
    text = "It ships today."
    findings = check(
        text,
        phrases=(),
        channel="email",
        is_first_reply=True,
        language="fil",
        greeting_suggestion="Magandang umaga po, G. Reyes!",
        closing_suggestion="Maraming salamat po!",
    )
    assert findings == [
        Finding("missing_greeting", 0, 0, "", "Magandang umaga po, G. Reyes!", "fil"),
        Finding("missing_closing", 15, 15, "", "Maraming salamat po!", "fil"),
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fil", "Magandang hapon po, Gng. Cruz! Naipadala na po ang inyong order. Maraming salamat po!"),
        ("zh-hans", "王先生，您好！您的订单今天发货。谢谢，再见！"),
        ("zh", "尊敬的王女士：您的订单今天发货。此致敬礼"),
        ("fil", "Hi po! Naipadala na po. Thank you po!"),  # Taglish: English markers count too
    ],
)
def test_greetings_and_closings_in_tagalog_and_chinese(language, text):
    assert check(text, phrases=(), channel="email", is_first_reply=False, language=language) == []


def test_a_greeting_late_in_the_text_does_not_count():
    text = "Your replacement part was shipped this morning from our warehouse. Hello again!"
    findings = check(text, phrases=(), channel="chat", is_first_reply=True, language="en")
    assert [f.kind for f in findings] == ["missing_greeting"]


def test_custom_markers_replace_the_defaults():
    markers = Markers(greetings=("ahoy",), closings=("cheers",))
    assert check("Ahoy! Cheers", phrases=(), channel="email", is_first_reply=True, markers=markers) == []
    assert [
        f.kind
        for f in check("Hello. Thanks", phrases=(), channel="email", is_first_reply=True, markers=markers)
    ] == [
        "missing_greeting",
        "missing_closing",
    ]


def test_channels_without_a_rule_ask_for_nothing():
    assert rule_for("api") == rule_for("pigeon")
    assert not rule_for("api").needs_greeting(True)
    assert set(CHANNEL_RULES) == {"email", "web_form", "chat", "social", "voice", "callback", "sms"}


def test_markers_of_a_language_include_english():
    assert "salamat" in markers_for("tl").closings
    assert "thank you" in markers_for("tl").closings
    assert markers_for("de") == markers_for("en")


# --- Properties

_words = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(before=_words, after=_words, phrase=st.sampled_from(PHRASES))
def test_a_forbidden_phrase_is_found_wherever_it_is_embedded(before, after, phrase):
    """Separated by a space from the words around it (Latin) or anywhere (Chinese), it is found."""
    text = f"{before} {phrase.phrase} {after}"
    findings = check(text, phrases=PHRASES, channel="api", is_first_reply=False)
    start = len(before) + 1
    assert any(f.phrase == phrase.phrase and f.start == start for f in findings), findings


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_findings_are_in_order_and_inside_the_text(text):
    findings = check(text, phrases=PHRASES, channel="email", is_first_reply=True)
    for finding in findings:
        assert 0 <= finding.start <= finding.end <= len(text)
    starts = [f.start for f in findings if f.kind == "forbidden_phrase"]
    assert starts == sorted(starts)


@settings(max_examples=100, deadline=None)
@given(phrase=st.sampled_from(PHRASES), data=st.data())
def test_case_and_spacing_changes_do_not_hide_a_phrase(phrase, data):
    spaced = "".join(
        char + (" " * data.draw(st.integers(0, 2)) if char == " " else "") for char in phrase.phrase
    )
    variant = data.draw(st.sampled_from([spaced.upper(), spaced.lower(), spaced.swapcase()]))
    assert [f.phrase for f in check(variant, phrases=PHRASES, channel="api", is_first_reply=False)] == [
        phrase.phrase
    ]
