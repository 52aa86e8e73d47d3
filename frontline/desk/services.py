"""Writes the desk needs beyond one ticket service call: bulk changes, all or nothing."""

from __future__ import annotations

from django.db import transaction

from frontline.accounts.models import User
from frontline.core.errors import Invalid
from frontline.tickets.models import Ticket
from frontline.tickets.services import normalize_tags, ticket_update

BULK_ACTIONS = ("assign", "status", "tag")


@transaction.atomic
def ticket_bulk_update(
    *,
    actor: User,
    tickets: list[Ticket],
    action: str,
    assignee: User | None = None,
    status: str = "",
    tag: str = "",
) -> list[Ticket]:
    """Assign, set the status of, or tag every ticket through `ticket_update`; one failure changes none."""
    if not tickets:
        raise Invalid("select at least one ticket", field="ticket_ids")
    if action not in BULK_ACTIONS:
        raise Invalid(f"action must be one of {', '.join(BULK_ACTIONS)}", field="action")
    if action == "status" and status not in Ticket.Status.values:
        raise Invalid(f"status must be one of {', '.join(Ticket.Status.values)}", field="status")
    names = normalize_tags([tag]) if action == "tag" else []
    if action == "tag" and not names:
        raise Invalid("give a tag", field="tag")
    changed = []
    for ticket in tickets:
        if action == "assign":
            changed.append(ticket_update(actor=actor, ticket=ticket, assignee=assignee))
        elif action == "status":
            changed.append(ticket_update(actor=actor, ticket=ticket, status=status))
        else:
            current = list(ticket.tags.values_list("name", flat=True))
            changed.append(ticket_update(actor=actor, ticket=ticket, tags=[*current, *names]))
    return changed
