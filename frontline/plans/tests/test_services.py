from datetime import timedelta

import pytest
from django.utils import timezone

from frontline.core.errors import Conflict, Invalid
from frontline.customers.factories import CustomerFactory
from frontline.customers.services import segment_create
from frontline.plans import services
from frontline.plans.models import PlanVersion
from frontline.plans.selectors import plan_version_for_customer

pytestmark = pytest.mark.django_db


def _activate(plan, days_ago, **settings):
    version = services.plan_version_draft(actor=None, plan=plan, settings=settings)
    return services.plan_version_activate(
        actor=None, version=version, at=timezone.now() - timedelta(days=days_ago)
    )


def test_resolver_follows_versions_through_time():
    plan = services.plan_create(actor=None, name="Standard")
    v1 = _activate(plan, 30, reply_hours=24)
    v2 = _activate(plan, 10, reply_hours=8)
    customer = CustomerFactory()
    v1.refresh_from_db()
    assert (v1.status, v1.effective_until) == ("retired", v2.effective_from)
    assert plan_version_for_customer(customer=customer) == v2
    assert plan_version_for_customer(customer=customer, at=timezone.now() - timedelta(days=20)) == v1
    assert plan_version_for_customer(customer=customer, at=timezone.now() - timedelta(days=40)) is None


def test_a_draft_starts_from_the_latest_settings_and_never_applies():
    plan = services.plan_create(actor=None, name="Standard")
    _activate(plan, 1, reply_hours=24)
    draft = services.plan_version_draft(actor=None, plan=plan)
    assert (draft.number, draft.settings) == (2, {"reply_hours": 24})
    assert plan_version_for_customer(customer=CustomerFactory()).number == 1


def test_segment_plans_win_by_precedence_for_their_customers():
    vip = segment_create(actor=None, name="VIP", rule="tier in (gold, platinum)")
    standard = services.plan_create(actor=None, name="Standard", precedence=100)
    premium = services.plan_create(actor=None, name="Premium", segment=vip, precedence=10)
    standard_v = _activate(standard, 5)
    premium_v = _activate(premium, 5)
    assert plan_version_for_customer(customer=CustomerFactory(tier="gold")) == premium_v
    assert plan_version_for_customer(customer=CustomerFactory(tier="standard")) == standard_v
    assert plan_version_for_customer(customer=None) == standard_v


def test_only_drafts_are_edited_or_activated_and_only_the_active_retires():
    plan = services.plan_create(actor=None, name="Standard")
    active = _activate(plan, 1)
    with pytest.raises(Conflict):
        services.plan_version_update(actor=None, version=active, summary="x")
    with pytest.raises(Conflict):
        services.plan_version_activate(actor=None, version=active)
    draft = services.plan_version_draft(actor=None, plan=plan)
    with pytest.raises(Conflict):
        services.plan_version_retire(actor=None, version=draft)
    with pytest.raises(Invalid, match="before the active one"):
        services.plan_version_activate(actor=None, version=draft, at=timezone.now() - timedelta(days=3))
    assert PlanVersion.objects.filter(plan=plan, status="active").count() == 1
