from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class LocalizedNames(Schema):
    name: str = Field("", max_length=120)
    description: str = Field("", max_length=300)


class CategoryIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    slug: str = Field("", max_length=80, description="Default: made from the name.")
    description: str = Field("", max_length=300)
    translations: dict[str, LocalizedNames] = Field(
        default_factory=dict, description='Names in other languages: {"fil": {"name": "…"}}.'
    )
    position: int = Field(0, ge=0, le=100_000)


class CategoryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    slug: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=300)
    translations: dict[str, LocalizedNames] | None = None
    position: int | None = Field(None, ge=0, le=100_000)


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    translations: dict[str, Any]
    position: int


class SectionIn(Schema):
    category_id: int
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=300)
    translations: dict[str, LocalizedNames] = Field(default_factory=dict)
    position: int = Field(0, ge=0, le=100_000)


class SectionPatch(Schema):
    category_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=300)
    translations: dict[str, LocalizedNames] | None = None
    position: int | None = Field(None, ge=0, le=100_000)


class SectionOut(Schema):
    id: int
    category_id: int
    name: str
    description: str
    translations: dict[str, Any]
    position: int


class TranslationOut(Schema):
    language: str
    title: str
    body_html: str = Field(description="Sanitised HTML.")
    status: str = Field(description="draft or published.")
    version: int = Field(description="1 for the first text; each edit of a published text adds one.")
    published_at: datetime | None
    view_count: int
    updated_at: datetime


class ArticleIn(Schema):
    section_id: int
    language: str = Field(max_length=16, description="The first translation's language, the default one.")
    title: str = Field(min_length=1, max_length=200)
    body_html: str = Field(min_length=1, max_length=200_000, description="HTML; sanitised when stored.")
    audience: str = Field("public", description="public, or internal (agents only, for training).")
    tags: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    slug: str = Field("", max_length=80, description="Default: made from the title.")
    position: int = Field(0, ge=0, le=100_000)


class ArticlePatch(Schema):
    section_id: int | None = None
    audience: str | None = None
    tags: list[str] | None = None
    products: list[str] | None = None
    slug: str | None = Field(None, max_length=80)
    default_language: str | None = Field(None, max_length=16)
    position: int | None = Field(None, ge=0, le=100_000)


class ArticleOut(Schema):
    id: int
    section_id: int
    category_id: int
    slug: str
    audience: str
    default_language: str
    author_id: int | None
    tags: list[str]
    products: list[str]
    url: str
    views: int = Field(description="Page views, all languages.")
    helpful_yes: int
    helpful_no: int
    deflection_count: int = Field(description="Contacts avoided by this article.")
    translations: list[TranslationOut] = Field(description="The languages the caller may read.")
    created_at: datetime
    updated_at: datetime


class TranslationIn(Schema):
    language: str = Field(max_length=16)
    title: str = Field(min_length=1, max_length=200)
    body_html: str = Field(min_length=1, max_length=200_000)


class TranslationPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body_html: str | None = Field(None, min_length=1, max_length=200_000)


class PublishIn(Schema):
    language: str | None = Field(None, max_length=16, description="Default: the article's default language.")


class VersionOut(Schema):
    number: int
    title: str
    body_html: str
    edited_by_id: int | None
    created_at: datetime
    replaced_at: datetime = Field(description="When an edit of the published text replaced it.")


class SuggestionOut(Schema):
    article_id: int
    language: str
    title: str
    snippet: str
    url: str


class DeflectionIn(Schema):
    article_id: int
    query: str = Field("", max_length=500)
    channel: str = Field(max_length=10, description="web_form, chat, … where the contact was avoided.")
    language: str = Field("", max_length=16)


class DeflectionOut(Schema):
    id: int
    article_id: int
    channel: str
    deflection_count: int = Field(description="The article's deflections so far, this one included.")
