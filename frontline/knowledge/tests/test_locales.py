"""Which language a visitor reads an article in, and the spellings of language codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.knowledge import locales


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("tl", "fil"),
        ("fil-PH", "fil"),
        ("zh_CN", "zh-hans"),
        ("zh-Hans-CN", "zh-hans"),
        ("zh-Hant-TW", "zh-hant"),
        ("", ""),
        (None, ""),
    ],
)
def test_language_codes_are_stored_in_one_spelling(code, expected):
    assert locales.canonical(code) == expected


def test_the_wanted_language_wins_when_the_article_has_it():
    assert locales.choose(wanted="fil", available=["en", "fil"], default="en") == "fil"


def test_a_missing_language_falls_back_to_the_default_one():
    assert locales.choose(wanted="zh-hans", available=["en", "fil"], default="en") == "en"


def test_a_missing_language_hides_the_article_when_the_policy_says_so():
    assert locales.choose(wanted="zh-hans", available=["en"], default="en", policy=locales.HIDE) is None


def test_nothing_to_show_when_even_the_default_language_is_missing():
    assert locales.choose(wanted="zh-hans", available=["fil"], default="en") is None


@given(
    wanted=st.sampled_from(["en", "fil", "zh-hans"]),
    available=st.sets(st.sampled_from(["en", "fil", "zh-hans"])),
    policy=st.sampled_from(locales.POLICIES),
)
def test_the_chosen_language_is_always_one_the_article_has(wanted, available, policy):
    chosen = locales.choose(wanted=wanted, available=available, default="en", policy=policy)
    assert chosen is None or chosen in available
    if wanted in available:
        assert chosen == wanted
