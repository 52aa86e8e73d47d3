"""The public help-center pages: language choice, "In other languages", votes, safety, visibility."""

import re

import pytest
from django.test import Client

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.knowledge import views
from frontline.knowledge.models import ArticleTranslation, ArticleVote
from frontline.knowledge.tests.conftest import translate, write_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(section):
    article = write_article(section, title="Aircon not cooling", body="<p>Clean the filter.</p>")
    translate(article, "fil", "Hindi lumalamig ang aircon", "<p>Linisin ang filter.</p>")
    translate(article, "zh-hans", "空调不制冷", "<p>清洗过滤网。</p>")
    return article


def _url(article, lang=None):
    url = f"/help/articles/{article.pk}-{article.slug}/"
    return f"{url}?lang={lang}" if lang else url


def _text(response):
    return response.content.decode()


def test_the_index_lists_categories_with_articles_and_a_search_box(client, article):
    page = _text(client.get("/help/"))
    assert '<html lang="en">' in page
    assert 'href="/help/aircon/?lang=en">Aircon</a>' in page
    assert f'href="{_url(article, "en")}" lang="en">Aircon not cooling</a>' in page
    assert '<form class="search" role="search" action="/help/search"' in page
    assert '<label for="help-q">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page


def test_the_visitors_language_comes_from_accept_language(client, article):
    page = _text(client.get("/help/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"))
    assert '<html lang="zh-Hans">' in page
    assert 'href="/help/aircon/?lang=zh-hans">空调</a>' in page
    assert "空调不制冷" in page


def test_the_language_switch_is_remembered(client, article):
    response = client.get("/help/?lang=fil")
    assert response.cookies["django_language"].value == "fil"
    assert "Hindi lumalamig ang aircon" in _text(response)
    assert "Hindi lumalamig ang aircon" in _text(client.get("/help/"))


def test_the_ui_is_translated(client, article):
    page = _text(client.get(_url(article, "fil")))
    assert "Nakatulong ba ang artikulong ito?" in page
    assert "Sa ibang wika" in page
    page = _text(client.get(_url(article, "zh-hans")))
    assert "这篇文章有帮助吗？" in page


def test_the_article_page_links_its_other_languages(client, article):
    response = client.get(_url(article, "en"))
    page = _text(response)
    assert '<article lang="en" aria-labelledby="article-title">' in page
    other = page[page.index('id="other-languages"') :]
    links = re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang="[^"]+">([^<]+)</a>', other)
    assert links[:2] == [
        (_url(article, "fil"), "fil", "Filipino: Hindi lumalamig ang aircon"),
        (_url(article, "zh-hans"), "zh-Hans", "简体中文: 空调不制冷"),
    ]
    page = _text(client.get(_url(article, "zh-hans")))
    assert '<article lang="zh-Hans"' in page
    assert '<h1 id="article-title">空调不制冷</h1>' in page


def test_an_untranslated_article_falls_back_to_its_default_language(client, section):
    article = write_article(section, title="Washer does not drain", body="<p>Check the hose.</p>")
    page = _text(client.get(_url(article, "fil")))
    assert '<article lang="en"' in page
    assert "This article is not available in" in page or "Ang artikulong ito ay wala pa sa" in page
    assert "Washer does not drain" in _text(client.get("/help/aircon/?lang=fil"))


def test_an_untranslated_article_is_hidden_when_the_setting_says_so(client, section, settings):
    settings.FRONTLINE_HELP_FALLBACK = "hide"
    article = write_article(section, title="Washer does not drain")
    assert client.get(_url(article, "fil")).status_code == 404
    assert "Washer does not drain" not in _text(client.get("/help/?lang=fil"))
    assert client.get(_url(article, "en")).status_code == 200


def test_a_wrong_slug_redirects_to_the_article(client, article):
    response = client.get(f"/help/articles/{article.pk}-old-title/?lang=fil")
    assert (response.status_code, response["Location"]) == (301, _url(article, "fil"))


