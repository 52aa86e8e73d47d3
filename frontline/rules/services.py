"""Every write of rules, and running them: triggers on ticket events, automations on a schedule.

Triggers (`rules_on_event`, wired in `rules/signals.py`): for an event about a ticket, every active
trigger listening to it is evaluated in position order, each in its own transaction with the ticket
locked, on facts read afresh (so a rule sees what the rules before it changed). Automations
(`automations_run`, a periodic task) sweep the tickets that are not closed.

Every evaluation that got as far as the conditions is a RuleRun: matched (actions performed), skipped
(conditions did not hold; triggers only), capped or failed (an action raised: none of the rule's
actions is kept). Closed and merged tickets are left alone.

The run cap: a ticket may have at most FRONTLINE_RULES_RUN_CAP matched runs within the last
FRONTLINE_RULES_RUN_WINDOW_SECONDS. Rule actions record events that trigger rules again, so two
rules undoing each other loop; the cap stops them: the run over the cap is recorded as capped and
nothing is done, and the first capped run in a window also records a `rule.capped` event on the
ticket. A sliding window rather than a causal chain, because a loop can pass through a task or a
channel (an email, an escalation step) where a chain would be lost; the window only has to be
long enough for a loop to fill it and short enough that a busy ticket's legitimate runs do not.

An automation acts on a ticket once per state: a ticket it has matched (or failed on) since the
ticket's status last changed is skipped, so "pending for 3 business days: remind" reminds once per
stretch of pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import DomainError, Invalid
from frontline.events.models import Event
from frontline.events.services import event_record
from frontline.plans.models import PlanVersion
from frontline.rules import actions, logic, rendering, selectors
from frontline.rules.models import Rule, RuleRun
from frontline.sla.models import BusinessCalendarConfig
from frontline.tickets.models import Ticket
from frontline.tickets.services import normalize_tags

logger = logging.getLogger(__name__)

Outcome = RuleRun.Outcome
_UNSET: Any = object()


# --- Configuration


@dataclass(frozen=True)
class _Checked:
    events: list[str]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]


def rule_check(
    *,
    kind: str,
    events: Any,
    conditions: Any,
    actions_json: Any,
    calendar: BusinessCalendarConfig | None,
) -> _Checked:
    """The rule's parts, checked; Invalid names the offending path, e.g. `actions[2].value`."""
    if kind not in Rule.Kind.values:
        raise Invalid(f"kind is one of {', '.join(Rule.Kind.values)}", field="kind")
    try:
        checked_events = logic.parse_events(events, kind=kind)
        group = logic.parse_conditions(conditions)
        parsed = logic.parse_actions(actions_json, allowed=actions.AVAILABLE)
        for action in parsed:
            for key in logic.TEMPLATE_KEYS:
                if isinstance(action.params.get(key), str):
                    rendering.template_check(action.params[key], path=f"{action.path}.{key}")
    except logic.RuleError as exc:
        raise Invalid(exc.message, field=exc.path) from exc
    if kind == Rule.Kind.AUTOMATION:
        changed = _changed_conditions(conditions or {}, "conditions")
        if changed:
            raise Invalid("automations run without an event, so changed conditions never hold", field=changed)
    if calendar is None and "business_hours.open" in logic.fields_used(group):
        raise Invalid("business_hours.open needs the rule's calendar", field="calendar_id")
    for action in parsed:
        _check_references(action)
    return _Checked(
        events=checked_events,
        conditions={"all": (conditions or {}).get("all") or [], "any": (conditions or {}).get("any") or []},
        actions=[{"type": action.type, **action.params} for action in parsed],
    )


def _changed_conditions(group: dict[str, Any], path: str) -> str | None:
    """The path of the first `changed*` condition (already known to be well formed)."""
    for key in ("all", "any"):
        for index, item in enumerate(group.get(key) or []):
            where = f"{path}.{key}[{index}]"
            if "field" not in item:
                found = _changed_conditions(item, where)
                if found:
                    return found
            elif str(item.get("op", "")).startswith("changed"):
                return f"{where}.op"
    return None


