"""The agent desk and supervisor console: thin views over the selectors and services of other apps.

Every page runs in the signed-in user's language and timezone (`User.language`, `User.timezone`).
Forms are plain POSTs with CSRF; htmx (when installed) swaps partials for the compliance check.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from frontline.accounts.models import User
from frontline.accounts.principal import Principal
from frontline.accounts.selectors import user_role
from frontline.core.errors import DomainError, NotFound
from frontline.customers.selectors import customer_get_for_staff, principal_for_user
from frontline.desk import selectors
from frontline.desk.services import ticket_bulk_update
from frontline.routing import selectors as routing_selectors
from frontline.routing import services as routing_services
from frontline.routing.models import NotReadyReason, PresenceState
from frontline.scripts.selectors import compliance_check, is_first_reply, macro_list, macro_render
from frontline.sla.selectors import sla_clock_list_for_ticket
from frontline.tickets.models import Message, Ticket
from frontline.tickets.selectors import (
    TicketFilters,
    message_list_for_ticket,
    ticket_get_for_principal,
    ticket_list_for_principal,
)
from frontline.tickets.services import message_add, ticket_update

P = ParamSpec("P")
DeskView = Callable[Concatenate[HttpRequest, Principal, P], HttpResponseBase]
#: The thread shows this many latest messages (a ticket longer than this is exceptional).
THREAD_LIMIT = 500
PREVIOUS_TICKETS = 10


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def desk_view(*, supervisor: bool = False) -> Callable[[DeskView[P]], Callable[..., HttpResponseBase]]:
    """Signed-in staff only (others go to the sign-in page or are refused), in their language and zone."""

    def decorate(view: DeskView[P]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("desk:login"))
            principal = principal_for_user(user)
            with translation.override(user.language or "en"):
                if not principal.is_staff_member or (supervisor and not principal.is_supervisor_or_admin):
                    return render(request, "desk/refused.html", status=403)
                timezone.activate(_zone(user.timezone))
                try:
                    return view(request, principal, *args, **kwargs)
                except NotFound as exc:
                    raise Http404(exc.message) from exc
                finally:
                    timezone.deactivate()

        return wrapper

    return decorate


def _base_context(request: HttpRequest, principal: Principal) -> dict[str, Any]:
    presence = routing_selectors.presence_of(principal.user)
    return {
        "principal": principal,
        "presence": presence,
        "has_presence_control": hasattr(principal.user, "agent"),
        "reasons": NotReadyReason.choices,
        "now": timezone.now(),
    }


# --- Sign-in and sign-out


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing anyone without a staff role (customers use the portal)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": gettext_lazy(
            "This sign-in is for staff. Customers can follow their requests in the help center."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user_role(user) is None:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class DeskLoginView(auth_views.LoginView):
    template_name = "desk/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return reverse("desk:inbox")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    """Sign off the phone queues too (when no contact is open), then end the session."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated and hasattr(user, "agent"):
        # With contacts still open the agent stays on; the presence timeout signs them off later.
        with contextlib.suppress(DomainError):
            routing_services.presence_set(actor=user, user=user, state=PresenceState.LOGGED_OUT)
    return auth_views.LogoutView.as_view(next_page=reverse("desk:login"))(request)


# --- Presence


