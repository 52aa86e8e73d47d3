"""Ordering search results: title matches first; snippets around the match."""

from frontline.knowledge import ranking


def test_a_match_in_the_title_outranks_one_in_the_body():
    in_title = ranking.score("filter", title="Clean the filter", body="Switch it off first.")
    in_body = ranking.score("filter", title="Aircon care", body="Clean the filter.")
    assert in_title > in_body > 0


def test_every_term_must_appear_somewhere():
    assert ranking.score("filter drain", title="Clean the filter", body="nothing else") == 0.0


def test_chinese_terms_match_adjacent_characters_only():
    assert ranking.score("制冷", title="空调不制冷", body="") > 0
    assert ranking.score("制冷", title="制作冷饮", body="") == 0.0


def test_words_match_as_prefixes_like_the_index_does():
    assert ranking.score("lumamig", title="", body="hindi lumalamig") == 0.0
    assert ranking.score("lumala", title="", body="hindi lumalamig") > 0


def test_a_short_body_is_its_own_snippet():
    assert ranking.snippet("x", "Short   body\ntext") == "Short body text"


def test_the_snippet_shows_the_text_around_the_first_match():
    body = ("Intro words. " * 40) + "The drain hose must not be bent. " + ("More words. " * 40)
    piece = ranking.snippet("drain", body, length=80)
    assert "drain hose" in piece
    assert piece.startswith("…")
    assert piece.endswith("…")
    assert len(piece) <= 82
