"""The help-center endpoints: success, bad input (422 with the field), and who may see or change what."""

import pytest
from django.test import Client

from frontline.events.models import Event
from frontline.knowledge.models import Article, ArticleTranslation, Category, Deflection
from frontline.knowledge.tests.conftest import translate, write_article

pytestmark = pytest.mark.django_db


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def public_article(section):
    article = write_article(section, title="Aircon not cooling", tags=["aircon"], products=["AC-SI15"])
    translate(article, "fil", "Hindi lumalamig ang aircon", "<p>Linisin ang filter.</p>")
    return article


@pytest.fixture
def internal_article(section):
    return write_article(section, title="Silent calls", audience="internal", body="<p>Wait 5 seconds.</p>")


# --- categories and sections


def test_a_supervisor_creates_a_category_and_a_section(supervisor_api):
    response = supervisor_api.post(
        "/help/categories", {"name": "Washing machines", "translations": {"zh-hans": {"name": "洗衣机"}}}
    )
    assert response.status_code == 201, response.content
    category = response.json()
    assert (category["slug"], category["translations"]) == (
        "washing-machines",
        {"zh-hans": {"name": "洗衣机"}},
    )
    response = supervisor_api.post("/help/sections", {"category_id": category["id"], "name": "Draining"})
    assert response.status_code == 201, response.content
    assert response.json()["category_id"] == category["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
        ({"name": "X", "translations": {"xx": {"name": "?"}}}, "translations"),
    ],
)
def test_bad_category_input_names_the_field(supervisor_api, body, field):
    assert _error(supervisor_api.post("/help/categories", body), 422)["field"] == field
    assert not Category.objects.exists()


def test_a_section_in_a_missing_category_is_refused(supervisor_api):
    assert _error(supervisor_api.post("/help/sections", {"category_id": -1, "name": "X"}), 422)["field"] == (
        "category_id"
    )


def test_an_agent_may_not_write_categories(agent_api):
    _error(agent_api.post("/help/categories", {"name": "Aircon"}), 403)
    assert not Category.objects.exists()


def test_anyone_reads_categories(anonymous, section):
    response = anonymous.get("/api/v1/help/categories")
    assert [c["slug"] for c in response.json()] == ["aircon"]


def test_a_category_is_renamed_and_an_empty_one_deleted(supervisor_api, section):
    response = supervisor_api.patch(f"/help/categories/{section.category_id}", {"name": "Air conditioners"})
    assert response.json()["name"] == "Air conditioners"
    _error(supervisor_api.delete(f"/help/categories/{section.category_id}"), 409)
    assert supervisor_api.delete(f"/help/sections/{section.pk}").status_code == 204
    assert supervisor_api.delete(f"/help/categories/{section.category_id}").status_code == 204
    assert not Category.objects.exists()


# --- articles


def test_a_supervisor_writes_translates_and_publishes_an_article(supervisor_api, section, anonymous):
    response = supervisor_api.post(
        "/help/articles",
        {
            "section_id": section.pk,
            "language": "en",
            "title": "Refrigerator not cold",
            "body_html": "<p>Wait 24 hours.</p><script>x()</script>",
            "tags": ["refrigerator"],
            "products": ["AR-2D340i"],
        },
    )
    assert response.status_code == 201, response.content
    article = response.json()
    assert article["translations"][0]["status"] == "draft"
    assert article["translations"][0]["body_html"] == "<p>Wait 24 hours.</p>"
    assert article["url"] == f"/help/articles/{article['id']}-refrigerator-not-cold/"
    response = supervisor_api.post(
        f"/help/articles/{article['id']}/translations",
        {"language": "zh-hans", "title": "冰箱不够冷", "body_html": "<p>请等待二十四小时。</p>"},
    )
    assert response.status_code == 201, response.content
    _error(anonymous.get(f"/api/v1/help/articles/{article['id']}"), 404)

    response = supervisor_api.post(f"/help/articles/{article['id']}/publish", {})
    assert [(t["language"], t["status"]) for t in response.json()["translations"]] == [
        ("en", "published"),
        ("zh-hans", "draft"),
    ]
    response = supervisor_api.post(f"/help/articles/{article['id']}/publish", {"language": "zh-hans"})
    assert [t["status"] for t in response.json()["translations"]] == ["published", "published"]
    public = anonymous.get(f"/api/v1/help/articles/{article['id']}").json()
    assert [t["language"] for t in public["translations"]] == ["en", "zh-hans"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"audience": "everyone"}, "audience"),
        ({"section_id": -1}, "section_id"),
        ({"body_html": "<script>alert(1)</script>"}, "body_html"),
        ({"title": ""}, "title"),
        ({"tags": ["x" * 121]}, "tags"),
        ({"slug": "Bad slug"}, "slug"),
    ],
)
def test_bad_article_input_names_the_field(supervisor_api, section, body, field):
    valid = {"section_id": section.pk, "language": "en", "title": "T", "body_html": "<p>B</p>"}
    assert _error(supervisor_api.post("/help/articles", {**valid, **body}), 422)["field"] == field
    assert not Article.objects.exists()