@require_POST
@desk_view()
def presence_set_view(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    state = request.POST.get("state", "")
    reason = request.POST.get("reason", "") if state == PresenceState.NOT_READY else ""
    try:
        routing_services.presence_set(actor=principal.user, user=principal.user, state=state, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)


@require_POST
@desk_view()
def presence_heartbeat_view(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    routing_services.presence_heartbeat(user=principal.user)
    return HttpResponse(status=204)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not target.startswith("/desk/") or target.startswith("//"):
        target = reverse("desk:inbox")
    return HttpResponseRedirect(target)


# --- Inboxes


def _inbox_labels() -> dict[str, str]:
    return {
        "mine": _("Mine"),
        "team": _("My teams"),
        "unassigned": _("Unassigned"),
        "sla": _("SLA at risk or breached"),
        "pending": _("Pending"),
        "all": _("All"),
    }


@require_GET
@desk_view()
def inbox(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    box = request.GET.get("inbox", "mine")
    if box not in selectors.INBOXES:
        box = "mine"
    sort = request.GET.get("sort", "-updated")
    if sort not in selectors.SORTS:
        sort = "-updated"
    query = request.GET.get("q", "")[:200]
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.inbox_page(principal=principal, inbox=box, query=query, sort=sort, cursor=cursor)
    except DomainError as exc:
        messages.error(request, exc.message)
        page = selectors.inbox_page(principal=principal, inbox=box, query=query, sort=sort)
    counts = selectors.inbox_counts(principal=principal)
    labels = _inbox_labels()
    keep = {"inbox": box, "sort": sort, "q": query}
    next_url = f"?{urlencode({**keep, 'cursor': page.next_cursor})}" if page.next_cursor else ""
    return render(
        request,
        "desk/inbox.html",
        {
            **_base_context(request, principal),
            "inboxes": [(key, labels[key], counts[key]) for key in selectors.INBOXES],
            "inbox": box,
            "inbox_label": labels[box],
            "sort": sort,
            "sorts": [
                ("-updated", _("Recently updated")),
                ("updated", _("Least recently updated")),
                ("-created", _("Newest")),
                ("created", _("Oldest")),
            ],
            "query": query,
            "page": page,
            "next_url": next_url,
            "is_first_page": cursor is None,
            "first_url": f"?{urlencode(keep)}",
            "statuses": Ticket.Status.choices,
            "assignees": selectors.assignee_choices(),
        },
    )


@require_POST
@desk_view()
def bulk(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Assign, set status or tag the selected tickets; bad input or an invisible ticket changes nothing."""
    try:
        ids = [int(value) for value in request.POST.getlist("ticket_ids")]
    except ValueError:
        ids = []
    tickets = selectors.ticket_ids_visible(principal=principal, ticket_ids=ids)
    action = request.POST.get("action", "")
    assignee: User | None = None
    error = ""
    if not ids or len(tickets) != len(set(ids)):
        error = _("Select tickets from the list.")
    elif action == "assign":
        raw = request.POST.get("assignee", "")
        if raw == "me":
            assignee = principal.user
        elif raw:
            assignee = selectors.assignee_choices().filter(pk=int(raw) if raw.isdigit() else -1).first()
            if assignee is None:
                error = _("Choose someone to assign the tickets to.")
    if not error:
        try:
            changed = ticket_bulk_update(
                actor=principal.user,
                tickets=tickets,
                action=action,
                assignee=assignee,
                status=request.POST.get("status", ""),
                tag=request.POST.get("tag", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(count)d tickets updated.") % {"count": len(changed)})
    if error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error})
    return _back(request)


# --- Ticket page


def _ticket_context(principal: Principal, ticket: Ticket) -> dict[str, Any]:
    now = timezone.now()
    customer = customer_get_for_staff(principal=principal, customer_id=ticket.requester_id)
    previous = [
        t
        for t in ticket_list_for_principal(
            principal=principal, filters=TicketFilters(customer_id=customer.pk), limit=PREVIOUS_TICKETS + 1
        ).items
        if t.pk != ticket.pk
    ][:PREVIOUS_TICKETS]
    return {
        "ticket": ticket,
        "thread": message_list_for_ticket(principal=principal, ticket=ticket, limit=THREAD_LIMIT),
        "customer": customer,
        "previous_tickets": previous,
        "clocks": [
            {
                "clock": view.clock,
                "is_late": view.remaining_seconds < 0,
                "remaining_minutes": int(view.remaining_seconds // 60),
                "late_minutes": int(-view.remaining_seconds // 60),
            }
            for view in sla_clock_list_for_ticket(principal=principal, ticket=ticket, now=now)
        ],
        "escalations": selectors.escalation_list_for_ticket(ticket=ticket, now=now),
        "statuses": Ticket.Status.choices,
        "priorities": Ticket.Priority.choices,
        "assignees": selectors.assignee_choices(),
        "tags": ", ".join(tag.name for tag in ticket.tags.all()),
        "note_direction": Message.Direction.NOTE,
    }


@require_GET
@desk_view()
def ticket_detail(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    macros = list(macro_list(language=ticket.requester.language or principal.user.language))
    context: dict[str, Any] = {"macros": macros}
    chosen = request.GET.get("macro", "")
    if chosen:  # "Insert": the reply box starts with the macro, filled in for this customer
        macro = next((m for m in macros if str(m.pk) == chosen), None)
        if macro is None:
            return HttpResponseBadRequest(_("No such macro."))
        context["draft"] = macro_render(macro=macro, customer=ticket.requester, agent=principal.user)
        context["chosen_macro"] = macro.pk
    return render(
        request,
        "desk/ticket_detail.html",
        {**_base_context(request, principal), **_ticket_context(principal, ticket), **context},
    )


@require_GET
@desk_view()
def ticket_thread(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """The thread partial, fetched again when the ticket's websocket announces a change."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    thread = message_list_for_ticket(principal=principal, ticket=ticket, limit=THREAD_LIMIT)
    return render(request, "desk/_thread.html", {"ticket": ticket, "thread": thread})


@require_POST
@desk_view()
def ticket_compliance(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """The script-compliance findings for a draft reply (an htmx partial, or a page without JS)."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    draft = request.POST.get("body", "")
    findings = (
        compliance_check(
            text=draft,
            language=ticket.requester.language or principal.user.language,
            channel=ticket.channel,
            is_first_reply=is_first_reply(ticket=ticket),
            customer=ticket.requester,
            agent=principal.user,
            plan_version=ticket.plan_version,
        )
        if draft.strip()
        else []
    )
    context = {"ticket": ticket, "findings": findings, "checked": bool(draft.strip()), "draft": draft}
    if request.headers.get("HX-Request"):
        return render(request, "desk/_compliance.html", context)
    return render(
        request,
        "desk/ticket_detail.html",
        {**_base_context(request, principal), **_ticket_context(principal, ticket), **context},
    )


@require_POST
@desk_view()
def ticket_reply(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """Answer on the ticket's channel, or add an internal note (`kind=note`)."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    body = request.POST.get("body", "").strip()
    kind = request.POST.get("kind", "reply")
    direction = Message.Direction.NOTE if kind == "note" else Message.Direction.OUTBOUND
    if not body:
        messages.error(request, _("Write something first."))
    else:
        try:
            message_add(actor=principal.user, ticket=ticket, direction=direction, body_text=body)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Note added.") if kind == "note" else _("Reply sent."))
    return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.pk]))


@require_POST
@desk_view()
def ticket_edit(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    raw_assignee = request.POST.get("assignee", "")
    assignee: User | None = None
    if raw_assignee:
        assignee = (
            selectors.assignee_choices()
            .filter(pk=int(raw_assignee) if raw_assignee.isdigit() else -1)
            .first()
        )
    if raw_assignee and assignee is None:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": _("unknown assignee")})
        return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.pk]))
    tags = [t for t in request.POST.get("tags", "").replace(",", " ").split() if t]
    try:
        ticket_update(
            actor=principal.user,
            ticket=ticket,
            status=request.POST.get("status") or None,
            priority=request.POST.get("priority") or None,
            assignee=assignee,
            tags=tags,
        )
    except DomainError as exc:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Ticket updated."))
    return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.pk]))


