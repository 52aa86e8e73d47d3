"""The demo company's help center loads through the services and reads like Aurora's."""

import pytest

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.knowledge import selectors
from frontline.knowledge.demo import help_center_seed
from frontline.knowledge.models import ArticleTranslation

pytestmark = pytest.mark.django_db


def test_the_demo_help_center_has_articles_in_three_languages():
    articles = help_center_seed(actor=staff(Role.ADMIN))
    assert len(articles) == 5
    languages = sorted(
        set(ArticleTranslation.objects.filter(status="published").values_list("language", flat=True))
    )
    assert languages == ["en", "fil", "zh-hans"]
    assert [r.translation.title for r in selectors.suggest(query="空调", language="zh-hans")] == [
        "空调不制冷？先清洗过滤网"
    ]
    assert [r.translation.title for r in selectors.suggest(query="lumalamig", language="fil")] == [
        "Hindi lumalamig ang aircon? Linisin muna ang filter"
    ]
    # The internal training article is never suggested to customers.
    assert selectors.suggest(query="silent", language="en") == []


def test_seeding_twice_adds_nothing():
    help_center_seed(actor=None)
    assert help_center_seed(actor=None) == []
    assert ArticleTranslation.objects.count() == 11
