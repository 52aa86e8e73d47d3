"""Greetings by salutation and surname: "Good morning, Mr. Reyes", "王先生", and the fallbacks."""

from datetime import UTC, datetime

import pytest

from frontline.accounts.factories import staff
from frontline.customers.factories import CustomerFactory
from frontline.plans.services import plan_create, plan_version_activate, plan_version_draft
from frontline.scripts import greeting
from frontline.scripts.greeting import Addressee, TemplateError, addressee, render
from frontline.scripts.selectors import greeting_for
from frontline.scripts.services import script_create

EN = "{day_greeting}, {salutation} {surname}! This is {agent_first_name} of {company}."
ZH = "{surname}{salutation}，{day_greeting}！我是{company}的客服{agent_first_name}。"


@pytest.mark.parametrize(
    ("title", "language", "salutation", "formal"),
    [
        ("Mr", "en", "Mr.", "Mr. Reyes"),
        ("mr.", "en", "Mr.", "Mr. Reyes"),
        ("Miss", "en", "Miss", "Miss Reyes"),
        ("Ms.", "en-PH", "Ms.", "Ms. Reyes"),
        ("", "en", "Mx.", "Mx. Reyes"),
        ("Atty.", "en", "Atty.", "Atty. Reyes"),
        ("Mr", "fil", "G.", "G. Reyes"),
        ("Mrs", "tl", "Gng.", "Gng. Reyes"),
        ("Miss", "fil", "Bb.", "Bb. Reyes"),
        ("", "fil", "G./Gng.", "G./Gng. Reyes"),
        ("Ginang", "fil", "Gng.", "Gng. Reyes"),
        ("Mr", "de", "Mr.", "Mr. Reyes"),  # no German scripts: English
    ],
)
def test_the_salutation_comes_from_the_title_or_a_neutral_form(title, language, salutation, formal):
    found = addressee(title=title, last_name="Reyes", first_name="Jose", language=language)
    assert (found.salutation, found.formal) == (salutation, formal)


@pytest.mark.parametrize(
    ("title", "salutation", "formal"),
    [
        ("Mr", "先生", "王先生"),
        ("先生", "先生", "王先生"),
        ("Ms", "女士", "王女士"),
        ("Dr", "博士", "王博士"),
        ("", "先生/女士", "王先生/女士"),
        ("Atty.", "先生/女士", "王先生/女士"),
    ],
)
def test_in_chinese_the_salutation_follows_the_surname(title, salutation, formal):
    found = addressee(title=title, last_name="王", language="zh-CN")
    assert (found.salutation, found.surname, found.formal, found.language) == (
        salutation,
        "王",
        formal,
        "zh-hans",
    )


def test_a_greeting_by_surname_in_english():
    reyes = addressee(title="Mr", last_name="Reyes", first_name="Jose", language="en")
    assert render(EN, addressee=reyes, agent_first_name="Pat", company="Acme", hour=9) == (
        "Good morning, Mr. Reyes! This is Pat of Acme."
    )
    assert render(EN, addressee=reyes, agent_first_name="Pat", company="Acme", hour=14).startswith(
        "Good afternoon, Mr. Reyes!"
    )
    assert render(EN, addressee=reyes, agent_first_name="Pat", company="Acme", hour=2).startswith(
        "Good evening, Mr. Reyes!"
    )


def test_a_chinese_greeting_puts_the_salutation_after_the_surname():
    wang = addressee(title="Mr", last_name="王", language="zh-hans")
    assert render(ZH, addressee=wang, agent_first_name="小李", company="Acme", hour=10) == (
        "王先生，上午好！我是Acme的客服小李。"
    )


def test_without_a_surname_the_first_name_then_a_polite_form_is_used():
    assert addressee(title="Ms", last_name="", first_name="Cher", language="en").formal == "Ms. Cher"
    nobody = addressee(title="", last_name=" ", language="en")
    assert (nobody.salutation, nobody.surname, nobody.formal) == ("Sir/Madam", "", "")
    assert render(EN, addressee=nobody, agent_first_name="Pat", company="Acme", hour=9) == (
        "Good morning, Sir/Madam! This is Pat of Acme."
    )
    anonymous_zh = addressee(title="", last_name="", language="zh")
    assert render(ZH, addressee=anonymous_zh, agent_first_name="小李", company="Acme", hour=20) == (
        "先生/女士，晚上好！我是Acme的客服小李。"
    )
    anonymous_fil = addressee(title="", last_name="", language="fil")
    assert (
        render("{day_greeting}, {salutation} {surname}!", addressee=anonymous_fil, hour=15)
        == "Magandang hapon po, Sir/Ma'am!"
    )


