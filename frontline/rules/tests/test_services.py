"""Rules on the database: triggers fired by real ticket events, automations swept with time frozen.

Ticket services record events whose listeners (the trigger engine among them) run after commit;
each step runs inside `django_capture_on_commit_callbacks(execute=True)` (the `step` fixture), so the
real signal wiring runs the rules, and the events their actions record run them again.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from frontline.accounts.factories import TeamFactory, staff
from frontline.accounts.models import Role
from frontline.core.errors import Invalid
from frontline.customers.factories import CustomerFactory
from frontline.escalations.models import EscalationRun
from frontline.escalations.services import StepSpec, chain_create
from frontline.events.models import Event
from frontline.notifications.models import Notification
from frontline.rules import services
from frontline.rules.models import Rule, RuleRun
from frontline.tickets.models import Message, Ticket
from frontline.tickets.services import message_add, ticket_create, ticket_update
from frontline.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

MANILA = ZoneInfo("Asia/Manila")


def manila(*args):
    return datetime(*args, tzinfo=MANILA)


def trigger(name, conditions, actions, events=("ticket.created",), **kwargs):
    return services.rule_create(
        actor=None,
        name=name,
        kind="trigger",
        events=list(events),
        conditions=conditions,
        actions_json=actions,
        **kwargs,
    )


def automation(name, conditions, actions, **kwargs):
    return services.rule_create(
        actor=None, name=name, kind="automation", conditions=conditions, actions_json=actions, **kwargs
    )


def open_ticket(step, at, **kwargs):
    return step(
        at,
        ticket_create,
        actor=None,
        requester=kwargs.pop("requester", None) or CustomerFactory(),
        subject=kwargs.pop("subject", "Aircon rattles"),
        body_text="It rattles at night",
        created_at=at,
        **kwargs,
    )


def tags(ticket):
    return sorted(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True))


def runs(ticket, **filters):
    return list(
        RuleRun.objects.filter(ticket=ticket, **filters)
        .order_by("id")
        .values_list("rule_name", "trigger", "outcome")
    )


# --- Triggers


def test_a_trigger_on_ticket_created_sets_priority_and_tags(step):
    trigger(
        "Refund requests are high",
        {"all": [{"field": "ticket.subject", "op": "contains", "value": "refund"}]},
        [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "tags": ["Refund", "billing"]}],
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0), subject="Refund for my order")
    ticket.refresh_from_db()
    assert (ticket.priority, tags(ticket)) == ("high", ["billing", "refund"])
    assert runs(ticket) == [("Refund requests are high", "ticket.created", "matched")]
    run = RuleRun.objects.get(ticket=ticket)
    assert run.actions == [
        {"type": "set_priority", "value": "high", "changed": True},
        {"type": "add_tags", "tags": ["refund", "billing"]},
    ]
    assert run.at == manila(2026, 9, 1, 10, 0)
    update = Event.objects.get(target_id=ticket.pk, verb="ticket.updated", after__priority="high")
    assert (update.actor_id, update.actor_label) == (None, "system")


def test_a_trigger_whose_conditions_fail_is_recorded_as_skipped(step):
    trigger(
        "Refund requests are high",
        {"all": [{"field": "ticket.subject", "op": "contains", "value": "refund"}]},
        [{"type": "set_priority", "value": "high"}],
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0), subject="Aircon rattles")
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"
    assert runs(ticket) == [("Refund requests are high", "ticket.created", "skipped")]


def test_conditions_on_the_customers_tier(step):
    trigger(
        "Gold and platinum first",
        {"all": [{"field": "customer.tier", "op": "in", "value": ["gold", "platinum"]}]},
        [{"type": "set_priority", "value": "urgent"}, {"type": "add_tags", "tags": ["vip"]}],
    )
    gold = open_ticket(step, manila(2026, 9, 1, 10, 0), requester=CustomerFactory(tier="gold"))
    standard = open_ticket(step, manila(2026, 9, 1, 10, 5), requester=CustomerFactory(tier="standard"))
    assert (Ticket.objects.get(pk=gold.pk).priority, tags(gold)) == ("urgent", ["vip"])
    assert (Ticket.objects.get(pk=standard.pk).priority, tags(standard)) == ("normal", [])


@pytest.mark.parametrize(
    ("at", "expected_tags"),
    [
        (manila(2026, 9, 2, 10, 0), []),  # Wednesday morning: open
        (manila(2026, 9, 2, 18, 0), ["after-hours"]),  # closing time: closed (intervals are half-open)
        (manila(2026, 9, 5, 11, 0), ["after-hours"]),  # Saturday
    ],
)
def test_the_inside_business_hours_condition_uses_the_rules_calendar(step, calendar, at, expected_tags):
    trigger(
        "After hours",
        {"all": [{"field": "business_hours.open", "op": "is", "value": False}]},
        [
            {"type": "add_tags", "tags": ["after-hours"]},
            {
                "type": "send_email",
                "body": "We are closed now, {{ customer.salutation }} {{ customer.last_name }}.",
            },
        ],
        calendar=calendar,
    )
    ticket = open_ticket(step, at, requester=CustomerFactory(salutation="Ms", last_name="Cruz"))
    assert tags(ticket) == expected_tags
    replies = list(
        Message.objects.filter(ticket=ticket, direction="outbound").values_list("body_text", "channel")
    )
    assert replies == ([("We are closed now, Ms Cruz.", "email")] if expected_tags else [])


def test_message_inbound_triggers_read_the_message_and_changed_conditions_read_the_event(step):
    agent = staff(Role.AGENT)
    trigger(
        "Angry customers",
        {"any": [{"field": "message.body", "op": "contains", "value": "lawyer"}]},
        [{"type": "add_tags", "tags": ["escalate"]}],
        events=["message.inbound"],
    )
    trigger(
        "Reopened by the customer",
        {"all": [{"field": "ticket.status", "op": "changed_from", "value": "pending"}]},
        [{"type": "add_note", "body": "Customer wrote back on #{{ ticket.id }}: {{ message.body }}"}],
        events=["ticket.updated"],
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    step(manila(2026, 9, 1, 10, 5), ticket_update, actor=agent, ticket=ticket, status="pending")
    assert tags(ticket) == []
    step(
        manila(2026, 9, 1, 11, 0),
        message_add,
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="My lawyer will call",
    )
    assert tags(ticket) == ["escalate"]
    note = Message.objects.get(ticket=ticket, direction="note")
    assert note.body_text == f"Customer wrote back on #{ticket.pk}: My lawyer will call"
    assert (note.author_user_id, Ticket.objects.get(pk=ticket.pk).status) == (None, "open")


def test_a_failing_action_keeps_none_of_the_rules_actions(step):
    agent = staff(Role.AGENT)
    trigger(
        "Tag and assign",
        {},
        [{"type": "add_tags", "tags": ["triaged"]}, {"type": "assign", "user_id": agent.pk}],
    )
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    assert (tags(ticket), Ticket.objects.get(pk=ticket.pk).assignee_id) == ([], None)
    run = RuleRun.objects.get(ticket=ticket)
    assert (run.outcome, run.actions) == ("failed", [])
    assert run.error == f"user {agent.pk} is not an active staff member"


def test_rules_run_in_position_order_and_see_what_earlier_rules_changed(step):
    trigger(
        "Second: urgent ones to the escalations team",
        {"all": [{"field": "ticket.priority", "op": "is", "value": "urgent"}]},
        [{"type": "add_tags", "tags": ["escalations"]}],
        position=1,
    )
    trigger(
        "First: outages are urgent",
        {"all": [{"field": "ticket.subject", "op": "contains", "value": "outage"}]},
        [{"type": "set_priority", "value": "urgent"}],
        position=0,
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0), subject="Outage in Makati")
    assert tags(ticket) == ["escalations"]
    assert runs(ticket, trigger="ticket.created") == [
        ("First: outages are urgent", "ticket.created", "matched"),
        ("Second: urgent ones to the escalations team", "ticket.created", "matched"),
    ]


def test_rules_limited_to_a_plan_version_leave_other_tickets_alone(step):
    from frontline.plans.models import Plan, PlanVersion

    plan = Plan.objects.create(name="Pilot")
    version = PlanVersion.objects.create(plan=plan, number=1)
    trigger("Pilot only", {}, [{"type": "add_tags", "tags": ["pilot"]}], plan_version=version)
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    assert (tags(ticket), runs(ticket)) == ([], [])


def test_notify_the_assignee_and_the_team_lead(step):
    lead = staff(Role.SUPERVISOR)
    team = TeamFactory(lead=lead)
    agent = staff(Role.AGENT, teams=[team])
    trigger(
        "Tell them",
        {},
        [
            {"type": "notify", "to": "assignee", "title": "New: {{ ticket.subject }}"},
            {"type": "notify", "to": "team_lead", "title": "Team ticket #{{ ticket.id }}", "urgent": True},
        ],
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0), team=team, assignee=agent)
    notifications = Notification.objects.filter(ticket=ticket).order_by("id")
    assert [(n.user_id, n.title, n.kind, n.urgent) for n in notifications] == [
        (agent.pk, "New: Aircon rattles", "rule", False),
        (lead.pk, f"Team ticket #{ticket.pk}", "rule", True),
    ]


def test_notify_without_an_assignee_is_skipped_not_failed(step):
    trigger("Tell the assignee", {}, [{"type": "notify", "to": "assignee", "title": "Hi"}])
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    run = RuleRun.objects.get(ticket=ticket)
    assert (run.outcome, run.actions) == (
        "matched",
        [{"type": "notify", "to": "assignee", "skipped": "the ticket has no assignee"}],
    )


def test_call_webhook_enqueues_one_delivery_per_event():
    subscription = WebhookSubscription.objects.create(
        name="CRM", url="https://crm.example.test/hooks", secret="s" * 32, event_types=["*"]
    )
    rule = trigger("To the CRM", {}, [{"type": "call_webhook", "subscription_id": subscription.pk}])
    # Without after-commit callbacks: the delivery row is written, nothing is sent.
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Aircon")
    event = Event.objects.get(target_id=ticket.pk, verb="ticket.created")
    services.rules_on_event(event=event)
    services.rules_on_event(event=event)  # the same event again (a retried listener)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.event_id == f"rule{rule.pk}-event{event.pk}-ticket{ticket.pk}"
    assert delivery.event_type == "rule.matched"
    data = delivery.payload["data"]
    assert (data["rule"], data["ticket"]["id"], data["ticket"]["subject"]) == (
        {"id": rule.pk, "name": "To the CRM"},
        ticket.pk,
        "Aircon",
    )


def test_start_escalation_runs_the_chains_immediate_steps():
    chain = chain_create(
        actor=None,
        name="Breach",
        trigger="manual",
        steps=[StepSpec(action="raise_priority", priority="urgent")],
    )
    trigger(
        "Escalate breaches", {}, [{"type": "start_escalation", "chain_id": chain.pk}], events=["sla.breached"]
    )
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Aircon")
    breach = Event.objects.create(
        occurred_at=ticket.created_at,
        actor_label="system",
        verb="sla.breached",
        target_type="ticket",
        target_id=ticket.pk,
    )
    services.rules_on_event(event=breach)
    run = EscalationRun.objects.get(ticket=ticket, chain=chain)
    assert run.trigger == "manual"
    assert Ticket.objects.get(pk=ticket.pk).priority == "urgent"
    assert RuleRun.objects.get(ticket=ticket).actions == [
        {"type": "start_escalation", "chain": chain.pk, "escalation": run.pk}
    ]


# --- The run cap


def test_two_rules_that_undo_each_other_are_stopped_by_the_run_cap(step, settings):
    """Acceptance: a rule loop stopped by the cap, with the ticket left consistent."""
    assert settings.FRONTLINE_RULES_RUN_CAP == 20
    trigger(
        "High goes back to normal",
        {"all": [{"field": "ticket.priority", "op": "changed_to", "value": "high"}]},
        [{"type": "set_priority", "value": "normal"}],
        events=["ticket.updated"],
    )
    trigger(
        "Normal goes up to high",
        {"all": [{"field": "ticket.priority", "op": "changed_to", "value": "normal"}]},
        [{"type": "set_priority", "value": "high"}],
        events=["ticket.updated"],
    )
    agent = staff(Role.AGENT)
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    # When an agent raises the priority, each rule undoes the other's change
    step(manila(2026, 9, 1, 10, 5), ticket_update, actor=agent, ticket=ticket, priority="high")
    # Then 20 runs act and the 21st is capped; nothing runs after it
    assert RuleRun.objects.filter(ticket=ticket, outcome="matched").count() == 20
    capped = RuleRun.objects.get(ticket=ticket, outcome="capped")
    assert capped.rule_name == "High goes back to normal"
    assert capped.error == "20 runs within 600 seconds: the run cap was reached"
    assert capped.pk == RuleRun.objects.filter(ticket=ticket).exclude(outcome="skipped").latest("id").pk
    notice = Event.objects.get(target_id=ticket.pk, verb="rule.capped")
    assert notice.after == {"rule": capped.rule_id, "cap": 20, "window_seconds": 600}
    # And the ticket is what the last recorded change says it is
    updates = Event.objects.filter(target_type="ticket", target_id=ticket.pk, verb="ticket.updated")
    assert updates.count() == 21  # the agent's change and 20 by rules
    ticket.refresh_from_db()
    assert ticket.priority == updates.latest("id").after["priority"] == "high"
    assert updates.latest("id").id < notice.id


def test_the_cap_is_a_sliding_window(step, settings):
    settings.FRONTLINE_RULES_RUN_CAP = 3
    settings.FRONTLINE_RULES_RUN_WINDOW_SECONDS = 600
    trigger(
        "Every inbound message adds a note",
        {},
        [{"type": "add_tags", "tags": ["seen"]}],
        events=["message.inbound"],
    )
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))  # its first message is the first run
    for minute in (1, 2, 3):
        step(
            manila(2026, 9, 1, 10, minute),
            message_add,
            actor=None,
            ticket=ticket,
            direction="inbound",
            body_text="again",
        )
    assert [outcome for _, _, outcome in runs(ticket)] == ["matched", "matched", "matched", "capped"]
    # A capped run in the same window records no second notice
    step(
        manila(2026, 9, 1, 10, 4), message_add, actor=None, ticket=ticket, direction="inbound", body_text="x"
    )
    assert Event.objects.filter(target_id=ticket.pk, verb="rule.capped").count() == 1
    # Ten minutes after the first runs, there is room again
    step(
        manila(2026, 9, 1, 10, 11), message_add, actor=None, ticket=ticket, direction="inbound", body_text="y"
    )
    assert runs(ticket)[-1] == ("Every inbound message adds a note", "message.added", "matched")


# --- Automations


def test_pending_three_business_days_reminds_and_seven_solves_across_weekends(step, calendar):
    automation(
        "Remind after 3 business days",
        {
            "all": [
                {"field": "ticket.status", "op": "is", "value": "pending"},
                {"field": "ticket.status_business_hours", "op": "gte", "value": 27},
            ]
        },
        [
            {
                "type": "send_email",
                "body": "Dear {{ customer.salutation }} {{ customer.last_name }},\n"
                "we are waiting for your answer on #{{ ticket.id }} ({{ ticket.subject }}).",
            }
        ],
        calendar=calendar,
    )
    automation(
        "Solve after 7 business days",
        {
            "all": [
                {"field": "ticket.status", "op": "is", "value": "pending"},
                {"field": "ticket.status_business_hours", "op": "gte", "value": 63},
            ]
        },
        [
            {"type": "set_status", "value": "solved"},
            {"type": "add_note", "body": "Solved: no answer in 7 days."},
        ],
        calendar=calendar,
    )
    agent = staff(Role.AGENT)
    customer = CustomerFactory(salutation="Mr", last_name="Reyes")
    ticket = open_ticket(step, manila(2026, 9, 3, 9, 0), requester=customer, subject="Washer leaks")
    # Given the ticket waits on the customer from Thursday 15:00 (9-hour business days)
    step(manila(2026, 9, 3, 15, 0), ticket_update, actor=agent, ticket=ticket, status="pending")

    def sweep(at):
        return step(at, services.automations_run)

    def reminders():
        return list(
            Message.objects.filter(ticket=ticket, direction="outbound").values_list("body_text", flat=True)
        )

    # Thursday 3 h, Friday 9 h; the weekend does not count: Monday 09:00 is 12 business hours
    assert sweep(manila(2026, 9, 7, 9, 0)) == 0
    # Tuesday 14:50 is 26 h 50 min; Tuesday 15:00 is 27 h: remind, once
    assert sweep(manila(2026, 9, 8, 14, 50)) == 0
    assert sweep(manila(2026, 9, 8, 15, 0)) == 1
    assert sweep(manila(2026, 9, 8, 15, 10)) == 0
    assert reminders() == [f"Dear Mr Reyes,\nwe are waiting for your answer on #{ticket.pk} (Washer leaks)."]
    reminder = Message.objects.get(ticket=ticket, direction="outbound")
    assert (reminder.channel, reminder.author_user_id) == ("email", None)
    assert "<br>" in reminder.body_html
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"
    # 63 business hours: Thursday 3 + Friday 9 + 4 days of 9 + Friday 9 = 57; Monday 15:00 is 63
    assert sweep(manila(2026, 9, 14, 14, 50)) == 0
    assert sweep(manila(2026, 9, 14, 15, 0)) == 1
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solved_at) == ("solved", manila(2026, 9, 14, 15, 0))
    assert len(reminders()) == 1
    assert runs(ticket) == [
        ("Remind after 3 business days", "automation", "matched"),
        ("Solve after 7 business days", "automation", "matched"),
    ]


def test_an_automation_acts_again_after_the_status_changed_again(step):
    automation(
        "Nudge after a day pending",
        {
            "all": [
                {"field": "ticket.status", "op": "is", "value": "pending"},
                {"field": "ticket.status_hours", "op": "gte", "value": 24},
            ]
        },
        [{"type": "add_note", "body": "Nudged"}],
    )
    agent = staff(Role.AGENT)
    ticket = open_ticket(step, manila(2026, 9, 1, 9, 0))
    step(manila(2026, 9, 1, 10, 0), ticket_update, actor=agent, ticket=ticket, status="pending")
    assert step(manila(2026, 9, 2, 10, 0), services.automations_run) == 1
    assert step(manila(2026, 9, 3, 10, 0), services.automations_run) == 0
    # The customer answers (open) and the agent asks again (pending): a new stretch of pending
    step(
        manila(2026, 9, 3, 11, 0), message_add, actor=None, ticket=ticket, direction="inbound", body_text="ok"
    )
    step(manila(2026, 9, 3, 12, 0), ticket_update, actor=agent, ticket=ticket, status="pending")
    assert step(manila(2026, 9, 4, 11, 0), services.automations_run) == 0
    assert step(manila(2026, 9, 4, 12, 0), services.automations_run) == 1
    assert Message.objects.filter(ticket=ticket, direction="note", body_text="Nudged").count() == 2


def test_automations_leave_closed_and_merged_tickets_alone(step):
    automation("Tag everything", {}, [{"type": "add_tags", "tags": ["swept"]}])
    agent = staff(Role.AGENT)
    open_one = open_ticket(step, manila(2026, 9, 1, 9, 0))
    closed = open_ticket(step, manila(2026, 9, 1, 9, 0))
    step(manila(2026, 9, 1, 9, 5), ticket_update, actor=agent, ticket=closed, status="solved")
    step(manila(2026, 9, 1, 9, 6), ticket_update, actor=agent, ticket=closed, status="closed")
    assert step(manila(2026, 9, 1, 10, 0), services.automations_run) == 1
    assert (tags(open_one), tags(closed)) == (["swept"], [])


def test_status_changed_at_follows_the_status():
    agent = staff(Role.AGENT)
    ticket = ticket_create(
        actor=None, requester=CustomerFactory(), subject="Aircon", created_at=manila(2026, 9, 1, 9, 0)
    )
    assert ticket.status_changed_at == manila(2026, 9, 1, 9, 0)
    ticket_update(actor=agent, ticket=ticket, priority="high", at=manila(2026, 9, 1, 9, 30))
    assert Ticket.objects.get(pk=ticket.pk).status_changed_at == manila(2026, 9, 1, 9, 0)
    ticket_update(actor=agent, ticket=ticket, status="pending", at=manila(2026, 9, 1, 10, 0))
    assert Ticket.objects.get(pk=ticket.pk).status_changed_at == manila(2026, 9, 1, 10, 0)
    message_add(
        actor=None,
        ticket=ticket,
        direction="inbound",
        body_text="Hi",
        created_at=manila(2026, 9, 1, 11, 0),
    )
    assert Ticket.objects.get(pk=ticket.pk).status_changed_at == manila(2026, 9, 1, 11, 0)


# --- Configuration


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "daily"}, "kind"),
        ({"events": []}, "events"),
        ({"events": ["ticket.created", "ticket.deleted"]}, "events[1]"),
        (
            {"conditions": {"all": [{"field": "ticket.status", "op": "is", "value": "lost"}]}},
            "conditions.all[0].value",
        ),
        (
            {
                "actions_json": [
                    {"type": "add_tags", "tags": ["ok"]},
                    {"type": "set_priority", "value": "asap"},
                ]
            },
            "actions[1].value",
        ),
        ({"actions_json": [{"type": "add_tags", "tags": ["no spaces allowed!"]}]}, "actions[0].tags"),
        ({"actions_json": [{"type": "assign", "user_id": -1 + 10**9}]}, "actions[0].user_id"),
        (
            {"actions_json": [{"type": "call_webhook", "subscription_id": 10**9}]},
            "actions[0].subscription_id",
        ),
        ({"actions_json": [{"type": "start_escalation", "chain_id": 10**9}]}, "actions[0].chain_id"),
        (
            {"actions_json": [{"type": "add_note", "body": "{{ ticket.requester.user.password }}"}]},
            "actions[0].body",
        ),
        ({"actions_json": [{"type": "add_note", "body": "{% debug %}"}]}, "actions[0].body"),
        ({"actions_json": [{"type": "add_note", "body": "{{ ticket.subject|safe }}"}]}, "actions[0].body"),
        ({"actions_json": [{"type": "add_note", "body": "{{ ticket.subject|nosuch }}"}]}, "actions[0].body"),
        (
            {"conditions": {"all": [{"field": "business_hours.open", "op": "is", "value": True}]}},
            "calendar_id",
        ),
        ({"position": -1}, "position"),
    ],
)
def test_rules_are_checked_when_saved(kwargs, field):
    values = {
        "actor": None,
        "name": "Rule",
        "kind": "trigger",
        "events": ["ticket.created"],
        "actions_json": [{"type": "add_tags", "tags": ["ok"]}],
        **kwargs,
    }
    with pytest.raises(Invalid) as caught:
        services.rule_create(**values)
    assert caught.value.field == field
    assert not Rule.objects.exists()


def test_automations_refuse_changed_conditions():
    with pytest.raises(Invalid) as caught:
        automation(
            "Never",
            {
                "any": [
                    {"field": "ticket.status", "op": "is", "value": "open"},
                    {"field": "ticket.status", "op": "changed"},
                ]
            },
            [{"type": "add_tags", "tags": ["x"]}],
        )
    assert caught.value.field == "conditions.any[1].op"


def test_templates_show_facts_and_escape_them_in_html():
    from frontline.rules import rendering

    facts = {"customer.last_name": "<b>O'Brien</b>", "ticket.id": 7}
    source = "Dear {{ customer.last_name|default:'customer' }} ({{ ticket.id }})\nThanks"
    assert rendering.render_text(source, facts) == "Dear <b>O'Brien</b> (7)\nThanks"
    assert rendering.render_html(source, facts) == (
        "<p>Dear &lt;b&gt;O&#x27;Brien&lt;/b&gt; (7)<br>Thanks</p>"
    )
    assert rendering.render_text("Hi {{ customer.salutation|default:'there' }}", {}) == "Hi there"


def test_create_update_reorder_and_delete_record_events():
    first = trigger("First", {}, [{"type": "add_tags", "tags": ["a"]}])
    second = trigger("Second", {}, [{"type": "add_tags", "tags": ["b"]}])
    assert (first.position, second.position) == (0, 1)
    updated = services.rule_update(actor=None, rule=first, name="First!", is_active=False)
    assert (updated.name, updated.is_active) == ("First!", False)
    event = Event.objects.get(verb="rule.updated", target_id=first.pk)
    assert (event.before, event.after) == (
        {"is_active": True, "name": "First"},
        {"is_active": False, "name": "First!"},
    )
    ordered = services.rules_reorder(actor=None, kind="trigger", rule_ids=[second.pk, first.pk])
    assert [(rule.pk, rule.position) for rule in ordered] == [(second.pk, 0), (first.pk, 1)]
    with pytest.raises(Invalid) as caught:
        services.rules_reorder(actor=None, kind="trigger", rule_ids=[second.pk])
    assert caught.value.field == "rule_ids"
    second_id = second.pk
    services.rule_delete(actor=None, rule=second)
    assert list(Rule.objects.values_list("name", flat=True)) == ["First!"]
    assert Event.objects.filter(verb="rule.deleted", target_id=second_id).count() == 1


def test_a_deleted_rules_runs_stay_under_its_name(step):
    rule = trigger("Short-lived", {}, [{"type": "add_tags", "tags": ["x"]}])
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    services.rule_delete(actor=None, rule=rule)
    assert list(RuleRun.objects.filter(ticket=ticket).values_list("rule_id", "rule_name")) == [
        (None, "Short-lived")
    ]


def test_an_inactive_rule_does_not_run(step):
    rule = trigger("Off", {}, [{"type": "add_tags", "tags": ["x"]}])
    services.rule_update(actor=None, rule=rule, is_active=False)
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    assert (tags(ticket), runs(ticket)) == ([], [])


def test_the_listener_never_raises(step, monkeypatch, caplog):
    trigger("Any", {}, [{"type": "add_tags", "tags": ["x"]}])

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "rules_on_event", broken)
    ticket = open_ticket(step, manila(2026, 9, 1, 10, 0))
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert "rules did not run" in caplog.text


def test_the_periodic_task_sweeps_automations(step):
    from frontline.rules.tasks import automations_run_task

    automation("Tag everything", {}, [{"type": "add_tags", "tags": ["swept"]}])
    ticket = open_ticket(step, manila(2026, 9, 1, 9, 0))
    assert step(manila(2026, 9, 1, 9, 10), automations_run_task.call_local) == 1
    assert tags(ticket) == ["swept"]


@pytest.mark.django_db(transaction=True)
def test_the_cap_stops_a_loop_when_listeners_run_nested_as_in_production():
    """Outside a test transaction each commit runs its listeners at once, inside the rule run before it."""
    trigger(
        "Tag a",
        {"all": [{"field": "ticket.tags", "op": "not_contains", "value": "a"}]},
        [{"type": "remove_tags", "tags": ["b"]}, {"type": "add_tags", "tags": ["a"]}],
        events=["ticket.updated"],
    )
    trigger(
        "Tag b",
        {"all": [{"field": "ticket.tags", "op": "contains", "value": "a"}]},
        [{"type": "remove_tags", "tags": ["a"]}, {"type": "add_tags", "tags": ["b"]}],
        events=["ticket.updated"],
    )
    ticket = ticket_create(actor=None, requester=CustomerFactory(), subject="Aircon")
    ticket_update(actor=staff(Role.AGENT), ticket=ticket, priority="high")
    assert RuleRun.objects.filter(ticket=ticket, outcome="matched").count() == 20
    assert RuleRun.objects.filter(ticket=ticket, outcome="capped").exists()
    assert Event.objects.filter(target_id=ticket.pk, verb="rule.capped").count() == 1
    last = Event.objects.filter(target_type="ticket", target_id=ticket.pk, verb="ticket.updated").latest("id")
    assert tags(ticket) == last.after["tags"]
