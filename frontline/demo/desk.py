"""The demo desk as an agent finds it in the morning: SLA clocks counting down on the open tickets,
and a few notifications in the bell (mentions in internal notes)."""

from __future__ import annotations

from django.db import transaction

from frontline.accounts.models import User
from frontline.desk.selectors import ticket_visible_to
from frontline.desk.services import note_add
from frontline.sla.services import sla_start
from frontline.tickets.models import Ticket

OPEN = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING, Ticket.Status.ON_HOLD)
#: Notes from colleagues (author, who is mentioned, text) that ring the demo logins' bells.
MENTIONS = (
    ("agent2", "agent1", "@agent1 she called again about this one: can you take it? She prefers Tagalog."),
    (
        "agent3",
        "supervisor1",
        "@supervisor1 third complaint from this customer this month; a credit above my limit?",
    ),
    ("agent1", "supervisor1", "@supervisor1 FYI the technician visit slipped to Thursday."),
)


@transaction.atomic
def desk_demo_setup() -> dict[str, int]:
    """Start the SLA clocks of the open tickets (the policies come after the history) and leave notes
    that ring the bells of agent1 and supervisor1. Returns how many clocks and notes were added."""
    clocks = 0
    for open_ticket in Ticket.objects.filter(status__in=OPEN).order_by("id"):
        clocks += len(sla_start(ticket=open_ticket))
    notes = 0
    used: set[int] = set()
    for author, mentioned, body in MENTIONS:
        actor = User.objects.filter(username=author).first()
        reader = User.objects.filter(username=mentioned).first()
        if actor is None or reader is None:
            continue
        ticket = next(
            (
                t
                for t in Ticket.objects.filter(status__in=OPEN)
                .exclude(pk__in=used)
                .order_by("-updated_at")[:50]
                if ticket_visible_to(user=actor, ticket_id=t.pk)
                and ticket_visible_to(user=reader, ticket_id=t.pk)
            ),
            None,
        )
        if ticket is not None:
            note_add(actor=actor, ticket=ticket, body=body)
            used.add(ticket.pk)
            notes += 1
    return {"clocks": clocks, "notes": notes}
