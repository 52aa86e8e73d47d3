"""Performing a rule's actions on a ticket, each through the service that owns the change.

Every action acts as the system (actor None), so the events it records say "system"; those events
reach the trigger engine again, which is why the run cap exists (`rules/services.py`). Callers hold
a transaction: when one action fails, none of the rule's actions is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontline.accounts.models import Team, User
from frontline.accounts.selectors import user_role
from frontline.core.errors import Invalid
from frontline.escalations.models import EscalationChain
from frontline.escalations.services import escalation_start
from frontline.notifications.models import Notification
from frontline.notifications.services import notify
from frontline.rules import logic, rendering
from frontline.rules.models import Rule
from frontline.tickets.models import Channel, Message, Ticket
from frontline.tickets.services import message_add, normalize_tags, ticket_update
from frontline.webhooks.models import WebhookSubscription
from frontline.webhooks.services import webhook_enqueue


@dataclass(frozen=True)
class Context:
    """What an action may use: the rule, the ticket as it is now, the facts the rule matched on."""

    rule: Rule
    ticket: Ticket
    facts: Mapping[str, Any]
    now: datetime
    run_key: str
    """Identifies this run (at most 64 characters), e.g. `rule7-event91-ticket12`: idempotent deliveries."""


Performed = dict[str, Any]


def perform(*, context: Context) -> list[Performed]:
    """Perform every action in order; returns what each did (for the run's record)."""
    performed = []
    ticket = context.ticket
    for action in logic.parse_actions(context.rule.actions):
        ticket = Ticket.objects.select_related("team", "assignee").get(pk=ticket.pk)
        step = Context(
            rule=context.rule, ticket=ticket, facts=context.facts, now=context.now, run_key=context.run_key
        )
        performed.append({"type": action.type, **_PERFORMERS[action.type](action.params, step, action.path)})
    return performed


def _set_status(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    before = context.ticket.status
    ticket_update(actor=None, ticket=context.ticket, status=params["value"], at=context.now)
    return {"value": params["value"], "changed": before != params["value"]}


def _set_priority(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    before = context.ticket.priority
    ticket_update(actor=None, ticket=context.ticket, priority=params["value"], at=context.now)
    return {"value": params["value"], "changed": before != params["value"]}


def assignee_for_rule(user_id: int, *, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user_role(user) is None:
        raise Invalid(f"user {user_id} is not an active staff member", field=field)
    return user


def team_for_rule(team_id: int, *, field: str) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Invalid(f"team {team_id} does not exist", field=field)
    return team


def _assign(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    values: dict[str, Any] = {}
    if "team_id" in params:
        team_id = params["team_id"]
        values["team"] = team_for_rule(team_id, field=f"{path}.team_id") if team_id is not None else None
    if "user_id" in params:
        user_id = params["user_id"]
        values["assignee"] = (
            assignee_for_rule(user_id, field=f"{path}.user_id") if user_id is not None else None
        )
    ticket_update(actor=None, ticket=context.ticket, at=context.now, **values)
    return {key: params[key] for key in ("team_id", "user_id") if key in params}


def _current_tags(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def _add_tags(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    current = _current_tags(context.ticket)
    added = [name for name in normalize_tags(params["tags"]) if name not in current]
    if added:
        ticket_update(actor=None, ticket=context.ticket, tags=[*current, *added], at=context.now)
    return {"tags": added}


def _remove_tags(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    current = _current_tags(context.ticket)
    removing = set(normalize_tags(params["tags"]))
    removed = [name for name in current if name in removing]
    if removed:
        kept = [name for name in current if name not in removing]
        ticket_update(actor=None, ticket=context.ticket, tags=kept, at=context.now)
    return {"tags": removed}


def _add_note(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    message = message_add(
        actor=None,
        ticket=context.ticket,
        direction=Message.Direction.NOTE,
        body_text=rendering.render_text(params["body"], context.facts),
        created_at=context.now,
        wake=False,
    )
    return {"message": message.pk}


def _send_email(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    """An outbound email message to the requester; the email connector sends it once committed."""
    message = message_add(
        actor=None,
        ticket=context.ticket,
        direction=Message.Direction.OUTBOUND,
        channel=Channel.EMAIL,
        body_text=rendering.render_text(params["body"], context.facts),
        body_html=rendering.render_html(params["body"], context.facts),
        created_at=context.now,
        wake=False,
    )
    return {"message": message.pk}


def _notify(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    ticket = context.ticket
    user: User | None
    if params["to"] == "user":
        user = User.objects.filter(pk=params["user_id"], is_active=True).first()
        if user is None:
            raise Invalid(f"user {params['user_id']} is not active", field=f"{path}.user_id")
    elif params["to"] == "assignee":
        user = ticket.assignee
    else:
        user = ticket.team.lead if ticket.team is not None else None
    if user is None or not user.is_active:
        return {"to": params["to"], "skipped": f"the ticket has no {params['to'].replace('_', ' ')}"}
    notification = notify(
        user=user,
        title=rendering.render_text(params["title"], context.facts),
        body=rendering.render_text(params.get("body", ""), context.facts),
        ticket=ticket,
        urgent=bool(params.get("urgent", False)),
        kind=Notification.Kind.RULE,
        actor=None,
        at=context.now,
    )
    return {"to": params["to"], "user": user.pk, "notification": notification.pk}


def _subscription(subscription_id: int, *, field: str) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise Invalid(f"webhook subscription {subscription_id} does not exist", field=field)
    return subscription


def _chain(chain_id: int, *, field: str) -> EscalationChain:
    chain = EscalationChain.objects.filter(pk=chain_id).first()
    if chain is None:
        raise Invalid(f"escalation chain {chain_id} does not exist", field=field)
    return chain


def _call_webhook(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    """A signed delivery of the rule and the ticket's facts; the run key makes a repeat a no-op."""
    subscription = _subscription(params["subscription_id"], field=f"{path}.subscription_id")
    nested = logic.nest(context.facts)
    delivery = webhook_enqueue(
        subscription=subscription,
        event_type="rule.matched",
        payload={
            "rule": {"id": context.rule.pk, "name": context.rule.name},
            "ticket": nested.get("ticket", {}),
            "customer": nested.get("customer", {}),
            "event": nested.get("event", {}),
        },
        event_id=context.run_key,
    )
    return {"subscription": subscription.pk, "delivery": delivery.pk}


def _start_escalation(params: Mapping[str, Any], context: Context, path: str) -> Performed:
    chain = _chain(params["chain_id"], field=f"{path}.chain_id")
    run = escalation_start(
        ticket=context.ticket,
        chain=chain,
        trigger=EscalationChain.Trigger.MANUAL,
        actor=None,
        at=context.now,
        reason=f"rule {context.rule.name}"[:200],
    )
    return {"chain": chain.pk, "escalation": run.pk}


def check_reference(action: logic.Action) -> None:
    """Raise Invalid (at the action's path) when a webhook or chain the action names does not exist."""
    if action.type == "call_webhook":
        _subscription(action.params["subscription_id"], field=f"{action.path}.subscription_id")
    elif action.type == "start_escalation":
        _chain(action.params["chain_id"], field=f"{action.path}.chain_id")


Performer = Callable[[Mapping[str, Any], Context, str], Performed]

_PERFORMERS: dict[str, Performer] = {
    "set_status": _set_status,
    "set_priority": _set_priority,
    "assign": _assign,
    "add_tags": _add_tags,
    "remove_tags": _remove_tags,
    "add_note": _add_note,
    "send_email": _send_email,
    "notify": _notify,
    "call_webhook": _call_webhook,
    "start_escalation": _start_escalation,
}

#: The action types this installation can perform (the others are refused when a rule is saved).
AVAILABLE = tuple(kind for kind in logic.ACTION_TYPES if kind in _PERFORMERS)
