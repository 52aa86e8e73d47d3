"""The help center over HTTP.

Reading categories, sections and articles is open: anonymous callers and customers see published
public articles, staff (by token or session) see drafts and internal articles too. Writing is for
supervisors and admins. `suggest` and `deflections` are public: the web form and the pre-chat
question call them before a contact is made.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import AuthenticationError

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.accounts.selectors import api_token_get_active, request_passed_second_factor
from frontline.core.errors import DomainError, Forbidden, Invalid, NotFound, RateLimited
from frontline.core.throttle import attempts_counted
from frontline.customers.selectors import principal_for_user
from frontline.knowledge import selectors, services
from frontline.knowledge.models import Article, ArticleTranslation, Category, Section
from frontline.knowledge.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    DeflectionIn,
    DeflectionOut,
    PublishIn,
    SectionIn,
    SectionOut,
    SectionPatch,
    SuggestionOut,
    TranslationIn,
    TranslationOut,
    TranslationPatch,
    VersionOut,
)

router = Router(tags=["help center"])

#: Public endpoints: requests per client address per minute.
PUBLIC_RATE_PER_MINUTE = 120


def _throttle(request: HttpRequest, scope: str) -> None:
    key = f"help:{scope}:{request.META.get('REMOTE_ADDR', '') or 'unknown'}"
    if attempts_counted(cache, key, window=60) > PUBLIC_RATE_PER_MINUTE:
        raise RateLimited("too many requests; please try again in a minute")


def _viewer(request: HttpRequest) -> Principal | None:
    """The caller of an open endpoint: a token's or session's user, or None for an anonymous visitor."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        token = api_token_get_active(secret=secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise AuthenticationError()
        return principal_for_user(token.user, can_write=False)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        # Staff whose session skipped their second factor read as visitors (no drafts).
        return principal_for_user(user) if request_passed_second_factor(request) else None
    return None


def _editor(request: HttpRequest) -> Principal:
    principal = principal_of(request)
    require_staff(principal, "only staff may change the help center")
    if not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change the help center")
    return principal


def _article_out(article: Article) -> dict[str, Any]:
    url = reverse("help:article", args=[article.pk, article.slug])
    return {
        "id": article.pk,
        "section_id": article.section_id,
        "category_id": article.section.category_id,
        "slug": article.slug,
        "audience": article.audience,
        "default_language": article.default_language,
        "author_id": article.author_id,
        "tags": article.tags,
        "products": article.products,
        "url": url,
        "views": article.views,  # type: ignore[attr-defined]  # annotated by selectors.with_counts
        "helpful_yes": article.helpful_yes,  # type: ignore[attr-defined]
        "helpful_no": article.helpful_no,  # type: ignore[attr-defined]
        "deflection_count": article.deflection_count,  # type: ignore[attr-defined]
        "translations": article.visible,  # type: ignore[attr-defined]  # prefetched by the selector
        "created_at": article.created_at,
        "updated_at": article.updated_at,
    }


def _reload(principal: Principal, article_id: int) -> dict[str, Any]:
    return _article_out(selectors.article_get_for_viewer(principal=principal, article_id=article_id))


def _section_for(section_id: int, field: str = "section_id") -> Section:
    section = Section.objects.filter(pk=section_id).first()
    if section is None:
        raise Invalid(f"section {section_id} does not exist", field=field)
    return section