# --- Supervisor console


def _wallboard_context() -> dict[str, Any]:
    queues = [
        routing_selectors.queue_stats(queue=q) for q in routing_selectors.queue_list().filter(active=True)
    ]
    return {"queues": queues, "states": PresenceState.choices}


@require_GET
@desk_view(supervisor=True)
def supervisor(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    return render(
        request,
        "desk/supervisor.html",
        {
            **_base_context(request, principal),
            **_wallboard_context(),
            "agents": selectors.agent_floor_list(),
            "manual_states": [
                (PresenceState.AVAILABLE, PresenceState.AVAILABLE.label),
                (PresenceState.NOT_READY, PresenceState.NOT_READY.label),
                (PresenceState.LOGGED_OUT, PresenceState.LOGGED_OUT.label),
            ],
        },
    )


@require_GET
@desk_view(supervisor=True)
def wallboard(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    return render(request, "desk/_wallboard.html", _wallboard_context())


@require_POST
@desk_view(supervisor=True)
def agent_state(request: HttpRequest, principal: Principal, user_id: int) -> HttpResponseBase:
    agent = selectors.assignee_choices().filter(pk=user_id).first()
    if agent is None:
        raise Http404("no such agent")
    state = request.POST.get("state", "")
    reason = request.POST.get("reason", "") if state == PresenceState.NOT_READY else ""
    try:
        routing_services.presence_set(actor=principal.user, user=agent, state=state, reason=reason)
    except DomainError as exc:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("State changed."))
    return HttpResponseRedirect(reverse("desk:supervisor"))


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@require_GET
@desk_view(supervisor=True)
def performance(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """The agent performance report for a date range in the supervisor's timezone, with exports."""
    zone = _zone(principal.user.timezone)
    today = timezone.now().astimezone(zone).date()
    start = _date(request.GET.get("start"), today)
    end = _date(request.GET.get("end"), start + timedelta(days=1))
    if end <= start or (end - start).days > 92:
        messages.error(request, _("The range must end after it starts and span at most 92 days."))
        end = start + timedelta(days=1)
    first = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    last = datetime.combine(end, datetime.min.time(), tzinfo=zone)
    agents = list(User.objects.filter(agent__isnull=False, is_active=True).order_by("last_name", "pk"))
    rows = routing_selectors.performance_report(agents=agents, start=first, end=last)
    params = {"start": start.isoformat(), "end": end.isoformat(), "tz": str(zone)}
    return render(
        request,
        "desk/performance.html",
        {
            **_base_context(request, principal),
            "rows": rows,
            "start": start,
            "end": end,
            "csv_url": f"/api/v1/reports/agent-performance?{urlencode({**params, 'format': 'csv'})}",
            "xlsx_url": f"/api/v1/reports/agent-performance?{urlencode({**params, 'format': 'xlsx'})}",
        },
    )
