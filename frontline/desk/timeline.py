"""A ticket's activity in words: assignment, status, SLA, escalations, complaints and remedies.

Read from the event log (`events.Event` rows whose target is the ticket), in the reader's language.
Messages are not repeated here: the thread shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from frontline.accounts.models import Team, User
from frontline.desk.labels import ESCALATION_ACTIONS, priority_label, status_label
from frontline.events.models import Event
from frontline.sla.models import SlaClock
from frontline.tickets.models import Ticket

#: The timeline shows the ticket's latest this many events.
TIMELINE_LIMIT = 100
SHOWN_VERBS = (
    "ticket.created",
    "ticket.updated",
    "ticket.status_changed",
    "ticket.reopened",
    "ticket.merged",
    "ticket.merge_received",
    "ticket.split",
    "sla.clock_started",
    "sla.at_risk",
    "sla.breached",
    "sla.met",
    "sla.paused",
    "sla.resumed",
    "escalation.started",
    "escalation.step_done",
    "escalation.completed",
    "escalation.cancelled",
    "complaint.marked",
    "complaint.updated",
    "remedy.issued",
    "remedy.approval_requested",
    "remedy.approved",
    "remedy.rejected",
    "remedy.reversed",
)


@dataclass(frozen=True)
class Activity:
    at: datetime
    kind: str  # status, assignment, sla, sla-breach, escalation, remedy, other (the dot's colour)
    text: str


def _metric(after: dict[str, Any]) -> str:
    return str(dict(SlaClock.Metric.choices).get(after.get("metric", ""), _("SLA target")))


def _step(after: dict[str, Any]) -> str:
    return str(ESCALATION_ACTIONS.get(after.get("action", ""), _("another step")))


def activity_list_for_ticket(*, ticket: Ticket) -> list[Activity]:
    """The ticket's latest activity, newest first (the caller has checked the ticket may be seen)."""
    events = list(
        Event.objects.filter(target_type="ticket", target_id=ticket.pk, verb__in=SHOWN_VERBS).order_by("-id")[
            :TIMELINE_LIMIT
        ]
    )
    user_ids = {e.actor_id for e in events if e.actor_id} | {
        e.after.get("assignee") for e in events if isinstance(e.after.get("assignee"), int)
    }
    team_ids = {e.after.get("team") for e in events if isinstance(e.after.get("team"), int)}
    names = {u.pk: u.get_full_name() or u.get_username() for u in User.objects.filter(pk__in=user_ids)}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    out: list[Activity] = []
    for event in events:
        who = names.get(event.actor_id or 0) or _("The system")
        for kind, text in _describe(event, who, names, teams):
            out.append(Activity(at=event.occurred_at, kind=kind, text=text))
    return out


def _describe(event: Event, who: str, names: dict[int, str], teams: dict[int, str]) -> list[tuple[str, str]]:
    after, verb = event.after, event.verb
    if verb == "ticket.created":
        return [("status", _("%(who)s opened the ticket.") % {"who": who})]
    if verb == "ticket.updated":
        return _describe_update(after, who, names, teams)
    if verb == "ticket.status_changed":
        return [
            ("status", _("The status became %(status)s.") % {"status": status_label(after.get("status", ""))})
        ]
    if verb == "ticket.reopened":
        return [("status", _("%(who)s reopened the ticket.") % {"who": who})]
    if verb == "ticket.merged":
        return [
            (
                "status",
                _("%(who)s merged this ticket into #%(id)s.") % {"who": who, "id": after.get("merged_into")},
            )
        ]
    if verb == "ticket.merge_received":
        return [("status", _("%(who)s merged another ticket into this one.") % {"who": who})]
    if verb == "ticket.split":
        return [("status", _("%(who)s split messages off into another ticket.") % {"who": who})]
    if verb.startswith("sla."):
        return [_describe_sla(verb, after)]
    if verb.startswith("escalation."):
        return [_describe_escalation(verb, after)]
    if verb.startswith(("complaint.", "remedy.")):
        return [("remedy", _describe_remedy(verb, after, who))]
    return []


