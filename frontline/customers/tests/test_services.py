from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from frontline.core.errors import Conflict, Invalid
from frontline.core.segment_rules import evaluate
from frontline.core.tests.test_segment_rules import rules
from frontline.customers import services
from frontline.customers.factories import OrganizationFactory
from frontline.customers.models import ContactPoint, Customer
from frontline.customers.segments import customer_profile, parse_rule, rule_to_q
from frontline.customers.selectors import customer_segments
from frontline.events.models import Event

pytestmark = pytest.mark.django_db


def test_create_normalises_contacts_and_records_an_event():
    customer = services.customer_create(
        actor=None,
        emails=[" Maria@Example.PH "],
        phones=["+63 917 123 4567"],
        social=[("facebook", "@MariaS")],
        first_name="Maria",
        last_name="Santos",
        tier="gold",
        country="ph",
    )
    assert customer.country == "PH"
    assert sorted(ContactPoint.objects.filter(customer=customer).values_list("kind", "normalized")) == [
        ("email", "maria@example.ph"),
        ("phone", "+639171234567"),
        ("social", "marias"),
    ]
    event = Event.objects.get(verb="customer.created", target_id=customer.pk)
    assert event.after["contacts"] == ["email:maria@example.ph", "phone:+639171234567", "social:marias"]


def test_a_contact_that_arrives_again_finds_the_same_customer(settings):
    settings.FRONTLINE_DEFAULT_COUNTRY_CODE = "63"
    first, created = services.customer_find_or_create(actor=None, email="ana@example.ph", first_name="Ana")
    again, created_again = services.customer_find_or_create(actor=None, email="ANA@example.PH")
    by_phone, _ = services.customer_find_or_create(actor=None, email="ana@example.ph", phone="09171112222")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk == by_phone.pk
    assert Customer.objects.count() == 1
    # The phone seen with a known email is added to that customer, so a call finds her too.
    assert services.customer_find_or_create(actor=None, phone="+63 917 111 2222")[0].pk == first.pk


def test_creating_a_customer_with_someone_elses_email_is_a_conflict_and_writes_nothing():
    services.customer_create(actor=None, emails=["taken@example.ph"])
    with pytest.raises(Conflict, match="belongs to customer"):
        services.customer_create(actor=None, emails=["new@example.ph", "TAKEN@example.ph"], first_name="X")
    assert Customer.objects.count() == 1
    assert not ContactPoint.objects.filter(normalized="new@example.ph").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"emails": ["not-an-email"]}, "email"),
        ({"phones": ["12"]}, "phone"),
        ({"tier": "diamond"}, "tier"),
        ({"country": "PHL"}, "country"),
        ({"lifetime_value": Decimal("-1")}, "lifetime_value"),
        ({"lifetime_value": "５０００"}, "lifetime_value"),  # full-width digits
        ({"shoe_size": 42}, "shoe_size"),
        ({"social": [("myspace", "x")]}, "network"),
    ],
)
def test_bad_profiles_are_refused_naming_the_field(values, field):
    with pytest.raises(Invalid) as error:
        services.customer_create(actor=None, **values)
    assert error.value.field == field
    assert Customer.objects.count() == 0


def test_update_records_before_and_after():
    customer = services.customer_create(actor=None, tier="standard")
    services.customer_update(actor=None, customer=customer, tier="gold", add_emails=["x@example.ph"])
    event = Event.objects.get(verb="customer.updated")
    assert event.before == {"tier": "standard"}
    assert event.after == {"tier": "gold", "contacts_added": ["email:x@example.ph"]}


def test_segment_rule_is_checked_before_saving():
    with pytest.raises(Invalid, match="unknown field"):
        services.segment_create(actor=None, name="Bad", rule="planet = mars")
    with pytest.raises(Invalid, match="is text"):
        services.segment_create(actor=None, name="Bad", rule="tier > gold")
    with pytest.raises(Invalid, match="needs a number"):
        services.segment_create(actor=None, name="Bad", rule="lifetime_value > lots")


def test_customer_segments_lists_the_segments_a_customer_is_in():
    gold_ph = services.segment_create(actor=None, name="Gold PH", rule="tier = gold and country = PH")
    services.segment_create(actor=None, name="China", rule="country = CN")
    customer = services.customer_create(actor=None, tier="gold", country="PH")
    assert customer_segments(customer) == [gold_ph]


@pytest.fixture
def population(db):
    org = OrganizationFactory(name="Acme")
    people = []
    for i, (tier, country, language, city, value) in enumerate(
        [
            ("gold", "PH", "fil", "Manila", "12000"),
            ("standard", "PH", "en", "", "0"),
            ("gold", "CN", "zh-hans", "Shanghai", "800.50"),
            ("platinum", "SG", "en", "Singapore", "5000"),
            ("silver", "", "", "Cebu", "4999.99"),
        ]
    ):
        people.append(
            services.customer_create(
                actor=None,
                tier=tier,
                country=country,
                language=language,
                city=city,
                lifetime_value=Decimal(value),
                organization=org if i % 2 else None,
            )
        )
    return people


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rules)
def test_database_filter_agrees_with_python_evaluation(population, rule):
    """A segment selects the same customers in SQL as the pure evaluator does in Python."""
    from frontline.core.segment_rules import render

    try:
        checked = parse_rule(render(rule).replace("lifetime_value", "city"))
    except Exception:  # rules hypothesis builds need not type-check (e.g. 'city > x'); skip those
        return
    in_sql = set(Customer.objects.filter(rule_to_q(checked)).values_list("pk", flat=True))
    in_python = {c.pk for c in population if evaluate(checked, customer_profile(c))}
    assert in_sql == in_python


@pytest.mark.parametrize(
    ("rule", "expected_cities"),
    [
        ("lifetime_value >= 5000", {"Manila", "Singapore"}),
        ("lifetime_value < 1000", {"", "Shanghai"}),
        ("organization = acme", {"", "Singapore"}),
        ("organization != Acme", {"Manila", "Shanghai", "Cebu"}),
        ("tier in (gold, platinum) and not country = CN", {"Manila", "Singapore"}),
    ],
)
def test_segment_rules_select_customers_in_sql(population, rule, expected_cities):
    selected = Customer.objects.filter(rule_to_q(parse_rule(rule)))
    assert {c.city for c in selected} == expected_cities
    assert {c.city for c in population if evaluate(parse_rule(rule), customer_profile(c))} == expected_cities