def test_an_agent_may_not_write_articles(agent_api, public_article):
    _error(agent_api.post(f"/help/articles/{public_article.pk}/unpublish", {}), 403)
    _error(agent_api.patch(f"/help/articles/{public_article.pk}/translations/en", {"title": "Hacked"}), 403)
    assert public_article.translations.get(language="en").title == "Aircon not cooling"
    assert public_article.translations.get(language="en").status == "published"


def test_anonymous_callers_may_not_use_staff_endpoints(anonymous, public_article, section):
    response = anonymous.post(
        "/api/v1/help/articles",
        {"section_id": section.pk, "language": "en", "title": "T", "body_html": "<p>B</p>"},
        content_type="application/json",
    )
    assert _error(response, 401)["code"] == "unauthenticated"
    _error(anonymous.get(f"/api/v1/help/articles/{public_article.pk}/translations/en/versions"), 401)
    _error(
        anonymous.post(
            f"/api/v1/help/articles/{public_article.pk}/publish", "{}", content_type="application/json"
        ),
        401,
    )


def test_a_bad_token_is_refused_even_on_open_endpoints(public_article):
    client = Client(HTTP_AUTHORIZATION="Bearer fl_not_a_token")
    _error(client.get(f"/api/v1/help/articles/{public_article.pk}"), 401)


def test_an_internal_article_does_not_exist_for_the_public(
    anonymous, customer_api, agent_api, internal_article, public_article
):
    _error(anonymous.get(f"/api/v1/help/articles/{internal_article.pk}"), 404)
    _error(customer_api.get(f"/help/articles/{internal_article.pk}"), 404)
    assert [a["id"] for a in anonymous.get("/api/v1/help/articles").json()] == [public_article.pk]
    assert [a["id"] for a in customer_api.get("/help/articles").json()] == [public_article.pk]
    response = agent_api.get(f"/help/articles/{internal_article.pk}")
    assert response.status_code == 200
    assert response.json()["audience"] == "internal"
    assert {a["id"] for a in agent_api.get("/help/articles").json()} == {
        public_article.pk,
        internal_article.pk,
    }


def test_drafts_do_not_exist_for_the_public(anonymous, section):
    draft = write_article(section, published=False)
    _error(anonymous.get(f"/api/v1/help/articles/{draft.pk}"), 404)
    _error(anonymous.get(f"/api/v1/help/articles/{draft.pk}/translations/en"), 404)


def test_articles_are_listed_by_language_tag_and_product(anonymous, public_article, section):
    other = write_article(section, title="Refrigerator", tags=["refrigerator"])
    ids = lambda **query: [a["id"] for a in anonymous.get("/api/v1/help/articles", query).json()]  # noqa: E731
    assert ids(language="fil") == [public_article.pk]
    assert ids(tag="refrigerator") == [other.pk]
    assert ids(product="AC-SI15") == [public_article.pk]
    assert _error(anonymous.get("/api/v1/help/articles", {"language": "xx"}), 422)["field"] == "language"


def test_the_article_list_makes_a_fixed_number_of_queries(anonymous, section, django_assert_max_num_queries):
    for n in range(6):
        article = write_article(section, title=f"Article {n}")
        translate(article, "fil", f"Artikulo {n}", "<p>Teksto.</p>")
    with django_assert_max_num_queries(3):
        response = anonymous.get("/api/v1/help/articles")
    assert len(response.json()) == 6


