"""The help center: categories, sections, articles and their translations, versions, votes, deflections.

An article is the language-independent record (where it is filed, who may see it, tags, products);
each language is an `ArticleTranslation` with its own draft/published state, text and view count.
Editing a published translation keeps the previous text as an `ArticleVersion`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Audience(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal (agents only)"


class Category(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    #: The name and description in other languages: {"fil": {"name": "…", "description": "…"}}.
    translations = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    translations = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category_id", "position", "name"]

    def __str__(self) -> str:
        return f"{self.category} › {self.name}"


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=120, allow_unicode=False)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    default_language = models.CharField(max_length=16, default="en")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.JSONField(default=list, blank=True)
    products = models.JSONField(default=list, blank=True, help_text="Product names, as on tickets.")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section_id", "position", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.slug}"


class ArticleTranslation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    body_html = models.TextField(help_text="Sanitised HTML.")
    body_text = models.TextField(blank=True, help_text="Plain text of the body, for search and snippets.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Counts the published texts kept so far + 1.")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Page views of this translation (bookkeeping, like a token's last use: no event per view).
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="articletranslation_language_unique")
        ]
        indexes = [models.Index(fields=["language", "status"], name="knowledge_tr_lang_status")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleVersion(models.Model):
    """A translation's text as it was published before an edit replaced it."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_html = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(help_text="When this text was written (its translation's last edit).")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["translation_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="articleversion_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.translation} v{self.number}"


class ArticleVote(models.Model):
    """ "Was this article helpful?": one per visitor and article; a second vote replaces the first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    language = models.CharField(max_length=16)
    visitor_id = models.CharField(max_length=64)
    is_helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor_id"], name="articlevote_one_per_visitor")
        ]

    def __str__(self) -> str:
        return f"{'yes' if self.is_helpful else 'no'} on {self.article_id}"


class Deflection(models.Model):
    """A contact avoided: someone about to write or chat read a suggested article instead."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    query = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=10)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} → article {self.article_id}"


class SearchEntry(models.Model):
    """Normalised title and body of one translation, indexed by the database's full-text engine.

    On SQLite an FTS5 table mirrors this one through triggers; on PostgreSQL a GIN index covers
    `to_tsvector('simple', text)` (see `knowledge.search`).
    """

    translation = models.OneToOneField(ArticleTranslation, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        verbose_name_plural = "search entries"
