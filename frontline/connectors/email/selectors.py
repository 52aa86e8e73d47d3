from __future__ import annotations

from django.db.models import Count

from frontline.connectors.email.models import InboundEmail, OutboundEmail


def email_health() -> dict[str, int]:
    """Counts an operator watches: quarantined and waiting inbound mail, queued and failed outbound mail."""
    inbound = dict(
        InboundEmail.objects.filter(
            status__in=[InboundEmail.Status.QUARANTINED, InboundEmail.Status.RECEIVED]
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    outbound = dict(
        OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "quarantined": inbound.get(InboundEmail.Status.QUARANTINED, 0),
        "waiting": inbound.get(InboundEmail.Status.RECEIVED, 0),
        "outbox_queued": outbound.get(OutboundEmail.Status.QUEUED, 0),
        "outbox_failed": outbound.get(OutboundEmail.Status.FAILED, 0),
    }
