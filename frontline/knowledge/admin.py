"""The help center in the admin: categories, sections, articles with their translations, and the
figures that say whether an article works: views, helpful votes and deflections (contacts avoided)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from frontline.events.admin import EventedAdmin
from frontline.knowledge import search, selectors
from frontline.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    ArticleVote,
    Category,
    Deflection,
    Section,
)
from frontline.tickets.content import html_to_text, sanitize_html


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(EventedAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


@admin.register(Section)
class SectionAdmin(EventedAdmin):
    list_display = ("name", "category", "position")
    list_filter = ("category",)
    list_select_related = ("category",)
    search_fields = ("name",)


class TranslationInline(admin.StackedInline[ArticleTranslation, Article]):
    model = ArticleTranslation
    extra = 0
    fields = ("language", "title", "body_html", "status", "version", "published_at", "view_count")
    readonly_fields = ("version", "published_at", "view_count")


@admin.register(Article)
class ArticleAdmin(EventedAdmin):
    """Edits through the API keep versions; here the translation's text is re-sanitised and re-indexed."""

    list_display = (
        "id",
        "title",
        "section",
        "audience",
        "languages",
        "views",
        "helpful_yes",
        "helpful_no",
        "deflection_count",
    )
    list_filter = ("audience", "section__category")
    list_select_related = ("section__category",)
    search_fields = ("slug", "translations__title")
    inlines = [TranslationInline]
    raw_id_fields = ("author",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return selectors.with_counts(super().get_queryset(request)).prefetch_related("translations")

    @admin.display(description="title")
    def title(self, article: Article) -> str:
        for translation in article.translations.all():
            if translation.language == article.default_language:
                return translation.title
        return article.slug

    @admin.display(description="languages")
    def languages(self, article: Article) -> str:
        return ", ".join(
            f"{t.language}{'' if t.is_published else ' (draft)'}" for t in article.translations.all()
        )

    @admin.display(description="views", ordering="views")
    def views(self, article: Article) -> int:
        return int(article.views)  # type: ignore[attr-defined]  # annotated by with_counts

    @admin.display(description="helpful", ordering="helpful_yes")
    def helpful_yes(self, article: Article) -> int:
        return int(article.helpful_yes)  # type: ignore[attr-defined]

    @admin.display(description="not helpful", ordering="helpful_no")
    def helpful_no(self, article: Article) -> int:
        return int(article.helpful_no)  # type: ignore[attr-defined]

    @admin.display(description="deflections", ordering="deflection_count")
    def deflection_count(self, article: Article) -> int:
        return int(article.deflection_count)  # type: ignore[attr-defined]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        translations = formset.save(commit=False)
        for translation in translations:
            translation.body_html = sanitize_html(translation.body_html)
            translation.body_text = html_to_text(translation.body_html)
            translation.updated_by = request.user
            translation.save()
            search.index_translation(translation)
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = ("translation", "number", "edited_by", "created_at", "replaced_at")
    list_select_related = ("translation", "edited_by")
    raw_id_fields = ("translation",)


@admin.register(ArticleVote)
class ArticleVoteAdmin(ReadOnlyAdmin):
    list_display = ("article", "language", "is_helpful", "comment", "updated_at")
    list_filter = ("is_helpful", "language")
    list_select_related = ("article",)
    search_fields = ("comment",)


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "article", "channel", "language", "query")
    list_filter = ("channel", "language")
    list_select_related = ("article",)
    search_fields = ("query",)
    date_hierarchy = "created_at"