def test_internal_and_draft_articles_are_not_found_by_the_public(client, section):
    internal = write_article(section, title="Silent calls", audience="internal")
    draft = write_article(section, title="Draft", published=False)
    assert client.get(_url(internal)).status_code == 404
    assert client.get(_url(draft)).status_code == 404
    assert "Silent calls" not in _text(client.get("/help/aircon/"))
    assert (
        client.post(f"/help/articles/{internal.pk}-{internal.slug}/vote", {"helpful": "yes"}).status_code
        == 404
    )
    assert not ArticleVote.objects.exists()


def test_agents_read_internal_articles_on_the_help_site(client, section):
    internal = write_article(section, title="Silent calls", audience="internal")
    client.force_login(staff(Role.AGENT))
    page = _text(client.get(_url(internal)))
    assert "Silent calls" in page
    assert "Internal: for agents only" in page


def test_views_are_counted_per_translation(client, article):
    client.get(_url(article, "fil"))
    client.get(_url(article, "fil"))
    client.get(_url(article, "en"))
    counts = dict(ArticleTranslation.objects.values_list("language", "view_count"))
    assert counts == {"en": 1, "fil": 2, "zh-hans": 0}


def test_the_body_is_rendered_inert(client, section):
    article = write_article(
        section,
        title="Tricky",
        body='<p>Safe<img src="x.png" onerror="alert(1)"><script>alert(2)</script></p>',
    )
    body = _text(client.get(_url(article)))
    body = body[body.index('<div class="article-body">') :]
    assert "onerror" not in body
    assert "<script" not in body


def test_a_visitor_votes_and_sees_the_thank_you(section, article):
    client = Client(enforce_csrf_checks=True)
    page = _text(client.get(_url(article, "fil")))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    assert action == f"/help/articles/{article.pk}-{article.slug}/vote?lang=fil"
    response = client.post(
        action, {"csrfmiddlewaretoken": token, "helpful": "no", "comment": "<b>too</b> short"}
    )
    assert response.status_code == 303
    assert response["Location"] == _url(article, "fil") + "&voted=1#feedback"
    thanks = _text(client.get(response["Location"]))
    assert "Salamat sa iyong puna!" in thanks
    assert "&lt;b&gt;too&lt;/b&gt; short" in thanks
    assert "<b>too</b>" not in thanks
    assert '<form method="post"' not in thanks
    vote = ArticleVote.objects.get()
    assert (vote.is_helpful, vote.language, vote.comment) == (False, "fil", "<b>too</b> short")

    client.post(action, {"csrfmiddlewaretoken": token, "helpful": "yes"})
    assert list(ArticleVote.objects.values_list("is_helpful", "comment")) == [(True, "")]


def test_a_vote_without_the_csrf_token_is_refused(section, article):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/help/articles/{article.pk}-{article.slug}/vote", {"helpful": "yes"})
    assert response.status_code == 403
    assert not ArticleVote.objects.exists()


def test_a_forged_visitor_cookie_counts_as_a_new_visitor(client, article):
    client.cookies[views.VISITOR_COOKIE] = "someone-else"
    client.post(f"/help/articles/{article.pk}-{article.slug}/vote", {"helpful": "yes"})
    vote = ArticleVote.objects.get()
    assert vote.visitor_id != "someone-else"
    assert len(vote.visitor_id) == 32


def test_a_vote_without_an_answer_records_nothing(client, article):
    response = client.post(f"/help/articles/{article.pk}-{article.slug}/vote", {"comment": "hi"})
    assert response.status_code == 302
    assert not ArticleVote.objects.exists()


def test_search_finds_articles_in_the_visitors_language(client, article):
    page = _text(client.get("/help/search", {"q": "过滤", "lang": "zh-hans"}))
    assert f'href="{_url(article, "zh-hans")}">空调不制冷</a>' in page
    page = _text(client.get("/help/search", {"q": "filter", "lang": "en"}))
    assert "1 article found for “filter”" in page
    page = _text(client.get("/help/search", {"q": "<script>", "lang": "en"}))
    assert "<script>" not in page.split("<main", 1)[1]


def test_a_search_without_words_asks_for_some(client, article):
    assert "Please type a few words to search for." in _text(client.get("/help/search", {"q": "?!"}))


def test_an_unknown_category_is_not_found(client):
    assert client.get("/help/no-such-category/").status_code == 404
