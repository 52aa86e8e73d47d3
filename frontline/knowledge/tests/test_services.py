"""Help-center writes: versions of published texts, sanitised bodies, votes, deflections, events."""

import pytest

from frontline.core.errors import Conflict, Invalid
from frontline.events.models import Event
from frontline.knowledge import services
from frontline.knowledge.models import ArticleVersion, ArticleVote, Deflection
from frontline.knowledge.tests.conftest import translate, write_article

pytestmark = pytest.mark.django_db


def test_a_new_article_is_a_draft_in_its_default_language(section, supervisor):
    article = write_article(section, supervisor, published=False, tags=["aircon", "aircon "])
    translation = article.translations.get()
    assert (article.default_language, article.author, article.slug) == (
        "en",
        supervisor,
        "aircon-not-cooling",
    )
    assert article.tags == ["aircon"]
    assert (translation.status, translation.version) == ("draft", 1)
    assert Event.objects.filter(verb="help.article_created", target_id=article.pk).count() == 1


def test_editing_a_draft_keeps_no_version(section, supervisor):
    article = write_article(section, supervisor, published=False)
    translation = article.translations.get()
    services.translation_update(actor=supervisor, translation=translation, title="Aircon warm")
    assert translation.version == 1
    assert not ArticleVersion.objects.exists()


def test_editing_a_published_article_keeps_the_previous_text_as_a_version(section, supervisor):
    article = write_article(section, supervisor, body="<p>Old advice.</p>")
    translation = article.translations.get()
    services.translation_update(actor=supervisor, translation=translation, body_html="<p>New advice.</p>")
    services.translation_update(actor=supervisor, translation=translation, title="Aircon blows warm air")
    translation.refresh_from_db()
    assert (translation.version, translation.title, translation.body_html) == (
        3,
        "Aircon blows warm air",
        "<p>New advice.</p>",
    )
    assert list(translation.versions.values_list("number", "title", "body_html")) == [
        (2, "Aircon not cooling", "<p>New advice.</p>"),
        (1, "Aircon not cooling", "<p>Old advice.</p>"),
    ]


def test_an_unchanged_save_keeps_no_version(section, supervisor):
    article = write_article(section, supervisor)
    translation = article.translations.get()
    services.translation_update(actor=supervisor, translation=translation, title="Aircon not cooling")
    assert not ArticleVersion.objects.exists()


def test_bodies_are_stored_without_scripts_or_handlers(section):
    article = write_article(
        section,
        body='<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:x()">x</a>'
        '<img src="x.png" onerror="alert(2)"></p>',
    )
    html = article.translations.get().body_html
    assert "script" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert html.startswith("<p>Hi")


def test_a_body_without_text_is_refused(section):
    with pytest.raises(Invalid) as raised:
        write_article(section, body="<script>alert(1)</script>")
    assert raised.value.field == "body_html"


def test_each_language_is_its_own_translation_once(section):
    article = write_article(section)
    translate(article, "fil", "Hindi lumalamig ang aircon", "<p>Linisin ang filter.</p>", published=False)
    with pytest.raises(Conflict) as raised:
        translate(article, "tl", "Iba pa", "<p>Iba pa.</p>")
    assert raised.value.field == "language"
    assert sorted(article.translations.values_list("language", "status")) == [
        ("en", "published"),
        ("fil", "draft"),
    ]


def test_only_the_help_center_languages_are_accepted(section):
    with pytest.raises(Invalid) as raised:
        write_article(section, language="xx")
    assert raised.value.field == "language"


def test_a_second_vote_replaces_the_first(section):
    article = write_article(section)
    services.vote_record(article=article, language="en", visitor_id="v1", is_helpful=False, comment="meh")
    services.vote_record(article=article, language="en", visitor_id="v1", is_helpful=True)
    services.vote_record(article=article, language="en", visitor_id="v2", is_helpful=True)
    assert sorted(ArticleVote.objects.values_list("visitor_id", "is_helpful", "comment")) == [
        ("v1", True, ""),
        ("v2", True, ""),
    ]
    verbs = list(
        Event.objects.filter(target_id=article.pk, verb__startswith="help.vote").values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["help.vote_recorded", "help.vote_replaced", "help.vote_recorded"]


def test_a_deflection_needs_a_known_channel(section):
    article = write_article(section)
    with pytest.raises(Invalid) as raised:
        services.deflection_record(article=article, query="aircon", channel="pigeon")
    assert raised.value.field == "channel"
    assert not Deflection.objects.exists()


def test_the_default_language_cannot_be_deleted_but_another_can(section):
    article = write_article(section)
    fil = translate(article, "fil", "Aircon", "<p>Linisin.</p>")
    with pytest.raises(Conflict):
        services.translation_delete(actor=None, translation=article.translations.get(language="en"))
    services.translation_delete(actor=None, translation=fil)
    assert list(article.translations.values_list("language", flat=True)) == ["en"]


def test_a_category_with_sections_cannot_be_deleted(section):
    with pytest.raises(Conflict):
        services.category_delete(actor=None, category=section.category)
