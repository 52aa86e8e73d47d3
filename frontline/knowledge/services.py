"""Every write to the help center: one function per use case, in one transaction, with its event."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from frontline.accounts.models import User
from frontline.core.errors import Conflict, Invalid
from frontline.events.services import changes, event_record
from frontline.knowledge import locales, search
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
from frontline.tickets.content import html_to_text, sanitize_html
from frontline.tickets.models import Channel

MAX_TAGS = 20
MAX_COMMENT = 2000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- checks shared by the services -------------------------------------------------------------


def supported_languages() -> tuple[str, ...]:
    return tuple(code for code, _ in settings.LANGUAGES)


def language_check(value: str, field: str = "language") -> str:
    """The canonical code of a language the help center is written in, or 422."""
    code = locales.canonical(value)
    if code not in supported_languages():
        raise Invalid(f"language must be one of {', '.join(supported_languages())}", field=field)
    return code


def _slug_check(value: str, field: str = "slug") -> str:
    if not _SLUG.match(value) or len(value) > 80:
        raise Invalid("a slug is lower-case letters, digits and single hyphens", field=field)
    return value


def _translations_check(value: dict[str, Any], field: str = "translations") -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    for language, names in value.items():
        code = language_check(language, field=field)
        if not isinstance(names, dict) or not isinstance(names.get("name", ""), str):
            raise Invalid('give {"name": "…", "description": "…"} per language', field=field)
        cleaned[code] = {
            key: str(names[key]).strip()[:300] for key in ("name", "description") if names.get(key)
        }
    return cleaned


def _labels_check(values: list[str], field: str) -> list[str]:
    labels: list[str] = []
    for value in values:
        label = " ".join(value.split())
        if not label or len(label) > 120:
            raise Invalid(f"each of {field} is 1 to 120 characters", field=field)
        if label not in labels:
            labels.append(label)
    if len(labels) > MAX_TAGS:
        raise Invalid(f"at most {MAX_TAGS} {field}", field=field)
    return labels


def _body(body_html: str) -> tuple[str, str]:
    """(sanitised HTML, plain text) of an article body; the text must not be empty."""
    cleaned = sanitize_html(body_html)
    text = html_to_text(cleaned)
    if not text.strip():
        raise Invalid("the article body has no text", field="body_html")
    return cleaned, text


def _title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise Invalid("the title is empty", field="title")
    return title[:200]


# --- categories and sections ------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    actor: User | None,
    name: str,
    slug: str = "",
    description: str = "",
    translations: dict[str, Any] | None = None,
    position: int = 0,
) -> Category:
    slug = _slug_check(slug or slugify(name)[:80] or "category")
    if Category.objects.filter(slug=slug).exists():
        raise Conflict(f"a category with the slug {slug!r} exists", field="slug")
    category = Category.objects.create(
        slug=slug,
        name=name.strip(),
        description=description.strip(),
        translations=_translations_check(translations or {}),
        position=position,
    )
    event_record(actor=actor, verb="help.category_created", target=category, after={"slug": slug})
    return category


@transaction.atomic
def category_update(*, actor: User | None, category: Category, **values: Any) -> Category:
    if "slug" in values:
        _slug_check(values["slug"])
        if Category.objects.filter(slug=values["slug"]).exclude(pk=category.pk).exists():
            raise Conflict(f"a category with the slug {values['slug']!r} exists", field="slug")
    if "translations" in values:
        values["translations"] = _translations_check(values["translations"] or {})
    before, after = changes(category, ["slug", "name", "description", "translations", "position"], values)
    if after:
        category.save()
        event_record(actor=actor, verb="help.category_updated", target=category, before=before, after=after)
    return category


@transaction.atomic
def category_delete(*, actor: User | None, category: Category) -> None:
    if category.sections.exists():
        raise Conflict("move or delete the category's sections first", field="category_id")
    event_record(actor=actor, verb="help.category_deleted", target=category, before={"slug": category.slug})
    category.delete()


@transaction.atomic
def section_create(
    *,
    actor: User | None,
    category: Category,
    name: str,
    description: str = "",
    translations: dict[str, Any] | None = None,
    position: int = 0,
) -> Section:
    section = Section.objects.create(
        category=category,
        name=name.strip(),
        description=description.strip(),
        translations=_translations_check(translations or {}),
        position=position,
    )
    event_record(actor=actor, verb="help.section_created", target=section, after={"category": category.pk})
    return section


@transaction.atomic
def section_update(*, actor: User | None, section: Section, **values: Any) -> Section:
    if "translations" in values:
        values["translations"] = _translations_check(values["translations"] or {})
    before, after = changes(section, ["category", "name", "description", "translations", "position"], values)
    if after:
        section.save()
        event_record(actor=actor, verb="help.section_updated", target=section, before=before, after=after)
    return section


@transaction.atomic
def section_delete(*, actor: User | None, section: Section) -> None:
    if section.articles.exists():
        raise Conflict("move or delete the section's articles first", field="section_id")
    event_record(actor=actor, verb="help.section_deleted", target=section, before={"name": section.name})
    section.delete()


# --- articles and translations ----------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    actor: User | None,
    section: Section,
    language: str,
    title: str,
    body_html: str,
    audience: str = Audience.PUBLIC,
    tags: list[str] | None = None,
    products: list[str] | None = None,
    slug: str = "",
    position: int = 0,
) -> Article:
    """A new article with its first translation (in `language`, the article's default), as a draft."""
    language = language_check(language)
    if audience not in Audience.values:
        raise Invalid(f"audience must be one of {', '.join(Audience.values)}", field="audience")
    title = _title(title)
    slug = _slug_check(slug or slugify(title)[:80] or "article")
    article = Article.objects.create(
        section=section,
        slug=slug,
        audience=audience,
        default_language=language,
        author=actor,
        tags=_labels_check(tags or [], "tags"),
        products=_labels_check(products or [], "products"),
        position=position,
    )
    event_record(
        actor=actor,
        verb="help.article_created",
        target=article,
        after={"section": section.pk, "audience": audience, "language": language},
    )
    translation_create(actor=actor, article=article, language=language, title=title, body_html=body_html)
    return article


@transaction.atomic
def article_update(*, actor: User | None, article: Article, **values: Any) -> Article:
    if "audience" in values and values["audience"] not in Audience.values:
        raise Invalid(f"audience must be one of {', '.join(Audience.values)}", field="audience")
    if "slug" in values:
        _slug_check(values["slug"])
    if "tags" in values:
        values["tags"] = _labels_check(values["tags"], "tags")
    if "products" in values:
        values["products"] = _labels_check(values["products"], "products")
    if "default_language" in values:
        values["default_language"] = language_check(values["default_language"], "default_language")
        if not article.translations.filter(language=values["default_language"]).exists():
            raise Invalid("translate the article into its default language first", field="default_language")
    fields = ["section", "slug", "audience", "tags", "products", "default_language", "position"]
    before, after = changes(article, fields, values)
    if after:
        article.save()
        event_record(actor=actor, verb="help.article_updated", target=article, before=before, after=after)
    return article


@transaction.atomic
def article_delete(*, actor: User | None, article: Article) -> None:
    event_record(actor=actor, verb="help.article_deleted", target=article, before={"slug": article.slug})
    article.delete()


@transaction.atomic
def translation_create(
    *, actor: User | None, article: Article, language: str, title: str, body_html: str
) -> ArticleTranslation:
    """A new language of the article, as a draft."""
    language = language_check(language)
    cleaned, text = _body(body_html)
    try:
        with transaction.atomic():
            translation = ArticleTranslation.objects.create(
                article=article,
                language=language,
                title=_title(title),
                body_html=cleaned,
                body_text=text,
                updated_by=actor,
            )
    except IntegrityError:
        raise Conflict(f"the article already has a {language} translation", field="language") from None
    search.index_translation(translation)
    event_record(
        actor=actor, verb="help.translation_created", target=translation, after={"language": language}
    )
    return translation


@transaction.atomic
def translation_update(
    *,
    actor: User | None,
    translation: ArticleTranslation,
    title: str | None = None,
    body_html: str | None = None,
) -> ArticleTranslation:
    """Edit a translation. A published one keeps its previous text as a version first."""
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = _title(title)
    if body_html is not None:
        values["body_html"], values["body_text"] = _body(body_html)
    if all(getattr(translation, field) == value for field, value in values.items()):
        return translation
    if translation.is_published:
        ArticleVersion.objects.create(
            translation=translation,
            number=translation.version,
            title=translation.title,
            body_html=translation.body_html,
            edited_by=translation.updated_by,
            created_at=translation.updated_at,
        )
        values["version"] = translation.version + 1
    before, after = changes(translation, ["title", "body_html", "body_text", "version"], values)
    translation.updated_by = actor
    translation.save()
    search.index_translation(translation)
    after.pop("body_text", None)
    before.pop("body_text", None)
    event_record(actor=actor, verb="help.translation_updated", target=translation, before=before, after=after)
    return translation


@transaction.atomic
def translation_delete(*, actor: User | None, translation: ArticleTranslation) -> None:
    if translation.language == translation.article.default_language:
        raise Conflict(
            "the default language's translation cannot be deleted; delete the article instead",
            field="language",
        )
    event_record(
        actor=actor,
        verb="help.translation_deleted",
        target=translation,
        before={"language": translation.language},
    )
    translation.delete()


@transaction.atomic
def translation_publish(*, actor: User | None, translation: ArticleTranslation) -> ArticleTranslation:
    if translation.is_published:
        return translation
    translation.status = ArticleTranslation.Status.PUBLISHED
    translation.published_at = timezone.now()
    translation.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        actor=actor,
        verb="help.translation_published",
        target=translation,
        before={"status": "draft"},
        after={"status": "published", "language": translation.language},
    )
    return translation


