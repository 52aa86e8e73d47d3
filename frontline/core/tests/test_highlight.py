"""Search snippets: the query's words marked in the original text, never anything else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from frontline.core.highlight import ELLIPSIS, Piece, highlight, snippet
from frontline.core.textsearch import index_text, matches, parse_query


def _marked(pieces: list[Piece]) -> list[str]:
    return [p.text for p in pieces if p.is_hit]


def test_words_match_as_prefixes_whatever_their_case():
    pieces = highlight("Refunds: my REFUND was refused.", parse_query("refund"))
    assert _marked(pieces) == ["Refunds", "REFUND"]
    assert "".join(p.text for p in pieces) == "Refunds: my REFUND was refused."


def test_a_chinese_run_is_marked_as_one_phrase():
    pieces = highlight("我的冰箱不冷了，冰块也没有", parse_query("冰箱"))
    assert _marked(pieces) == ["冰箱"]


def test_markup_in_the_text_stays_text():
    pieces = highlight("<script>order</script> order", parse_query("order"))
    assert _marked(pieces) == ["order", "order"]
    assert pieces[0] == Piece("<script>", False)


def test_a_snippet_cuts_around_the_first_match_with_ellipses():
    text = " ".join(["filler"] * 60) + " the compressor is loud " + " ".join(["tail"] * 60)
    pieces = snippet(text, parse_query("compressor"), width=80)
    joined = "".join(p.text for p in pieces)
    assert joined.startswith(ELLIPSIS)
    assert joined.endswith(ELLIPSIS)
    assert _marked(pieces) == ["compressor"]
    assert len(joined) <= 82


def test_a_snippet_without_a_match_is_the_start_of_the_text():
    assert snippet("short text", parse_query("nothing")) == [Piece("short text", False)]


def test_index_rows_match_like_the_full_text_engines():
    row = index_text("Ang aircon ko ay hindi lumalamig, 冰箱 order AA-1")
    assert matches(row, parse_query("airc lumalamig"))
    assert matches(row, parse_query("冰箱"))
    assert not matches(row, parse_query("箱冰"))
    assert not matches(row, parse_query("aircon refund"))


@given(st.text(max_size=300), st.text(min_size=1, max_size=20))
def test_highlighting_never_changes_the_text(text, query):
    terms = parse_query(query)
    assert "".join(p.text for p in highlight(text, terms)) == text


@given(st.text(max_size=400), st.text(min_size=1, max_size=20))
def test_a_snippet_is_a_piece_of_the_flattened_text(text, query):
    terms = parse_query(query)
    joined = "".join(p.text for p in snippet(text, terms, width=60)).strip(ELLIPSIS)
    assert joined in " ".join(text.split())
