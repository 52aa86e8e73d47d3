"""The email quarantine on the desk: mail that could not become a ticket, for admins to act on.

Thin views over `frontline.connectors.email` selectors and services: "Retry" processes the mail
again (after a fix, or now that the cause is gone); "Make a ticket anyway" opens a ticket with
what can be read of it and the raw message attached.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontline.accounts.principal import Principal
from frontline.connectors.email import selectors as email_selectors
from frontline.connectors.email import services as email_services
from frontline.connectors.email.models import InboundEmail
from frontline.core.errors import DomainError
from frontline.desk.views import _base_context, desk_view


@require_GET
@desk_view(admin=True)
def quarantine(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    rows = email_selectors.inbound_list_quarantined(principal=principal)
    return render(request, "desk/quarantine.html", {**_base_context(request, principal), "rows": rows})


@require_POST
@desk_view(admin=True)
def quarantine_retry(request: HttpRequest, principal: Principal, inbound_id: int) -> HttpResponseBase:
    inbound = email_selectors.inbound_get_quarantined(principal=principal, inbound_id=inbound_id)
    done = email_services.inbound_reprocess(actor=principal.user, inbound=inbound)
    if done.status == InboundEmail.Status.QUARANTINED:
        messages.error(
            request, _("Mail #%(id)s is still quarantined: %(reason)s") % {"id": done.pk, "reason": done.note}
        )
    elif done.ticket_id is not None:
        messages.success(
            request, _("Mail #%(id)s is on ticket #%(ticket)s.") % {"id": done.pk, "ticket": done.ticket_id}
        )
    else:
        messages.success(
            request, _("Mail #%(id)s was processed: %(note)s") % {"id": done.pk, "note": done.note}
        )
    return HttpResponseRedirect(reverse("desk:quarantine"))


@require_POST
@desk_view(admin=True)
def quarantine_ticket(request: HttpRequest, principal: Principal, inbound_id: int) -> HttpResponseBase:
    inbound = email_selectors.inbound_get_quarantined(principal=principal, inbound_id=inbound_id)
    try:
        done = email_services.inbound_ticket_anyway(
            actor=principal.user, inbound=inbound, sender=request.POST.get("sender", "")[:254]
        )
    except DomainError as exc:
        messages.error(request, _("Mail #%(id)s: %(reason)s") % {"id": inbound.pk, "reason": exc.message})
        return HttpResponseRedirect(reverse("desk:quarantine"))
    messages.success(
        request,
        _("Ticket #%(ticket)s was made from mail #%(id)s.") % {"id": done.pk, "ticket": done.ticket_id},
    )
    return HttpResponseRedirect(reverse("desk:ticket", args=[done.ticket_id]))
