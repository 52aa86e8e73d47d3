"""Every help-center read, scoped once to what the viewer may see.

Viewers: staff (agents, supervisors, admins) see every article, drafts and internal ones included;
everyone else (customers, anonymous visitors) sees published translations of public articles only.
A visitor reads an article in their language; an untranslated article falls back to its default
language or is hidden, as `FRONTLINE_HELP_FALLBACK` says (`fallback`, the default, or `hide`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from frontline.accounts.principal import Principal, require_staff
from frontline.core.errors import NotFound
from frontline.knowledge import locales, ranking, search
from frontline.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    ArticleVote,
    Audience,
    Category,
    Deflection,
    Section,
)

PUBLISHED = ArticleTranslation.Status.PUBLISHED
#: Candidates ranked in Python after the full-text index found them.
MAX_CANDIDATES = 200


def fallback_policy() -> str:
    """`fallback` or `hide`, from the setting (or environment variable) FRONTLINE_HELP_FALLBACK."""
    value = getattr(settings, "FRONTLINE_HELP_FALLBACK", None) or os.environ.get(
        "FRONTLINE_HELP_FALLBACK", locales.FALLBACK
    )
    value = str(value).strip().lower()
    return value if value in locales.POLICIES else locales.FALLBACK


def sees_everything(principal: Principal | None) -> bool:
    """Staff read drafts and internal (training) articles; nobody else does."""
    return principal is not None and principal.is_staff_member


# --- categories and sections ------------------------------------------------------------------


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def category_get(*, category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(f"category {category_id} does not exist")
    return category


def category_get_by_slug(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise NotFound(f"there is no help category {slug!r}")
    return category


def section_list(*, category_id: int | None = None) -> QuerySet[Section]:
    sections = Section.objects.select_related("category")
    if category_id is not None:
        sections = sections.filter(category_id=category_id)
    return sections


def section_get(*, section_id: int) -> Section:
    section = Section.objects.select_related("category").filter(pk=section_id).first()
    if section is None:
        raise NotFound(f"section {section_id} does not exist")
    return section


def localized(names: dict[str, dict[str, str]], language: str, key: str, default: str) -> str:
    """A category's or section's name (or description) in `language`, else the default one."""
    return (names.get(language) or {}).get(key) or default


# --- articles ---------------------------------------------------------------------------------


def _visible(articles: QuerySet[Article], principal: Principal | None) -> QuerySet[Article]:
    if sees_everything(principal):
        return articles
    published = ArticleTranslation.objects.filter(article=OuterRef("pk"), status=PUBLISHED)
    return articles.filter(Exists(published), audience=Audience.PUBLIC)


def _visible_translations(principal: Principal | None) -> QuerySet[ArticleTranslation]:
    translations = ArticleTranslation.objects.all()
    if not sees_everything(principal):
        translations = translations.filter(status=PUBLISHED)
    return translations


def with_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate views (all languages), helpful yes/no votes and deflections, without row multiplication."""

    def count(model: type[ArticleVote] | type[Deflection], **filters: object) -> Subquery:
        rows = (
            model.objects.filter(article=OuterRef("pk"), **filters)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)  # type: ignore[return-value]

    views = (
        ArticleTranslation.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Sum("view_count"))
        .values("n")
    )
    return articles.annotate(
        views=Coalesce(Subquery(views, output_field=IntegerField()), 0),
        helpful_yes=count(ArticleVote, is_helpful=True),
        helpful_no=count(ArticleVote, is_helpful=False),
        deflection_count=count(Deflection),
    )


def article_list_for_viewer(
    *,
    principal: Principal | None,
    section_id: int | None = None,
    category_id: int | None = None,
    language: str | None = None,
    audience: str | None = None,
    tag: str | None = None,
    product: str | None = None,
) -> QuerySet[Article]:
    articles = _visible(Article.objects.select_related("section__category", "author"), principal)
    if section_id is not None:
        articles = articles.filter(section_id=section_id)
    if category_id is not None:
        articles = articles.filter(section__category_id=category_id)
    if audience:
        articles = articles.filter(audience=audience)
    if language:
        articles = articles.filter(
            Exists(_visible_translations(principal).filter(article=OuterRef("pk"), language=language))
        )
    if tag:
        articles = articles.filter(_json_list_has("tags", tag))
    if product:
        articles = articles.filter(_json_list_has("products", product))
    translations = Prefetch(
        "translations", queryset=_visible_translations(principal).order_by("language"), to_attr="visible"
    )
    return with_counts(articles).prefetch_related(translations).order_by("section_id", "position", "id")


