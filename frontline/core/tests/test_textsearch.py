from hypothesis import given
from hypothesis import strategies as st

from frontline.core.textsearch import (
    MAX_QUERY_TERMS,
    Term,
    fts5_match,
    index_text,
    parse_query,
    tokens,
    tsquery,
)


def test_chinese_characters_become_single_tokens_and_words_stay_words():
    assert (
        index_text("我的冰箱不制冷 Refund please, Salamat po!")
        == "我 的 冰 箱 不 制 冷 refund please salamat po"
    )


def test_a_chinese_run_in_a_query_is_one_phrase():
    assert parse_query("冰箱 leaking") == [Term(("冰", "箱"), True), Term(("leaking",), False)]


def test_fts5_expression_quotes_every_term():
    assert fts5_match(parse_query('冰箱 "drop table" or*')) == '"冰 箱" AND "drop"* AND "table"* AND "or"*'


def test_tsquery_expression_uses_phrases_and_prefixes():
    assert tsquery(parse_query("冰箱 o'neil")) == "('冰' <-> '箱') & 'o':* & 'neil':*"


def test_query_terms_are_capped():
    assert len(parse_query(" ".join(f"w{i}" for i in range(100)))) == MAX_QUERY_TERMS


@given(st.text())
def test_every_query_term_is_made_of_index_tokens(text):
    indexed = set(index_text(text).split())
    for term in parse_query(text):
        assert set(term.tokens) <= indexed


@given(st.text(max_size=200))
def test_index_text_is_idempotent(text):
    once = index_text(text)
    assert index_text(once) == once
    assert all(token and not token.isspace() for token in tokens(text))


@given(st.text(max_size=50))
def test_match_expressions_never_contain_an_unbalanced_quote(text):
    assert fts5_match(parse_query(text)).count('"') % 2 == 0
