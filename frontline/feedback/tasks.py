"""Background tasks of feedback: thin, they call services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from frontline.feedback import services
from frontline.tickets.models import Ticket


@db_task()
def csat_send_task(ticket_id: int) -> int | None:
    """Send the CSAT survey of a solved ticket (nothing if its plan does not ask, or it was sent)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return None
    invitation = services.csat_send(ticket=ticket)
    return invitation.pk if invitation is not None else None