@pytest.mark.parametrize("template", ["Hello {name}", "Hello {surname", "Hi {surname!r}", "Hi {0}"])
def test_templates_with_unknown_placeholders_are_refused(template):
    with pytest.raises(TemplateError):
        greeting.placeholders_in(template)


def test_parts_of_the_day():
    assert [greeting.part_of_day(hour) for hour in (4, 5, 11, 12, 17, 18, 23)] == [
        "evening",
        "morning",
        "morning",
        "afternoon",
        "afternoon",
        "evening",
        "evening",
    ]
    assert Addressee("Mr.", "", "en").formal == ""


# --- From the database: the seeded scripts


@pytest.mark.django_db
def test_the_seeded_english_greeting_addresses_the_customer_by_surname_in_their_morning():
    customer = CustomerFactory(salutation="Mr", first_name="Jose", last_name="Reyes", timezone="Asia/Manila")
    agent = staff(first_name="Pat")
    found = greeting_for(customer=customer, agent=agent, at=datetime(2026, 9, 1, 1, 30, tzinfo=UTC))
    assert found.text == (
        "Good morning, Mr. Reyes! Welcome to Frontline customer service. "
        "This is Pat, happy to serve you. How may I help you?"
    )
    assert (found.language, found.formal_name) == ("en", "Mr. Reyes")


@pytest.mark.django_db
def test_the_seeded_chinese_and_tagalog_greetings():
    wang = CustomerFactory(
        salutation="先生", last_name="王", first_name="小明", language="zh-CN", timezone="Asia/Shanghai"
    )
    agent = staff(first_name="Li")
    found = greeting_for(customer=wang, agent=agent, at=datetime(2026, 9, 1, 7, 0, tzinfo=UTC))
    assert (
        found.text
        == "王先生，下午好！欢迎致电Frontline客服热线，我是客服代表Li，很高兴为您服务，请问有什么可以帮您？"
    )
    assert found.formal_name == "王先生"
    cruz = CustomerFactory(salutation="Mrs", last_name="Cruz", language="tl", timezone="Asia/Manila")
    found = greeting_for(customer=cruz, agent=agent, at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC))
    assert found.text.startswith(
        "Magandang gabi po, Gng. Cruz! Maligayang pagdating sa customer service ng Frontline."
    )


@pytest.mark.django_db
def test_the_language_asked_for_wins_and_a_missing_language_falls_back_to_english():
    customer = CustomerFactory(salutation="Ms", last_name="Santos", language="fil")
    agent = staff(first_name="Pat")
    at = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
    assert greeting_for(customer=customer, agent=agent, language="en", at=at).text.startswith(
        "Good afternoon, Ms. Santos!"
    )
    german = greeting_for(customer=customer, agent=agent, language="de", at=at)
    assert (german.language, german.text[:27]) == ("en", "Good afternoon, Ms. Santos!")


@pytest.mark.django_db
def test_an_unknown_customer_is_greeted_politely_without_a_name():
    customer = CustomerFactory(salutation="", first_name="", last_name="")
    found = greeting_for(customer=customer, agent=None, at=datetime(2026, 9, 1, 9, 0, tzinfo=UTC))
    assert found.text.startswith("Good morning, Sir/Madam! Welcome to Frontline customer service.")
    assert (found.salutation, found.surname, found.formal_name) == ("Sir/Madam", "", "")


@pytest.mark.django_db
def test_a_plan_versions_greeting_and_company_name_replace_the_defaults():
    plan = plan_create(actor=None, name="Appliances")
    version = plan_version_draft(actor=None, plan=plan, settings={"company_name": "Acme Appliances"})
    plan_version_activate(actor=None, version=version, at=datetime(2026, 1, 1, tzinfo=UTC))
    script_create(
        actor=None,
        language="en",
        kind="greeting",
        plan_version=version,
        text="Hi {salutation} {surname}, {company} here.",
    )
    customer = CustomerFactory(salutation="Dr", last_name="Reyes")
    found = greeting_for(customer=customer, agent=None, at=datetime(2026, 9, 1, 9, 0, tzinfo=UTC))
    assert found.text == "Hi Dr. Reyes, Acme Appliances here."
