"""The admin shows each article's views, votes and deflections (contacts avoided)."""

import pytest
from django.urls import reverse

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.knowledge import services
from frontline.knowledge.models import Article, ArticleVersion, ArticleVote, Category, Deflection, Section
from frontline.knowledge.tests.conftest import write_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = staff(Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_the_article_list_shows_the_deflection_count(admin_client, section):
    article = write_article(section, title="Aircon not cooling")
    for channel in ("web_form", "chat", "chat"):
        services.deflection_record(article=article, query="aircon", channel=channel)
    services.vote_record(article=article, language="en", visitor_id="a", is_helpful=True)
    page = admin_client.get(reverse("admin:knowledge_article_changelist")).content.decode()
    assert '<td class="field-deflection_count">3</td>' in page
    assert '<td class="field-helpful_yes">1</td>' in page
    assert '<td class="field-helpful_no">0</td>' in page


def test_every_help_center_admin_page_opens(admin_client, section):
    article = write_article(section)
    for model in (Category, Section, Article, ArticleVersion, ArticleVote, Deflection):
        meta = model._meta
        response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.label
    assert admin_client.get(reverse("admin:knowledge_article_change", args=[article.pk])).status_code == 200