def _check_references(action: logic.Action) -> None:
    """Ids an action names exist (they are checked again when it runs: they may go away)."""
    params, path = action.params, action.path
    if action.type == "assign":
        if params.get("user_id") is not None:
            actions.assignee_for_rule(params["user_id"], field=f"{path}.user_id")
        if params.get("team_id") is not None:
            actions.team_for_rule(params["team_id"], field=f"{path}.team_id")
    elif action.type in ("add_tags", "remove_tags"):
        try:
            normalize_tags(params["tags"])
        except Invalid as exc:
            raise Invalid(exc.message, field=f"{path}.tags") from exc
    elif action.type == "notify" and params["to"] == "user":
        if not User.objects.filter(pk=params["user_id"], is_active=True).exists():
            raise Invalid(f"user {params['user_id']} is not an active user", field=f"{path}.user_id")
    else:
        actions.check_reference(action)


def _snapshot(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "kind": rule.kind,
        "events": rule.events,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "position": rule.position,
        "is_active": rule.is_active,
        "plan_version": rule.plan_version_id,
        "calendar": rule.calendar_id,
    }


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    if len(name) > 120:
        raise Invalid("the name is longer than 120 characters", field="name")
    return name


@transaction.atomic
def rule_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    actions_json: list[Any],
    events: list[str] | None = None,
    conditions: dict[str, Any] | None = None,
    description: str = "",
    position: int | None = None,
    is_active: bool = True,
    plan_version: PlanVersion | None = None,
    calendar: BusinessCalendarConfig | None = None,
) -> Rule:
    """A rule, checked; without a position it goes after the others of its kind."""
    name = _name(name)
    checked = rule_check(
        kind=kind, events=events or [], conditions=conditions, actions_json=actions_json, calendar=calendar
    )
    if position is None:
        last = Rule.objects.filter(kind=kind).order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    elif position < 0:
        raise Invalid("the position is zero or more", field="position")
    rule = Rule.objects.create(
        name=name,
        description=description,
        kind=kind,
        events=checked.events,
        conditions=checked.conditions,
        actions=checked.actions,
        position=position,
        is_active=is_active,
        plan_version=plan_version,
        calendar=calendar,
        created_by=actor,
    )
    event_record(actor=actor, verb="rule.created", target=rule, after=_snapshot(rule))
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: User | None,
    rule: Rule,
    name: str | None = None,
    description: str | None = None,
    events: list[str] | None = None,
    conditions: dict[str, Any] | None = None,
    actions_json: list[Any] | None = None,
    position: int | None = None,
    is_active: bool | None = None,
    plan_version: PlanVersion | None = _UNSET,
    calendar: BusinessCalendarConfig | None = _UNSET,
) -> Rule:
    """Change a rule; the whole rule is checked again. The kind never changes."""
    rule = Rule.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=rule.pk)
    before = _snapshot(rule)
    new_calendar = rule.calendar if calendar is _UNSET else calendar
    checked = rule_check(
        kind=rule.kind,
        events=rule.events if events is None else events,
        conditions=rule.conditions if conditions is None else conditions,
        actions_json=rule.actions if actions_json is None else actions_json,
        calendar=new_calendar,
    )
    if name is not None:
        rule.name = _name(name)
    if description is not None:
        rule.description = description
    if position is not None:
        if position < 0:
            raise Invalid("the position is zero or more", field="position")
        rule.position = position
    if is_active is not None:
        rule.is_active = is_active
    if plan_version is not _UNSET:
        rule.plan_version = plan_version
    rule.calendar = new_calendar
    rule.events, rule.conditions, rule.actions = checked.events, checked.conditions, checked.actions
    after = _snapshot(rule)
    changed = {key for key in after if after[key] != before[key]}
    if not changed:
        return rule
    rule.save()
    event_record(
        actor=actor,
        verb="rule.updated",
        target=rule,
        before={key: before[key] for key in sorted(changed)},
        after={key: after[key] for key in sorted(changed)},
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: User | None, rule: Rule) -> None:
    """Delete a rule; its runs stay, under the rule's name."""
    event_record(actor=actor, verb="rule.deleted", target=rule, before=_snapshot(rule))
    rule.delete()


