"""Seeded scripts and phrases, the stored-phrase check, editing, and findings kept for quality review."""

import logging

import pytest

from frontline.accounts.factories import staff
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory
from frontline.events.models import Event
from frontline.scripts import compliance, selectors, services
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Script
from frontline.scripts.selectors import compliance_check, silent_call_protocol
from frontline.scripts.silent_call import Call, timeline
from frontline.tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


def test_the_defaults_are_seeded_in_english_tagalog_and_chinese():
    for language in ("en", "fil", "zh-hans"):
        kinds = set(Script.objects.filter(language=language).values_list("kind", flat=True))
        assert kinds == set(Script.Kind.values), language
        assert ForbiddenPhrase.objects.filter(language=language, active=True).count() == 3
    assert ForbiddenPhrase.objects.get(language="fil", phrase="Hoy, magsalita ka!").alternative == (
        "Magandang araw po, paano ko po kayo matutulungan?"
    )
    assert (
        ForbiddenPhrase.objects.get(language="zh-hans", phrase="喂，说话！").alternative
        == "您好，请问有什么可以帮您？"
    )


def test_no_seeded_script_uses_a_forbidden_phrase():
    phrases = selectors.forbidden_phrases_active()
    for script in Script.objects.all():
        found = compliance.check(script.text, phrases=phrases, channel="api", is_first_reply=False)
        assert found == [], (script, found)


@pytest.mark.parametrize(
    ("language", "text", "phrase", "suggestion"),
    [
        ("en", "Hello? Hey, talk! Hey, talk!", "Hey, talk!", "Hello, may I help you?"),
        (
            "fil",
            "Hoy, magsalita ka!",
            "Hoy, magsalita ka!",
            "Magandang araw po, paano ko po kayo matutulungan?",
        ),
        ("zh-hans", "喂，说话！", "喂，说话！", "您好，请问有什么可以帮您？"),
        ("en", "喂,说话", "喂，说话！", "您好，请问有什么可以帮您？"),  # any language's phrases are found
    ],
)
def test_the_stored_phrases_are_found_with_their_alternatives(language, text, phrase, suggestion):
    findings = compliance_check(text=text, language=language, channel="voice", is_first_reply=False)
    assert {(f.kind, f.phrase, f.suggestion) for f in findings} == {("forbidden_phrase", phrase, suggestion)}


def test_a_missing_greeting_suggests_the_customers_greeting_line():
    customer = CustomerFactory(salutation="Mr", last_name="Reyes", language="en")
    agent = staff(first_name="Pat")
    findings = compliance_check(
        text="Your part ships today.",
        language="en",
        channel="email",
        is_first_reply=True,
        customer=customer,
        agent=agent,
    )
    assert [f.kind for f in findings] == ["missing_greeting", "missing_closing"]
    assert ", Mr. Reyes! Welcome to Frontline customer service. This is Pat" in findings[0].suggestion
    assert (
        findings[1].suggestion == "Thank you for contacting Frontline, Mr. Reyes. Have a nice day, goodbye!"
    )


