"""The notification centre: the bell's list, the full page, mark read (the notifications app's services)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontline.accounts.principal import Principal
from frontline.desk.views import _base_context, desk_view, safe_next
from frontline.notifications import selectors, services

#: The bell shows this many newest notifications; the page shows this many per page.
PANEL_SIZE = 10
PAGE_SIZE = 50


@require_GET
@desk_view()
def notifications_panel(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """The bell's list (a partial fetched when the bell opens or a notification arrives)."""
    items = list(selectors.notification_list(user=principal.user).select_related("ticket")[:PANEL_SIZE])
    return render(
        request,
        "desk/_notifications_panel.html",
        {"items": items, "unread": selectors.unread_count(user=principal.user)},
    )


@require_GET
@desk_view()
def notifications(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Every notification, newest first, a page at a time (`?before=<id>`), or only the unread ones."""
    unread_only = request.GET.get("unread") == "1"
    items_qs = selectors.notification_list(user=principal.user, unread_only=unread_only).select_related(
        "ticket"
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        items_qs = items_qs.filter(pk__lt=int(before))
    items = list(items_qs.order_by("-id")[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return render(
        request,
        "desk/notifications.html",
        {
            **_base_context(request, principal),
            "items": items,
            "unread_only": unread_only,
            "next_before": items[-1].pk if more and items else None,
        },
    )


@require_POST
@desk_view()
def notification_read(request: HttpRequest, principal: Principal, notification_id: int) -> HttpResponseBase:
    """Mark one read (or unread with `read=0`); someone else's notification is missing (404)."""
    notification = selectors.notification_get(user=principal.user, notification_id=notification_id)
    services.notification_mark_read(
        user=principal.user, notification=notification, read=request.POST.get("read", "1") != "0"
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    target = request.POST.get("open", "")
    if target == "ticket" and notification.ticket_id:
        return HttpResponseRedirect(reverse("desk:ticket", args=[notification.ticket_id]))
    return HttpResponseRedirect(safe_next(request, reverse("desk:notifications")))


@require_POST
@desk_view()
def notifications_read_all(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    marked = services.notification_mark_all_read(user=principal.user)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    if marked:
        messages.success(request, _("All notifications marked read."))
    return HttpResponseRedirect(safe_next(request, reverse("desk:notifications")))
