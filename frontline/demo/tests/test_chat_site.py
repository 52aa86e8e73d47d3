"""The demo's chat widget: its site, created once on the chat queue, and the page to try it on."""

from __future__ import annotations

import io

import pytest

from frontline.connectors.webchat.models import Site
from frontline.demo.chat import chat_site_setup, demo_origins
from frontline.demo.company import load_demo
from frontline.events.models import Event
from frontline.routing.models import Queue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _demo_address(settings, monkeypatch):
    settings.FRONTLINE_BASE_URL = "http://127.0.0.1:8000"
    monkeypatch.delenv("FRONTLINE_HOST", raising=False)
    monkeypatch.delenv("FRONTLINE_PORT", raising=False)


def test_the_demo_creates_its_chat_site_once_on_the_chat_queue_and_the_page_shows_the_widget(client):
    load_demo(scale=0.02)
    events = Event.objects.count()

    site = Site.objects.get()
    assert (site.public_key, site.active) == ("demo", True)
    assert site.allowed_origins == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert site.queue == Queue.objects.get(channel="chat")
    out = io.StringIO()
    load_demo(scale=0.02, stdout=out)
    assert "nothing to do" in out.getvalue()
    assert Site.objects.count() == 1
    assert Event.objects.count() == events

    page = client.get("/chat/demo/", HTTP_HOST="127.0.0.1:8000")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<script src="/static/webchat/widget.js" data-site="demo" async></script>' in html
    assert (
        "&lt;script src=&quot;http://127.0.0.1:8000/static/webchat/widget.js&quot; "
        "data-site=&quot;demo&quot; async&gt;&lt;/script&gt;"
    ) in html  # the snippet to paste, shown as text
    assert 'role="alert"' not in html  # this address may open the chat


def test_an_older_demo_gets_the_site_on_the_next_run_with_the_origins_it_lacks(settings):
    load_demo(scale=0.02)
    site = Site.objects.get()
    site.allowed_origins = ["https://shop.example"]
    site.queue = None
    site.save()
    Site.objects.exclude(pk=site.pk).delete()
    settings.FRONTLINE_BASE_URL = "https://support.example.com"
    out = io.StringIO()

    load_demo(scale=0.02, stdout=out)

    site.refresh_from_db()
    assert "only its chat widget site was set up" in out.getvalue()
    assert site.allowed_origins == [
        "https://shop.example",
        "https://support.example.com",
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    ]
    assert site.queue == Queue.objects.get(channel="chat")
    Site.objects.all().delete()

    load_demo(scale=0.02)

    assert Site.objects.get().public_key == "demo"


def test_without_a_chat_queue_the_site_gets_a_new_one_that_serves_every_agent():
    site, created = chat_site_setup(admin=None)

    assert created is True
    assert site.queue is not None
    assert (site.queue.name, site.queue.channel, site.queue.team, site.queue.active) == (
        "Chat",
        "chat",
        None,
        True,
    )
    assert chat_site_setup(admin=None) == (site, False)


def test_the_demo_origins_follow_the_base_url_and_the_printed_address(settings, monkeypatch):
    settings.FRONTLINE_BASE_URL = "https://support.example.com/frontline"
    monkeypatch.setenv("FRONTLINE_HOST", "localhost")
    monkeypatch.setenv("FRONTLINE_PORT", "8080")

    assert demo_origins() == ["https://support.example.com", "http://localhost:8080", "http://127.0.0.1:8080"]


def test_the_demo_page_is_404_without_the_demo_and_warns_on_an_address_it_does_not_allow(client):
    assert client.get("/chat/demo/").status_code == 404
    site, _created = chat_site_setup(admin=None)

    page = client.get("/chat/demo/", HTTP_HOST="localhost")

    assert page.status_code == 200
    assert "http://localhost, is not one of the site's allowed origins" in page.content.decode()
    site.active = False
    site.save()
    assert client.get("/chat/demo/").status_code == 404