def test_editing_a_published_translation_lists_the_earlier_text(supervisor_api, agent_api, public_article):
    response = supervisor_api.patch(
        f"/help/articles/{public_article.pk}/translations/en", {"body_html": "<p>Call us.</p>"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    versions = agent_api.get(f"/help/articles/{public_article.pk}/translations/en/versions").json()
    assert [(v["number"], v["title"], v["body_html"]) for v in versions] == [
        (1, "Aircon not cooling", "<p>Clean the filter every two weeks.</p>")
    ]
    _error(agent_api.get(f"/help/articles/{public_article.pk}/translations/zh-hans/versions"), 404)


def test_unpublishing_hides_the_article_from_the_public(supervisor_api, anonymous, public_article):
    supervisor_api.post(f"/help/articles/{public_article.pk}/unpublish", {})
    supervisor_api.post(f"/help/articles/{public_article.pk}/unpublish", {"language": "fil"})
    _error(anonymous.get(f"/api/v1/help/articles/{public_article.pk}"), 404)
    assert Event.objects.filter(verb="help.translation_unpublished").count() == 2


def test_an_article_is_refiled_retagged_and_deleted(supervisor_api, public_article, section):
    response = supervisor_api.patch(
        f"/help/articles/{public_article.pk}", {"tags": ["aircon", "filter"], "audience": "internal"}
    )
    assert (response.json()["tags"], response.json()["audience"]) == (["aircon", "filter"], "internal")
    assert (
        _error(
            supervisor_api.patch(f"/help/articles/{public_article.pk}", {"default_language": "zh-hans"}), 422
        )["field"]
        == "default_language"
    )
    assert supervisor_api.delete(f"/help/articles/{public_article.pk}/translations/fil").status_code == 204
    assert supervisor_api.delete(f"/help/articles/{public_article.pk}").status_code == 204
    assert not Article.objects.exists()
    assert not ArticleTranslation.objects.exists()


# --- deflection


def test_suggestions_come_from_published_public_articles(
    anonymous, public_article, internal_article, section
):
    write_article(section, title="Aircon draft", published=False)
    response = anonymous.get("/api/v1/help/suggest", {"q": "aircon", "language": "fil"})
    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "article_id": public_article.pk,
            "language": "fil",
            "title": "Hindi lumalamig ang aircon",
            "snippet": "Linisin ang filter.",
            "url": f"/help/articles/{public_article.pk}-aircon-not-cooling/?lang=fil",
        }
    ]
    assert anonymous.get("/api/v1/help/suggest", {"q": "silent"}).json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"q": ""}, "q"), ({"q": "aircon", "language": "xx"}, "language"), ({"q": "a", "limit": 0}, "limit")],
)
def test_bad_suggestion_input_names_the_field(anonymous, query, field):
    assert _error(anonymous.get("/api/v1/help/suggest", query), 422)["field"] == field


def test_a_deflection_is_counted_on_the_article(anonymous, supervisor_api, public_article):
    body = {"article_id": public_article.pk, "query": "aircon warm", "channel": "web_form", "language": "en"}
    first = anonymous.post("/api/v1/help/deflections", body, content_type="application/json")
    assert first.status_code == 201, first.content
    second = anonymous.post(
        "/api/v1/help/deflections", {**body, "channel": "chat"}, content_type="application/json"
    )
    assert second.json()["deflection_count"] == 2
    assert supervisor_api.get(f"/help/articles/{public_article.pk}").json()["deflection_count"] == 2
    assert list(Deflection.objects.order_by("pk").values_list("channel", "query")) == [
        ("web_form", "aircon warm"),
        ("chat", "aircon warm"),
    ]


@pytest.mark.parametrize(
    ("change", "field"), [({"channel": "pigeon"}, "channel"), ({"article_id": -1}, "article_id")]
)
def test_bad_deflections_are_refused(anonymous, public_article, change, field):
    body = {"article_id": public_article.pk, "query": "q", "channel": "chat", **change}
    response = anonymous.post("/api/v1/help/deflections", body, content_type="application/json")
    assert _error(response, 422)["field"] == field
    assert not Deflection.objects.exists()


def test_an_internal_article_cannot_be_a_deflection(anonymous, internal_article):
    body = {"article_id": internal_article.pk, "channel": "chat"}
    response = anonymous.post("/api/v1/help/deflections", body, content_type="application/json")
    assert _error(response, 422)["field"] == "article_id"


def test_a_staff_session_that_skipped_its_second_factor_reads_as_a_visitor(
    client, supervisor, internal_article
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = f"/help/articles/{internal_article.pk}-{internal_article.slug}/"
    client.force_login(supervisor)
    assert client.get(f"/api/v1/help/articles/{internal_article.pk}").status_code == 200
    assert client.get(page).status_code == 200

    # A device now: this session never gave its code.
    TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)

    _error(client.get(f"/api/v1/help/articles/{internal_article.pk}"), 404)
    assert client.get(page).status_code == 404