def test_a_new_phrase_is_checked_at_once_and_a_deactivated_one_no_longer():
    assert compliance_check(text="Calm down!", language="en", channel="api", is_first_reply=False) == []
    row = services.forbidden_phrase_create(
        actor=None, language="EN", phrase="Calm down!", alternative="I understand how frustrating this is."
    )
    findings = compliance_check(text="calm   DOWN", language="en", channel="api", is_first_reply=False)
    assert [(f.phrase, f.suggestion) for f in findings] == [
        ("Calm down!", "I understand how frustrating this is.")
    ]
    services.forbidden_phrase_update(actor=None, forbidden_phrase=row, active=False)
    assert compliance_check(text="calm down", language="en", channel="api", is_first_reply=False) == []
    assert list(
        Event.objects.filter(target_id=row.pk, verb__startswith="forbidden_phrase.").values_list(
            "verb", "after"
        )
    ) == [
        (
            "forbidden_phrase.created",
            {
                "language": "en",
                "phrase": "Calm down!",
                "alternative": "I understand how frustrating this is.",
                "note": "",
                "active": True,
            },
        ),
        ("forbidden_phrase.updated", {"active": False}),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"language": "", "phrase": "x", "alternative": "y"}, "language"),
        ({"language": "en", "phrase": "?!", "alternative": "y"}, "phrase"),
        ({"language": "en", "phrase": "HEY talk", "alternative": "y"}, "phrase"),  # exists as "Hey, talk!"
        ({"language": "en", "phrase": "shut up", "alternative": " "}, "alternative"),
        ({"language": "en", "phrase": "shut up", "alternative": "Please, shut up."}, "alternative"),
    ],
)
def test_a_bad_phrase_is_refused_with_its_field(kwargs, field):
    count = ForbiddenPhrase.objects.count()
    with pytest.raises(Invalid) as raised:
        services.forbidden_phrase_create(actor=None, **kwargs)
    assert raised.value.field == field
    assert ForbiddenPhrase.objects.count() == count


def test_deleting_a_phrase_records_what_it_was():
    row = ForbiddenPhrase.objects.get(language="en", phrase="Hey, louder!")
    row_id = row.pk
    assert compliance_check(text="hey louder", language="en", channel="api", is_first_reply=False) != []
    services.forbidden_phrase_delete(actor=None, forbidden_phrase=row)
    event = Event.objects.get(verb="forbidden_phrase.deleted")
    assert (event.target_id, event.before["phrase"]) == (row_id, "Hey, louder!")
    assert compliance_check(text="hey louder", language="en", channel="api", is_first_reply=False) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"text": "  "}, "text"),
        ({"text": "Hello {name}"}, "text"),
        ({"step": 1, "kind": "silent_call"}, "step"),  # step 1 is seeded
        ({"step": 0}, "step"),
        ({"wait_seconds": 0}, "wait_seconds"),
        ({"language": "not a language"}, "language"),
    ],
)
def test_a_bad_script_is_refused_with_its_field(kwargs, field):
    values = {"language": "en", "kind": "hold", "text": "One moment, please.", "step": 2, **kwargs}
    with pytest.raises(Invalid) as raised:
        services.script_create(actor=None, **values)
    assert raised.value.field == field


def test_scripts_are_updated_with_an_event_and_unchanged_updates_record_nothing():
    script = Script.objects.get(language="en", kind="silent_call", step=2)
    services.script_update(actor=None, script=script, wait_seconds=3)
    services.script_update(actor=None, script=script, wait_seconds=3)
    assert list(Event.objects.filter(verb="script.updated").values_list("before", "after")) == [
        ({"wait_seconds": 5}, {"wait_seconds": 3})
    ]
    protocol, _ = silent_call_protocol(language="en")
    assert [i.started_at for i in timeline(protocol)] == [0.0, 5.0, 8.0, 13.0]


def test_the_stored_protocols_run_5_seconds_apart_in_every_language():
    for language, first, closing in [
        (
            "en",
            "Hello! What can I do for you?",
            "Sorry, there is no sound on your phone. Please call again. Goodbye!",
        ),
        (
            "fil",
            "Hello po! Ano po ang maitutulong ko sa inyo?",
            "Paumanhin po, wala po kaming naririnig sa linya ninyo. Pakitawagan po ulit kami. Paalam po!",
        ),
        ("zh-hans", "您好！请问有什么可以帮您？", "对不起，您的电话没有声音，请您重新拨打，再见！"),
    ]:
        protocol, scripts = silent_call_protocol(language=language)
        steps = timeline(protocol)
        assert [(s.action, s.started_at) for s in steps] == [
            ("say", 0.0),
            ("say", 5.0),
            ("say", 10.0),
            ("end", 15.0),
        ]
        assert (steps[0].line, steps[2].line, scripts.language) == (first, closing, language)
        routed = Call(protocol).on("foreign_language", 2.0, language="ilo", agent_available=True).at(2.0)
        assert (routed.action, routed.line, routed.language) == ("route", scripts.first("transfer"), "ilo")


