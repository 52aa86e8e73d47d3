"""Help-center test helpers: people with each role, and a small help center to read and search."""

import pytest

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.knowledge import services
from frontline.knowledge.models import Audience

__all__ = ["Api", "publish", "write_article"]


@pytest.fixture
def supervisor():
    return staff(Role.SUPERVISOR, first_name="Sam")


@pytest.fixture
def supervisor_api(supervisor):
    return Api(supervisor)


@pytest.fixture
def agent_api():
    return Api(staff(Role.AGENT, first_name="Pat"))


@pytest.fixture
def customer_api():
    return Api(portal_user(CustomerFactory()))


@pytest.fixture
def section(supervisor):
    category = services.category_create(
        actor=supervisor,
        name="Aircon",
        slug="aircon",
        translations={"fil": {"name": "Aircon (Tagalog)"}, "zh-hans": {"name": "空调"}},
    )
    return services.section_create(actor=supervisor, category=category, name="Cooling")


def write_article(
    section,
    actor=None,
    *,
    title="Aircon not cooling",
    body="<p>Clean the filter every two weeks.</p>",
    language="en",
    audience=Audience.PUBLIC,
    published=True,
    **kwargs,
):
    article = services.article_create(
        actor=actor,
        section=section,
        language=language,
        title=title,
        body_html=body,
        audience=audience,
        **kwargs,
    )
    if published:
        publish(article, language)
    return article


def publish(article, language):
    translation = article.translations.get(language=language)
    return services.translation_publish(actor=None, translation=translation)


def translate(article, language, title, body, *, published=True):
    translation = services.translation_create(
        actor=None, article=article, language=language, title=title, body_html=body
    )
    if published:
        services.translation_publish(actor=None, translation=translation)
    return translation