def _json_list_has(field: str, value: str) -> Q:
    """A JSON list field holding `value` (SQLite has no JSON containment lookup: match the element)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})


def article_get_for_viewer(*, principal: Principal | None, article_id: int) -> Article:
    """The article if the viewer may see it; 404 otherwise (an internal article does not exist for the
    public)."""
    article = article_list_for_viewer(principal=principal).filter(pk=article_id).first()
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    return article


def article_get_for_staff(*, principal: Principal, article_id: int) -> Article:
    require_staff(principal, "only staff may change help-center articles")
    return article_get_for_viewer(principal=principal, article_id=article_id)


def translation_get(*, article: Article, language: str) -> ArticleTranslation:
    translation = article.translations.filter(language=locales.canonical(language)).first()
    if translation is None:
        raise NotFound(f"article {article.pk} has no {language} translation")
    return translation


def version_list(*, principal: Principal, translation: ArticleTranslation) -> QuerySet[ArticleVersion]:
    require_staff(principal, "only staff may see earlier versions")
    return translation.versions.select_related("edited_by").order_by("-number")


# --- what a visitor reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    translation: ArticleTranslation
    #: The other languages the viewer may read it in, by language code.
    others: tuple[ArticleTranslation, ...]
    #: True when the article is shown in its default language because the wanted one is missing.
    is_fallback: bool


def article_page(*, principal: Principal | None, article_id: int, language: str) -> ArticlePage:
    """The article in `language` (or its default language, by the fallback policy); 404 if none."""
    article = article_get_for_viewer(principal=principal, article_id=article_id)
    translations = {t.language: t for t in article.visible}  # type: ignore[attr-defined]
    # An explicit request for one of the article's languages (?lang=) is always honoured; the
    # policy decides what a visitor whose language is missing sees.
    chosen = locales.choose(
        wanted=language, available=translations, default=article.default_language, policy=fallback_policy()
    )
    if chosen is None:
        raise NotFound(f"article {article_id} is not available in {language}")
    others = tuple(t for code, t in sorted(translations.items()) if code != chosen)
    return ArticlePage(
        article=article, translation=translations[chosen], others=others, is_fallback=chosen != language
    )


def _shown_in(
    translations: QuerySet[ArticleTranslation], language: str, principal: Principal | None
) -> QuerySet[ArticleTranslation]:
    """Translations a visitor of `language` is shown: their language's, and (when the policy falls
    back) the default language's of articles not available in theirs."""
    wanted = Q(language=language)
    if fallback_policy() == locales.FALLBACK:
        has_wanted = _visible_translations(principal).filter(article=OuterRef("article"), language=language)
        wanted |= Q(Q(language=F("article__default_language")), ~Exists(has_wanted))
    return translations.filter(wanted)


def translations_for_visitor(
    *, principal: Principal | None, language: str, section_ids: Iterable[int] | None = None
) -> QuerySet[ArticleTranslation]:
    """One translation per visible article, in the visitor's language or its fallback."""
    translations = _visible_translations(principal).select_related("article__section")
    translations = translations.filter(article__in=_visible(Article.objects.all(), principal))
    if section_ids is not None:
        translations = translations.filter(article__section_id__in=list(section_ids))
    return _shown_in(translations, language, principal).order_by(
        "article__section_id", "article__position", "article_id"
    )


@dataclass(frozen=True)
class SearchResult:
    translation: ArticleTranslation
    score: float
    snippet: str


def help_search(
    *, principal: Principal | None, query: str, language: str, limit: int = 20
) -> list[SearchResult]:
    """Articles containing every word of `query` (Chinese: every character run), best first.

    Searches the visitor's language, plus the default-language text of articles not translated into
    it when the policy falls back. Raises Invalid (field "q") for an empty or over-long query.
    """
    ids = search.matching_translation_ids(query)
    candidates = translations_for_visitor(principal=principal, language=language).filter(pk__in=ids)
    scored = []
    for translation in candidates[:MAX_CANDIDATES]:
        points = ranking.score(query, title=translation.title, body=translation.body_text)
        if translation.language != language:
            points *= 0.5  # a fallback answers less well than one in the visitor's own language
        scored.append(
            SearchResult(
                translation=translation,
                score=points,
                snippet=ranking.snippet(query, translation.body_text),
            )
        )
    scored.sort(key=lambda result: (-result.score, result.translation.article_id))
    return scored[:limit]


def suggest(*, query: str, language: str, limit: int = 5) -> list[SearchResult]:
    """Published public articles for a web-form subject or a pre-chat question (deflection)."""
    return help_search(principal=None, query=query, language=language, limit=limit)
