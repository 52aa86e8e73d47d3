"""The widget's strings over HTTP, the Site admin, and the services' own guarantees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.connectors.webchat import services
from frontline.connectors.webchat.models import ChatEntry, Site
from frontline.core.errors import Conflict, Invalid, NotFound

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "accept", "language", "start"),
    [
        ("", "en-US,en;q=0.9", "en", "Start the chat"),
        ("", "fil-PH,fil;q=0.9,en;q=0.5", "fil", "Simulan ang chat"),
        ("", "zh-CN,zh;q=0.9", "zh-hans", "开始聊天"),
        ("?lang=fil", "zh-CN", "fil", "Simulan ang chat"),
        ("?lang=xx", "de-DE", "en", "Start the chat"),
    ],
)
def test_the_widget_strings_come_in_the_visitors_language(client, query, accept, language, start):
    response = client.get(f"/chat/strings/{query}", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    body = response.json()
    assert (body["language"], body["strings"]["start"]) == (language, start)
    assert response["Access-Control-Allow-Origin"] == "*"  # public text, read by any page
    assert "Accept-Language" in response["Vary"]


def test_the_strings_are_only_read(client):
    assert client.post("/chat/strings/").status_code == 405


def test_a_site_refuses_entries_that_are_not_origins():
    site = Site(
        name="Shop", public_key="k", allowed_origins=["https://shop.example", "https://x/path", "ftp://a"]
    )
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "https://x/path, ftp://a" in str(error.value)
    Site(
        name="Shop", public_key="k2", allowed_origins=["https://shop.example", "https://*.example.com"]
    ).full_clean()


def test_a_supervisor_adds_a_site_in_the_admin_and_gets_a_key(client):
    supervisor = staff(Role.SUPERVISOR, username="sam", is_staff=True)
    client.force_login(supervisor)
    response = client.post(
        "/admin/webchat_connector/site/add/",
        {"name": "Aircon Co", "allowed_origins": '["https://www.aircon.example"]', "active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    site = Site.objects.get()
    assert len(site.public_key) >= 20
    page = client.get(f"/admin/webchat_connector/site/{site.pk}/change/")
    assert site.public_key in page.content.decode()
    agent = staff(Role.AGENT, username="ana", is_staff=True)
    client.force_login(agent)
    assert client.post("/admin/webchat_connector/site/add/", {"name": "X"}).status_code == 403


def test_a_line_is_refused_once_the_chat_has_ended_and_a_resend_still_answers(site):
    started = services.conversation_start(
        site=site, name="Maria", email="maria@example.test", question="Warm air"
    )
    entry, created = services.message_receive(conversation=started.conversation, client_id="a", text="Hi")
    services.conversation_end(conversation=started.conversation)
    again, created_again = services.message_receive(
        conversation=started.conversation, client_id="a", text="Hi"
    )
    assert (created, created_again, again.pk, again.seq) == (True, False, entry.pk, 2)
    with pytest.raises(Conflict, match="ended"):
        services.message_receive(conversation=started.conversation, client_id="b", text="Hello?")
    assert list(ChatEntry.objects.values_list("seq", flat=True)) == [1, 2]


def test_a_resume_token_opens_only_its_own_site(site):
    other = Site.objects.create(name="Other", public_key="other", allowed_origins=[])
    started = services.conversation_start(site=site, name="Maria", email="maria@example.test", question="Q")
    assert services.conversation_for_token(site=site, token=started.token) == started.conversation
    with pytest.raises(NotFound):
        services.conversation_for_token(site=other, token=started.token)


def test_a_message_too_long_is_refused_with_its_limit(site):
    started = services.conversation_start(site=site, name="Maria", email="maria@example.test", question="Q")
    with pytest.raises(Invalid, match="4000"):
        services.message_receive(conversation=started.conversation, client_id="a", text="x" * 4001)
