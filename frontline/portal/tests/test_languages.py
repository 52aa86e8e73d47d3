"""Portal pages and mail speak the customer's language (profile first, then the browser's)."""

from __future__ import annotations

import pytest

from frontline.portal.tests.conftest import sent

pytestmark = pytest.mark.django_db


def test_a_customer_whose_profile_says_filipino_gets_filipino_pages(ana_client, ana):
    ana.language = "fil"
    ana.save()
    page = ana_client.get("/portal/").content.decode()
    assert '<html lang="fil">' in page
    assert "Aking mga kahilingan" in page
    assert "Wala ka pang kahilingan." in page


def test_an_anonymous_visitor_gets_the_browsers_language(client):
    page = client.get("/portal/new/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "我们能为您做什么？" in page
    assert "先搜索帮助" in page


def test_the_sign_in_mail_is_in_the_customers_language(client, ana):
    ana.language = "zh-hans"
    ana.save()
    client.post("/portal/login/", {"action": "link", "link-email": "ana@example.ph"})
    assert sent()[0].subject == "您的登录链接"
    assert "有效期 15 分钟" in sent()[0].body