def test_agents_who_speak_a_language_are_found_in_any_spelling():
    tagalog = staff()
    tagalog.agent.languages = ["en", "tl"]
    tagalog.agent.save()
    staff()  # lists no languages
    assert selectors.agents_speaking("fil") == [tagalog]
    assert selectors.agents_speaking("fil-PH") == [tagalog]
    assert selectors.agents_speaking("zh") == []


# --- Findings recorded for quality review


@pytest.fixture
def chat_ticket(django_capture_on_commit_callbacks):
    customer = CustomerFactory(salutation="Ms", last_name="Santos", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        return ticket_create(
            actor=None, requester=customer, subject="Aircon", body_text="Is anyone there?", channel="chat"
        )


def _send(django_capture_on_commit_callbacks, ticket, text, actor, direction="outbound"):
    with django_capture_on_commit_callbacks(execute=True):
        return message_add(actor=actor, ticket=ticket, direction=direction, body_text=text)


def test_an_agents_reply_is_reviewed_and_findings_are_kept(chat_ticket, django_capture_on_commit_callbacks):
    agent = staff(first_name="Pat")
    message = _send(django_capture_on_commit_callbacks, chat_ticket, "Hey, talk! What's the model?", agent)
    findings = list(ComplianceFinding.objects.filter(message=message).order_by("start", "kind"))
    assert [(f.kind, f.phrase, f.excerpt, f.start, f.end, f.agent_id, f.ticket_id) for f in findings] == [
        ("forbidden_phrase", "Hey, talk!", "Hey, talk", 0, 9, agent.pk, chat_ticket.pk),
        ("missing_greeting", "", "", 0, 0, agent.pk, chat_ticket.pk),
    ]
    assert findings[0].suggestion == "Hello, may I help you?"
    assert ", Ms. Santos! Welcome to Frontline" in findings[1].suggestion
    event = Event.objects.get(verb="compliance_finding.recorded")
    assert (event.target_type, event.target_id, event.after["kinds"]) == (
        "message",
        message.pk,
        ["forbidden_phrase", "missing_greeting"],
    )


def test_a_later_chat_reply_needs_no_greeting_and_a_clean_one_records_nothing(
    chat_ticket, django_capture_on_commit_callbacks
):
    agent = staff()
    _send(
        django_capture_on_commit_callbacks,
        chat_ticket,
        "Good morning, Ms. Santos! How may I help you?",
        agent,
    )
    _send(django_capture_on_commit_callbacks, chat_ticket, "Which model is it?", agent)
    assert not ComplianceFinding.objects.exists()
    assert not Event.objects.filter(verb="compliance_finding.recorded").exists()


def test_customer_messages_notes_and_system_replies_are_not_reviewed(
    chat_ticket, django_capture_on_commit_callbacks
):
    agent = staff()
    _send(django_capture_on_commit_callbacks, chat_ticket, "Hey, talk!", None, direction="inbound")
    _send(
        django_capture_on_commit_callbacks, chat_ticket, "Hey, talk! (note to self)", agent, direction="note"
    )
    _send(django_capture_on_commit_callbacks, chat_ticket, "Hey, talk!", None)
    assert not ComplianceFinding.objects.exists()


def test_reviewing_twice_keeps_the_first_findings(chat_ticket, django_capture_on_commit_callbacks):
    message = _send(django_capture_on_commit_callbacks, chat_ticket, "喂，说话！", staff())
    services.compliance_findings_record(message=message)
    assert ComplianceFinding.objects.filter(message=message).count() == 2


def test_a_failing_review_never_breaks_sending(
    chat_ticket, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "compliance_findings_record", broken)
    with caplog.at_level(logging.ERROR, logger="frontline.scripts.signals"):
        message = _send(django_capture_on_commit_callbacks, chat_ticket, "Hey, talk!", staff())
    assert message.pk is not None
    assert not ComplianceFinding.objects.exists()
    assert "was not reviewed for compliance" in caplog.text