def _category_for(category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Invalid(f"category {category_id} does not exist", field="category_id")
    return category


# --- categories -------------------------------------------------------------------------------


@router.get("/help/categories", auth=None, response=list[CategoryOut], summary="Help-center categories")
def category_list(request: HttpRequest) -> Any:
    return selectors.category_list()


@router.post("/help/categories", response={201: CategoryOut}, summary="Create a category")
def category_create(request: HttpRequest, body: CategoryIn) -> Status[Category]:
    principal = _editor(request)
    category = services.category_create(
        actor=principal.user,
        name=body.name,
        slug=body.slug,
        description=body.description,
        translations={k: v.model_dump() for k, v in body.translations.items()},
        position=body.position,
    )
    return Status(201, category)


@router.patch("/help/categories/{category_id}", response=CategoryOut, summary="Change a category")
def category_update(request: HttpRequest, category_id: int, body: CategoryPatch) -> Category:
    principal = _editor(request)
    category = selectors.category_get(category_id=category_id)
    values = body.model_dump(exclude_unset=True)
    if body.translations is not None:
        values["translations"] = {k: v.model_dump() for k, v in body.translations.items()}
    return services.category_update(actor=principal.user, category=category, **values)


@router.delete("/help/categories/{category_id}", response={204: None}, summary="Delete an empty category")
def category_delete(request: HttpRequest, category_id: int) -> Status[None]:
    principal = _editor(request)
    services.category_delete(actor=principal.user, category=selectors.category_get(category_id=category_id))
    return Status(204, None)


# --- sections ---------------------------------------------------------------------------------


@router.get("/help/sections", auth=None, response=list[SectionOut], summary="Sections of the help center")
def section_list(request: HttpRequest, category_id: int | None = None) -> Any:
    return selectors.section_list(category_id=category_id)


@router.post("/help/sections", response={201: SectionOut}, summary="Create a section")
def section_create(request: HttpRequest, body: SectionIn) -> Status[Section]:
    principal = _editor(request)
    section = services.section_create(
        actor=principal.user,
        category=_category_for(body.category_id),
        name=body.name,
        description=body.description,
        translations={k: v.model_dump() for k, v in body.translations.items()},
        position=body.position,
    )
    return Status(201, section)


@router.patch("/help/sections/{section_id}", response=SectionOut, summary="Change a section")
def section_update(request: HttpRequest, section_id: int, body: SectionPatch) -> Section:
    principal = _editor(request)
    section = selectors.section_get(section_id=section_id)
    values = body.model_dump(exclude_unset=True)
    if "category_id" in values:
        values["category"] = _category_for(values.pop("category_id"))
    if body.translations is not None:
        values["translations"] = {k: v.model_dump() for k, v in body.translations.items()}
    return services.section_update(actor=principal.user, section=section, **values)


@router.delete("/help/sections/{section_id}", response={204: None}, summary="Delete an empty section")
def section_delete(request: HttpRequest, section_id: int) -> Status[None]:
    principal = _editor(request)
    services.section_delete(actor=principal.user, section=selectors.section_get(section_id=section_id))
    return Status(204, None)


# --- articles ---------------------------------------------------------------------------------


@router.get(
    "/help/articles",
    auth=None,
    response=list[ArticleOut],
    summary="Articles the caller may read (the public: published public ones)",
)
def article_list(
    request: HttpRequest,
    section_id: int | None = None,
    category_id: int | None = None,
    language: str | None = None,
    audience: str | None = None,
    tag: str | None = None,
    product: str | None = None,
) -> list[dict[str, Any]]:
    principal = _viewer(request)
    articles = selectors.article_list_for_viewer(
        principal=principal,
        section_id=section_id,
        category_id=category_id,
        language=services.language_check(language) if language else None,
        audience=audience,
        tag=tag,
        product=product,
    )
    return [_article_out(article) for article in articles[:500]]


@router.get("/help/articles/{article_id}", auth=None, response=ArticleOut, summary="One article")
def article_get(request: HttpRequest, article_id: int) -> dict[str, Any]:
    return _article_out(selectors.article_get_for_viewer(principal=_viewer(request), article_id=article_id))


@router.post("/help/articles", response={201: ArticleOut}, summary="Write an article (a draft)")
def article_create(request: HttpRequest, body: ArticleIn) -> Status[dict[str, Any]]:
    principal = _editor(request)
    article = services.article_create(
        actor=principal.user,
        section=_section_for(body.section_id),
        language=body.language,
        title=body.title,
        body_html=body.body_html,
        audience=body.audience,
        tags=body.tags,
        products=body.products,
        slug=body.slug,
        position=body.position,
    )
    return Status(201, _reload(principal, article.pk))


@router.patch("/help/articles/{article_id}", response=ArticleOut, summary="Refile or retag an article")
def article_update(request: HttpRequest, article_id: int, body: ArticlePatch) -> dict[str, Any]:
    principal = _editor(request)
    article = selectors.article_get_for_staff(principal=principal, article_id=article_id)
    values = body.model_dump(exclude_unset=True)
    if "section_id" in values:
        values["section"] = _section_for(values.pop("section_id"))
    services.article_update(actor=principal.user, article=article, **values)
    return _reload(principal, article.pk)


@router.delete("/help/articles/{article_id}", response={204: None}, summary="Delete an article")
def article_delete(request: HttpRequest, article_id: int) -> Status[None]:
    principal = _editor(request)
    article = selectors.article_get_for_staff(principal=principal, article_id=article_id)
    services.article_delete(actor=principal.user, article=article)
    return Status(204, None)


def _translation(principal: Principal, article_id: int, language: str) -> ArticleTranslation:
    article = selectors.article_get_for_staff(principal=principal, article_id=article_id)
    return selectors.translation_get(article=article, language=language)


@router.post(
    "/help/articles/{article_id}/translations",
    response={201: TranslationOut},
    summary="Translate an article into another language (a draft)",
)
def translation_create(
    request: HttpRequest, article_id: int, body: TranslationIn
) -> Status[ArticleTranslation]:
    principal = _editor(request)
    article = selectors.article_get_for_staff(principal=principal, article_id=article_id)
    translation = services.translation_create(
        actor=principal.user,
        article=article,
        language=body.language,
        title=body.title,
        body_html=body.body_html,
    )
    return Status(201, translation)


@router.get(
    "/help/articles/{article_id}/translations/{language}",
    auth=None,
    response=TranslationOut,
    summary="One language of an article",
)
def translation_get(request: HttpRequest, article_id: int, language: str) -> ArticleTranslation:
    principal = _viewer(request)
    article = selectors.article_get_for_viewer(principal=principal, article_id=article_id)
    code = services.language_check(language)
    for translation in article.visible:  # type: ignore[attr-defined]  # prefetched by the selector
        if translation.language == code:
            return translation  # type: ignore[no-any-return]
    raise NotFound(f"article {article_id} has no {code} translation")


@router.patch(
    "/help/articles/{article_id}/translations/{language}",
    response=TranslationOut,
    summary="Edit a translation (a published text is kept as a version)",
)
def translation_update(
    request: HttpRequest, article_id: int, language: str, body: TranslationPatch
) -> ArticleTranslation:
    principal = _editor(request)
    translation = _translation(principal, article_id, language)
    return services.translation_update(
        actor=principal.user, translation=translation, title=body.title, body_html=body.body_html
    )


@router.delete(
    "/help/articles/{article_id}/translations/{language}",
    response={204: None},
    summary="Delete a translation (not the default language's)",
)
def translation_delete(request: HttpRequest, article_id: int, language: str) -> Status[None]:
    principal = _editor(request)
    services.translation_delete(
        actor=principal.user, translation=_translation(principal, article_id, language)
    )
    return Status(204, None)


@router.get(
    "/help/articles/{article_id}/translations/{language}/versions",
    response=list[VersionOut],
    summary="Earlier published texts of a translation, newest first",
)
def version_list(request: HttpRequest, article_id: int, language: str) -> Any:
    principal = principal_of(request)
    require_staff(principal, "only staff may see earlier versions")
    translation = _translation(principal, article_id, language)
    versions: Any = selectors.version_list(principal=principal, translation=translation)
    return versions


def _publish_target(principal: Principal, article_id: int, body: PublishIn | None) -> ArticleTranslation:
    article = selectors.article_get_for_staff(principal=principal, article_id=article_id)
    language = body.language if body is not None and body.language else article.default_language
    return selectors.translation_get(article=article, language=services.language_check(language))


@router.post(
    "/help/articles/{article_id}/publish",
    response=ArticleOut,
    summary="Publish one language of an article (default: its default language)",
)
def article_publish(request: HttpRequest, article_id: int, body: PublishIn | None = None) -> dict[str, Any]:
    principal = _editor(request)
    services.translation_publish(
        actor=principal.user, translation=_publish_target(principal, article_id, body)
    )
    return _reload(principal, article_id)


@router.post(
    "/help/articles/{article_id}/unpublish",
    response=ArticleOut,
    summary="Take one language of an article back to draft",
)
def article_unpublish(request: HttpRequest, article_id: int, body: PublishIn | None = None) -> dict[str, Any]:
    principal = _editor(request)
    services.translation_unpublish(
        actor=principal.user, translation=_publish_target(principal, article_id, body)
    )
    return _reload(principal, article_id)


# --- deflection -------------------------------------------------------------------------------


@router.get(
    "/help/suggest",
    auth=None,
    response=list[SuggestionOut],
    summary="Published public articles for a web-form subject or a pre-chat question",
)
def suggest(request: HttpRequest, q: str, language: str = "en", limit: int = 5) -> list[dict[str, Any]]:
    _throttle(request, "suggest")
    if not 1 <= limit <= 20:
        raise Invalid("limit is 1 to 20", field="limit")
    code = services.language_check(language)
    results = selectors.suggest(query=q, language=code, limit=limit)
    return [
        {
            "article_id": result.translation.article_id,
            "language": result.translation.language,
            "title": result.translation.title,
            "snippet": result.snippet,
            "url": reverse(
                "help:article", args=[result.translation.article_id, result.translation.article.slug]
            )
            + f"?lang={result.translation.language}",
        }
        for result in results
    ]


@router.post(
    "/help/deflections",
    auth=None,
    response={201: DeflectionOut},
    summary="Record a contact avoided: the visitor read a suggested article instead",
)
def deflection_create(request: HttpRequest, body: DeflectionIn) -> Status[dict[str, Any]]:
    _throttle(request, "deflection")
    try:
        article = selectors.article_get_for_viewer(principal=None, article_id=body.article_id)
    except DomainError:
        raise Invalid(
            f"article {body.article_id} is not a published public article", field="article_id"
        ) from None
    deflection = services.deflection_record(
        article=article, query=body.query, channel=body.channel, language=body.language
    )
    return Status(
        201,
        {
            "id": deflection.pk,
            "article_id": article.pk,
            "channel": deflection.channel,
            "deflection_count": article.deflections.count(),
        },
    )
