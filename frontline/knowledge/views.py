"""The public help center: server-rendered pages that work without JavaScript.

The visitor's language comes from `?lang=` (remembered in Django's language cookie), else from the
language cookie or Accept-Language through LocaleMiddleware. Votes carry a signed visitor id cookie,
so a second vote on the same article replaces the first.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation as i18n
from django.views.decorators.http import require_GET, require_POST

from frontline.accounts.models import User
from frontline.accounts.principal import Principal
from frontline.accounts.selectors import request_passed_second_factor
from frontline.core.errors import Invalid, NotFound
from frontline.customers.selectors import principal_for_user
from frontline.knowledge import locales, selectors, services
from frontline.knowledge.models import ArticleTranslation, ArticleVote

VISITOR_COOKIE = "frontline_help_visitor"
VISITOR_SALT = "frontline.knowledge.visitor"
VISITOR_MAX_AGE = 365 * 24 * 3600


def html_lang(code: str) -> str:
    """The BCP 47 form for the lang attribute: `zh-hans` is `zh-Hans`."""
    head, _, rest = code.partition("-")
    if not rest:
        return head
    return f"{head}-{rest.title() if len(rest) == 4 else rest.upper()}"


def language_names() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def _language(request: HttpRequest) -> tuple[str, bool]:
    """(the visitor's language, whether it was chosen with ?lang= on this request)."""
    supported = services.supported_languages()
    asked = locales.canonical(request.GET.get("lang"))
    if asked in supported:
        return asked, True
    current = locales.canonical(getattr(request, "LANGUAGE_CODE", "") or i18n.get_language())
    return (current if current in supported else settings.LANGUAGE_CODE), False


def _viewer(request: HttpRequest) -> Principal | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        # Staff whose session skipped their second factor read as visitors (no drafts).
        return principal_for_user(user) if request_passed_second_factor(request) else None
    return None


def _switch_url(request: HttpRequest, code: str) -> str:
    """This page in another language: the same query with `lang` replaced (and no one-off flags)."""
    query = request.GET.copy()
    for key in ("lang", "voted", "change"):
        query.pop(key, None)
    query["lang"] = code
    return f"{request.path}?{query.urlencode()}"


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """Render in the visitor's language; a ?lang= choice is remembered in the language cookie."""
    language, chosen = _language(request)
    names = language_names()
    with i18n.override(language):
        response = render(
            request,
            template,
            {
                "language": language,
                "html_lang": html_lang(language),
                "languages": [
                    {
                        "code": code,
                        "name": name,
                        "html_lang": html_lang(code),
                        "current": code == language,
                        "url": _switch_url(request, code),
                    }
                    for code, name in names.items()
                ],
                **context,
            },
            status=status,
        )
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _articles_by_section(request: HttpRequest, section_ids: list[int] | None = None) -> dict[int, list[Any]]:
    language, _ = _language(request)
    found: dict[int, list[ArticleTranslation]] = defaultdict(list)
    for translation in selectors.translations_for_visitor(
        principal=_viewer(request), language=language, section_ids=section_ids
    ):
        found[translation.article.section_id].append(translation)
    return found


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    """Categories with their sections' articles, and the search box."""
    language, _ = _language(request)
    by_section = _articles_by_section(request)
    categories = []
    for category in selectors.category_list().prefetch_related("sections"):
        articles = [t for section in category.sections.all() for t in by_section.get(section.pk, [])]
        if not articles:
            continue
        categories.append(
            {
                "category": category,
                "name": selectors.localized(category.translations, language, "name", category.name),
                "description": selectors.localized(
                    category.translations, language, "description", category.description
                ),
                "articles": articles[:5],
                "count": len(articles),
            }
        )
    return _page(request, "knowledge/help_index.html", {"categories": categories})


@require_GET
def help_search(request: HttpRequest) -> HttpResponse:
    language, _ = _language(request)
    query = request.GET.get("q", "").strip()
    results: list[selectors.SearchResult] = []
    error = ""
    if query:
        try:
            results = selectors.help_search(principal=_viewer(request), query=query, language=language)
        except Invalid as exc:
            error = exc.message
    return _page(
        request,
        "knowledge/help_search.html",
        {"query": query, "results": results, "error": error, "searched": bool(query) and not error},
    )


@require_GET
def help_category(request: HttpRequest, slug: str) -> HttpResponse:
    language, _ = _language(request)
    try:
        category = selectors.category_get_by_slug(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from None
    sections = list(category.sections.all())
    by_section = _articles_by_section(request, [s.pk for s in sections])
    shown = [
        {
            "section": section,
            "name": selectors.localized(section.translations, language, "name", section.name),
            "description": selectors.localized(
                section.translations, language, "description", section.description
            ),
            "articles": by_section.get(section.pk, []),
        }
        for section in sections
        if by_section.get(section.pk)
    ]
    return _page(
        request,
        "knowledge/help_category.html",
        {
            "category": category,
            "name": selectors.localized(category.translations, language, "name", category.name),
            "description": selectors.localized(
                category.translations, language, "description", category.description
            ),
            "sections": shown,
        },
    )


def visitor_id(request: HttpRequest) -> str | None:
    """The visitor's id from the signed cookie; None when missing or tampered with."""
    try:
        value = request.get_signed_cookie(VISITOR_COOKIE, salt=VISITOR_SALT, max_age=VISITOR_MAX_AGE)
    except (KeyError, BadSignature):
        return None
    return value if value and len(value) <= 64 else None


def _article_page(request: HttpRequest, article_id: int) -> selectors.ArticlePage:
    language, _ = _language(request)
    try:
        return selectors.article_page(principal=_viewer(request), article_id=article_id, language=language)
    except NotFound as exc:
        raise Http404(exc.message) from None


def article_url(article_id: int, slug: str, language: str) -> str:
    return reverse("help:article", args=[article_id, slug]) + f"?lang={language}"


@require_GET
def help_article(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    page = _article_page(request, article_id)
    article, translation = page.article, page.translation
    if slug != article.slug:
        return redirect(article_url(article.pk, article.slug, translation.language), permanent=True)
    services.translation_viewed(translation=translation)
    visitor = visitor_id(request)
    vote = ArticleVote.objects.filter(article=article, visitor_id=visitor).first() if visitor else None
    category = article.section.category
    language, _ = _language(request)
    names = language_names()
    return _page(
        request,
        "knowledge/help_article.html",
        {
            "article": article,
            "translation": translation,
            "article_lang": html_lang(translation.language),
            "is_fallback": page.is_fallback,
            "wanted_language_name": names.get(language, language),
            "others": [
                {
                    "translation": other,
                    "name": names.get(other.language, other.language),
                    "html_lang": html_lang(other.language),
                    "url": article_url(article.pk, article.slug, other.language),
                }
                for other in page.others
            ],
            "category": category,
            "category_name": selectors.localized(category.translations, language, "name", category.name),
            "vote": vote,
            "show_form": vote is None or request.GET.get("change") == "1",
            "just_voted": request.GET.get("voted") == "1",
            "vote_url": reverse("help:vote", args=[article.pk, article.slug])
            + f"?lang={translation.language}",
        },
    )


@require_POST
def help_vote(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    """ "Was this article helpful?" yes/no with an optional comment; then the thank-you state."""
    page = _article_page(request, article_id)
    answer = request.POST.get("helpful", "")
    if answer not in ("yes", "no"):
        return redirect(article_url(article_id, page.article.slug, page.translation.language) + "#feedback")
    visitor = visitor_id(request) or uuid.uuid4().hex
    try:
        services.vote_record(
            article=page.article,
            language=page.translation.language,
            visitor_id=visitor,
            is_helpful=answer == "yes",
            comment=request.POST.get("comment", "")[: services.MAX_COMMENT],
        )
    except Invalid as exc:
        raise Http404(exc.message) from None
    url = article_url(article_id, page.article.slug, page.translation.language) + "&voted=1#feedback"
    response = HttpResponseRedirect(url, status=303)
    response.set_signed_cookie(
        VISITOR_COOKIE,
        visitor,
        salt=VISITOR_SALT,
        max_age=VISITOR_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
