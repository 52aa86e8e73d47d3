"""Full-text search per language: English and Tagalog by words, Chinese by characters; fallback or hide."""

import pytest

from frontline.core.errors import Invalid
from frontline.knowledge import search, selectors, services
from frontline.knowledge.models import Audience, SearchEntry
from frontline.knowledge.tests.conftest import translate, write_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(section):
    aircon = write_article(
        section, title="Aircon not cooling", body="<p>Clean the filter every two weeks.</p>"
    )
    translate(
        aircon, "fil", "Hindi lumalamig ang aircon", "<p>Linisin ang filter tuwing dalawang linggo.</p>"
    )
    translate(aircon, "zh-hans", "空调不制冷", "<p>每两周清洗一次过滤网。</p>")
    drain = write_article(
        section, title="Washing machine does not drain", body="<p>Check the drain hose.</p>"
    )
    return {"aircon": aircon, "drain": drain}


def _found(query, language, principal=None):
    results = selectors.help_search(principal=principal, query=query, language=language)
    return [(r.translation.article_id, r.translation.language) for r in results]


def test_english_words_are_found_by_prefix(articles):
    assert _found("filt", "en") == [(articles["aircon"].pk, "en")]


def test_every_word_must_match(articles):
    assert _found("filter hose", "en") == []


def test_tagalog_is_searched_in_tagalog(articles):
    assert _found("linisin", "fil") == [(articles["aircon"].pk, "fil")]
    assert _found("linisin", "en") == []


def test_chinese_is_matched_by_adjacent_characters(articles):
    assert _found("制冷", "zh-hans") == [(articles["aircon"].pk, "zh-hans")]
    assert _found("过滤", "zh-hans") == [(articles["aircon"].pk, "zh-hans")]
    assert _found("冷制", "zh-hans") == []


def test_an_untranslated_article_is_found_in_its_default_language(articles):
    assert _found("drain", "fil") == [(articles["drain"].pk, "en")]
    # The aircon article has a Tagalog text, so its English text is not searched for a Tagalog visitor.
    assert _found("filter", "fil") == [(articles["aircon"].pk, "fil")]


def test_an_untranslated_article_is_hidden_when_the_setting_says_so(articles, settings):
    settings.FRONTLINE_HELP_FALLBACK = "hide"
    assert _found("drain", "fil") == []


def test_drafts_and_internal_articles_are_found_by_staff_only(section, supervisor):
    draft = write_article(section, title="Compressor noise", published=False)
    internal = write_article(section, title="Compressor warranty script", audience=Audience.INTERNAL)
    assert _found("compressor", "en") == []
    from frontline.customers.selectors import principal_for_user

    found = _found("compressor", "en", principal=principal_for_user(supervisor))
    assert sorted(found) == sorted([(draft.pk, "en"), (internal.pk, "en")])


def test_the_title_match_ranks_first(section):
    body_only = write_article(section, title="Care guide", body="<p>Filter, filter and more.</p>")
    titled = write_article(section, title="Filter cleaning", body="<p>Rinse it.</p>")
    assert [article_id for article_id, _ in _found("filter", "en")] == [titled.pk, body_only.pk]


def test_an_edit_is_searchable_at_once(articles):
    translation = articles["drain"].translations.get()
    services.translation_update(
        actor=None, translation=translation, body_html="<p>Unscrew the pump filter.</p>"
    )
    assert _found("pump", "en") == [(articles["drain"].pk, "en")]
    assert _found("hose", "en") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "x" * 301])
def test_an_empty_or_long_query_is_refused(articles, query):
    with pytest.raises(Invalid) as raised:
        selectors.help_search(principal=None, query=query, language="en")
    assert raised.value.field == "q"


def test_quotes_and_operators_in_a_query_are_just_words(articles):
    assert _found('filter" OR "drain', "en") == []
    assert _found("NEAR(filter", "en") == []


def test_rebuild_recreates_the_index(articles):
    SearchEntry.objects.all().delete()
    assert _found("filter", "en") == []
    assert search.rebuild() == 4
    assert _found("filter", "en") == [(articles["aircon"].pk, "en")]