@transaction.atomic
def rules_reorder(*, actor: User | None, kind: str, rule_ids: list[int]) -> list[Rule]:
    """Put every rule of a kind in the given order (positions 0, 1, 2, ...)."""
    if kind not in Rule.Kind.values:
        raise Invalid(f"kind is one of {', '.join(Rule.Kind.values)}", field="kind")
    rules = {rule.pk: rule for rule in Rule.objects.select_for_update(of=("self",)).filter(kind=kind)}
    if len(set(rule_ids)) != len(rule_ids) or set(rule_ids) != set(rules):
        raise Invalid(f"give the id of every {kind} rule exactly once", field="rule_ids")
    ordered = []
    for position, rule_id in enumerate(rule_ids):
        rule = rules[rule_id]
        if rule.position != position:
            event_record(
                actor=actor,
                verb="rule.moved",
                target=rule,
                before={"position": rule.position},
                after={"position": position},
            )
            rule.position = position
            rule.save(update_fields=["position", "updated_at"])
        ordered.append(rule)
    return ordered


# --- Running rules


def _cap() -> tuple[int, timedelta]:
    return (
        int(getattr(settings, "FRONTLINE_RULES_RUN_CAP", 20)),
        timedelta(seconds=int(getattr(settings, "FRONTLINE_RULES_RUN_WINDOW_SECONDS", 600))),
    )


@dataclass(frozen=True)
class _Trigger:
    """Why a rule is being run on a ticket."""

    event_id: int | None
    verb: str
    event_name: str | None
    message_id: object
    changes: dict[str, tuple[Any, Any]]


def _run_one(
    *, rule: Rule, ticket_id: int, trigger: _Trigger, now: datetime, segments: bool
) -> RuleRun | None:
    """Evaluate one rule on one ticket in its own transaction; None when there was nothing to run.

    Automations record only what matched (a sweep evaluates many tickets whose time has not come);
    triggers record skipped runs too, so "why did my trigger not fire" has an answer.
    """
    is_automation = rule.kind == Rule.Kind.AUTOMATION
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("requester__organization", "team")
            .filter(pk=ticket_id, merged_into__isnull=True)
            .first()
        )
        if ticket is None or ticket.status == Ticket.Status.CLOSED:
            return None
        if is_automation and _handled(rule, ticket):
            return None  # a concurrent sweep got there first
        facts = selectors.ticket_facts(
            ticket=ticket,
            now=now,
            event_name=trigger.event_name,
            message_id=trigger.message_id,
            with_segments=segments,
        )
        facts = selectors.calendar_facts(facts=facts, ticket=ticket, now=now, calendar=rule.calendar)
        run = RuleRun(
            rule=rule,
            rule_name=rule.name,
            ticket=ticket,
            event_id=trigger.event_id,
            trigger=trigger.verb,
            at=now,
        )
        if not logic.evaluate(logic.parse_conditions(rule.conditions), facts, trigger.changes):
            if is_automation:
                return None
            run.outcome = Outcome.SKIPPED
            run.save()
            return run
        cap, window = _cap()
        since = now - window
        if selectors.rule_run_count_recent(ticket_id=ticket.pk, since=since, outcome=Outcome.MATCHED) >= cap:
            if not selectors.rule_run_count_recent(ticket_id=ticket.pk, since=since, outcome=Outcome.CAPPED):
                event_record(
                    actor=None,
                    verb="rule.capped",
                    target=ticket,
                    at=now,
                    after={"rule": rule.pk, "cap": cap, "window_seconds": int(window.total_seconds())},
                )
            run.outcome = Outcome.CAPPED
            run.error = f"{cap} runs within {int(window.total_seconds())} seconds: the run cap was reached"
            run.save()
            return run
        cause = f"event{trigger.event_id}" if trigger.event_id else f"at{int(now.timestamp())}"
        run_key = f"rule{rule.pk}-{cause}-ticket{ticket.pk}"
        try:
            with transaction.atomic():
                performed = actions.perform(
                    context=actions.Context(rule=rule, ticket=ticket, facts=facts, now=now, run_key=run_key)
                )
        except Exception as exc:  # any failure: the rule's actions are rolled back, the run says why
            if not isinstance(exc, DomainError | logic.RuleError):
                logger.exception("rule %s failed on ticket %s", rule.pk, ticket.pk)
            run.outcome = Outcome.FAILED
            run.error = str(getattr(exc, "message", None) or exc)[:2000]
            run.save()
            return run
        run.outcome = Outcome.MATCHED
        run.actions = performed
        run.save()
        return run


def _ticket_of(event: Event) -> int | None:
    if event.target_type == "ticket":
        return event.target_id
    ticket = event.after.get("ticket") if isinstance(event.after, dict) else None
    return ticket if isinstance(ticket, int) and not isinstance(ticket, bool) else None