@transaction.atomic
def translation_unpublish(*, actor: User | None, translation: ArticleTranslation) -> ArticleTranslation:
    if not translation.is_published:
        return translation
    translation.status = ArticleTranslation.Status.DRAFT
    translation.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="help.translation_unpublished",
        target=translation,
        before={"status": "published"},
        after={"status": "draft", "language": translation.language},
    )
    return translation


def translation_viewed(*, translation: ArticleTranslation) -> None:
    """Count one page view (a single UPDATE; bookkeeping, so no event)."""
    ArticleTranslation.objects.filter(pk=translation.pk).update(view_count=F("view_count") + 1)


# --- votes and deflections ---------------------------------------------------------------------


@transaction.atomic
def vote_record(
    *, article: Article, language: str, visitor_id: str, is_helpful: bool, comment: str = ""
) -> ArticleVote:
    """ "Was this article helpful?": the visitor's vote on the article; a second vote replaces the first."""
    if not visitor_id or len(visitor_id) > 64:
        raise Invalid("the visitor is not identified", field="visitor_id")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"the comment is longer than {MAX_COMMENT} characters", field="comment")
    vote, created = ArticleVote.objects.update_or_create(
        article=article,
        visitor_id=visitor_id,
        defaults={"is_helpful": is_helpful, "comment": comment, "language": language_check(language)},
    )
    event_record(
        actor=None,
        verb="help.vote_recorded" if created else "help.vote_replaced",
        target=article,
        after={"helpful": is_helpful, "language": vote.language, "has_comment": bool(comment)},
    )
    return vote


@transaction.atomic
def deflection_record(*, article: Article, query: str, channel: str, language: str = "") -> Deflection:
    """A contact avoided: the visitor found the answer in `article` instead of writing or chatting."""
    if channel not in Channel.values:
        raise Invalid(f"channel must be one of {', '.join(Channel.values)}", field="channel")
    query = " ".join(query.split())
    if len(query) > 500:
        raise Invalid("the query is longer than 500 characters", field="query")
    deflection = Deflection.objects.create(
        article=article,
        query=query,
        channel=channel,
        language=language_check(language) if language else "",
    )
    event_record(
        actor=None,
        verb="help.deflection_recorded",
        target=article,
        after={"channel": channel, "deflection": deflection.pk},
    )
    return deflection