def _describe_update(
    after: dict[str, Any], who: str, names: dict[int, str], teams: dict[int, str]
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if "status" in after:
        lines.append(
            (
                "status",
                _("%(who)s set the status to %(status)s.")
                % {"who": who, "status": status_label(after["status"])},
            )
        )
    if "assignee" in after:
        if after["assignee"]:
            name = names.get(after["assignee"], _("someone no longer on staff"))
            lines.append(
                ("assignment", _("%(who)s assigned the ticket to %(name)s.") % {"who": who, "name": name})
            )
        else:
            lines.append(("assignment", _("%(who)s unassigned the ticket.") % {"who": who}))
    if "team" in after:
        if after["team"]:
            team = teams.get(after["team"], _("a team that was removed"))
            lines.append(
                ("assignment", _("%(who)s moved the ticket to %(team)s.") % {"who": who, "team": team})
            )
        else:
            lines.append(("assignment", _("%(who)s took the ticket out of its team.") % {"who": who}))
    if "priority" in after:
        lines.append(
            (
                "status",
                _("%(who)s set the priority to %(priority)s.")
                % {"who": who, "priority": priority_label(after["priority"])},
            )
        )
    if "tags" in after:
        tags = ", ".join(after["tags"]) or _("none")
        lines.append(("other", _("%(who)s set the tags: %(tags)s.") % {"who": who, "tags": tags}))
    if "subject" in after:
        lines.append(("other", _("%(who)s changed the subject.") % {"who": who}))
    return lines


def _describe_sla(verb: str, after: dict[str, Any]) -> tuple[str, str]:
    metric = _metric(after)
    texts = {
        "sla.clock_started": _("%(metric)s target started: %(minutes)s min."),
        "sla.at_risk": _("%(metric)s target at risk."),
        "sla.breached": _("%(metric)s target breached."),
        "sla.met": _("%(metric)s target met."),
        "sla.paused": _("%(metric)s clock paused."),
        "sla.resumed": _("%(metric)s clock resumed."),
    }
    kind = "sla-breach" if verb == "sla.breached" else "sla"
    return kind, texts[verb] % {"metric": metric, "minutes": after.get("target_minutes", "?")}


def _describe_escalation(verb: str, after: dict[str, Any]) -> tuple[str, str]:
    chain = after.get("chain_name", "")
    if verb == "escalation.started":
        return "escalation", _("Escalation “%(chain)s” started.") % {"chain": chain}
    if verb == "escalation.step_done":
        return "escalation", _("Escalation “%(chain)s”, step %(step)s: %(action)s.") % {
            "chain": chain,
            "step": after.get("step", "?"),
            "action": _step(after),
        }
    if verb == "escalation.completed":
        return "escalation", _("Escalation “%(chain)s” completed.") % {"chain": chain}
    return "escalation", _("Escalation “%(chain)s” stopped.") % {"chain": chain}


def _describe_remedy(verb: str, after: dict[str, Any], who: str) -> str:
    amount = f"{after.get('amount', '')} {after.get('currency', '')}".strip()
    texts = {
        "complaint.marked": _("%(who)s marked the ticket as a complaint."),
        "complaint.updated": _("%(who)s updated the complaint."),
        "remedy.issued": _("%(who)s issued a remedy: %(amount)s."),
        "remedy.approval_requested": _("%(who)s asked for approval of a remedy: %(amount)s."),
        "remedy.approved": _("%(who)s approved a remedy: %(amount)s."),
        "remedy.rejected": _("%(who)s rejected a remedy: %(amount)s."),
        "remedy.reversed": _("%(who)s reversed a remedy: %(amount)s."),
    }
    return texts[verb] % {"who": who, "amount": amount}