def rules_on_event(*, event: Event) -> list[RuleRun]:
    """Run the active triggers listening to `event` on its ticket, in position order."""
    names = logic.rule_events_for(event.verb, event.after)
    if not names:
        return []
    ticket_id = _ticket_of(event)
    if ticket_id is None:
        return []
    rules = [rule for rule in selectors.rule_list_active(kind=Rule.Kind.TRIGGER) if names & set(rule.events)]
    if not rules:
        return []
    plan_version_id = (
        Ticket.objects.filter(pk=ticket_id).values_list("plan_version_id", flat=True).first()
        if any(rule.plan_version_id for rule in rules)
        else None
    )
    trigger = _Trigger(
        event_id=event.pk,
        verb=event.verb,
        event_name="ticket.updated" if "ticket.updated" in names else event.verb,
        message_id=event.after.get("message"),
        changes=logic.changes_of(event.verb, event.before, event.after),
    )
    segments = selectors.uses_segments(rules)
    runs = []
    for rule in rules:
        if rule.plan_version_id is not None and rule.plan_version_id != plan_version_id:
            continue
        run = _run_one(rule=rule, ticket_id=ticket_id, trigger=trigger, now=timezone.now(), segments=segments)
        if run is not None:
            runs.append(run)
    return runs


def _handled(rule: Rule, ticket: Ticket) -> bool:
    since = selectors.status_since(ticket)
    return RuleRun.objects.filter(
        rule=rule, ticket=ticket, outcome__in=(Outcome.MATCHED, Outcome.FAILED), at__gte=since
    ).exists()


def _candidates(rule: Rule, group: logic.Group, now: datetime) -> QuerySet[Ticket]:
    """Tickets the automation may act on, narrowed in the database by what its `all` conditions allow."""
    tickets = Ticket.objects.filter(merged_into__isnull=True).exclude(status=Ticket.Status.CLOSED)
    if rule.plan_version_id is not None:
        tickets = tickets.filter(plan_version_id=rule.plan_version_id)
    tickets = tickets.annotate(status_since=Coalesce(F("status_changed_at"), F("created_at")))
    for item in group.all:
        if not isinstance(item, logic.Condition):
            continue
        value = item.value
        if item.field == "ticket.status" and item.op == "is":
            tickets = tickets.filter(status=value)
        elif item.field == "ticket.status" and item.op == "in" and isinstance(value, tuple):
            tickets = tickets.filter(status__in=value)
        elif item.op in ("gt", "gte") and isinstance(value, int | float) and not isinstance(value, bool):
            ago = now - timedelta(hours=value)
            if item.field in ("ticket.status_hours", "ticket.status_business_hours"):
                # Business time never exceeds calendar time: the status changed at least this long ago.
                tickets = tickets.filter(status_since__lte=ago)
            elif item.field == "ticket.age_hours":
                tickets = tickets.filter(created_at__lte=ago)
    handled = RuleRun.objects.filter(
        rule=rule,
        ticket=OuterRef("pk"),
        outcome__in=(Outcome.MATCHED, Outcome.FAILED),
        at__gte=OuterRef("status_since"),
    )
    return tickets.filter(~Exists(handled))


def automation_run(*, rule: Rule, now: datetime | None = None, batch_size: int = 200) -> list[RuleRun]:
    """Run one automation over the tickets that may match, in batches of ticket ids."""
    at = now or timezone.now()
    group = logic.parse_conditions(rule.conditions)
    candidates = _candidates(rule, group, at)
    segments = selectors.uses_segments([rule])
    trigger = _Trigger(event_id=None, verb="automation", event_name=None, message_id=None, changes={})
    runs = []
    last_id = 0
    while True:
        batch = list(
            candidates.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1]
        for ticket_id in batch:
            run = _run_one(rule=rule, ticket_id=ticket_id, trigger=trigger, now=at, segments=segments)
            if run is not None:
                runs.append(run)
    return runs


def automations_run(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Run every active automation in position order; returns how many runs were recorded."""
    at = now or timezone.now()
    count = 0
    for rule in selectors.rule_list_active(kind=Rule.Kind.AUTOMATION):
        try:
            count += len(automation_run(rule=rule, now=at, batch_size=batch_size))
        except Exception:  # one broken automation must not stop the others
            logger.exception("automation %s did not run", rule.pk)
    return count
