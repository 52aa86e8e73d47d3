"""A visitor uses the help center in a real browser (Debian's Chromium through Playwright).

Skips when /usr/bin/chromium is missing, unless FRONTLINE_REQUIRE_SERVICES lists "chromium".
Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from frontline.knowledge.models import ArticleTranslation, ArticleVote
from frontline.knowledge.tests.conftest import translate, write_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def artifacts():
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "help-center"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def aircon_article(section):
    article = write_article(
        section,
        title="Aircon not cooling? Clean the filter first",
        body="<p>A dusty filter is the most common reason an aircon blows warm air.</p>"
        "<ol><li>Switch the aircon off.</li><li>Rinse the filters.</li></ol>",
    )
    translate(
        article,
        "fil",
        "Hindi lumalamig ang aircon? Linisin muna ang filter",
        "<p>Ang maalikabok na filter ang pinakakaraniwang dahilan.</p>",
    )
    translate(article, "zh-hans", "空调不制冷？先清洗过滤网", "<p>过滤网积灰是最常见的原因。</p>")
    write_article(section, title="Washing machine does not drain", body="<p>Check the hose.</p>")
    return article


def test_a_visitor_searches_reads_in_tagalog_and_votes(aircon_article, live_server, chromium, artifacts):
    context = chromium.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/help/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(artifacts / "1-index.png"), full_page=True)

    page.get_by_label("How can we help?").fill("aircon filter")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/help/search?*")
    results = page.locator("ol.results h2 a")
    assert results.all_inner_texts() == ["Aircon not cooling? Clean the filter first"]
    page.screenshot(path=str(artifacts / "2-search.png"), full_page=True)

    results.first.click()
    page.wait_for_url(f"**/help/articles/{aircon_article.pk}-**")
    assert page.locator("article").get_attribute("lang") == "en"
    other_languages = page.get_by_role("complementary", name="In other languages")
    other_languages.get_by_role(
        "link", name="Filipino: Hindi lumalamig ang aircon? Linisin muna ang filter"
    ).click()
    page.wait_for_url("**lang=fil")
    assert page.locator("article").get_attribute("lang") == "fil"
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Hindi lumalamig ang aircon? Linisin muna ang filter"
    )
    assert page.get_by_role("heading", name="Nakatulong ba ang artikulong ito?").is_visible()
    page.screenshot(path=str(artifacts / "3-article-fil.png"), full_page=True)

    page.get_by_label("Oo").check()
    page.get_by_label("May idadagdag ka ba? (opsyonal)").fill("Malinaw, salamat <3")
    page.get_by_role("button", name="Ipadala ang puna").click()
    page.wait_for_url("**voted=1*")
    thanks = page.get_by_role("status")
    assert "Salamat sa iyong puna!" in thanks.inner_text()
    assert "Malinaw, salamat <3" in thanks.inner_text()
    page.screenshot(path=str(artifacts / "4-thank-you.png"), full_page=True)
    context.close()

    vote = ArticleVote.objects.get()
    assert (vote.article_id, vote.language, vote.is_helpful, vote.comment) == (
        aircon_article.pk,
        "fil",
        True,
        "Malinaw, salamat <3",
    )
    views = dict(
        ArticleTranslation.objects.filter(article=aircon_article).values_list("language", "view_count")
    )
    assert views == {"en": 1, "fil": 2, "zh-hans": 0}
    assert (artifacts / "4-thank-you.png").stat().st_size > 0
