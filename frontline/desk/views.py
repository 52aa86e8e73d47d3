"""The agent desk and supervisor console: thin views over the selectors and services of other apps.

Every page runs in the signed-in user's language and timezone (`User.language`, `User.timezone`).
Forms are plain POSTs with CSRF; htmx (when installed) swaps partials for the compliance check.
"""

from __future__ import annotations

import base64
import contextlib
import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from frontline.accounts import sign_in_limits
from frontline.accounts.models import User
from frontline.accounts.principal import Principal
from frontline.accounts.selectors import has_second_factor, request_passed_second_factor, user_role
from frontline.core import charts
from frontline.core.errors import DomainError, NotFound
from frontline.customers.selectors import customer_get_for_staff, principal_for_user
from frontline.desk import labels as labels_module
from frontline.desk import selectors
from frontline.desk import services as desk_services
from frontline.desk.services import ticket_bulk_update
from frontline.desk.timeline import activity_list_for_ticket
from frontline.notifications.selectors import unread_count
from frontline.routing import selectors as routing_selectors
from frontline.routing import services as routing_services
from frontline.routing.models import NotReadyReason, PresenceState
from frontline.scripts.selectors import compliance_check, is_first_reply, macro_list, macro_render
from frontline.sla.selectors import sla_clock_list_for_ticket
from frontline.tickets.models import Channel, Message, Ticket
from frontline.tickets.selectors import (
    TicketFilters,
    message_list_for_ticket,
    ticket_get_for_principal,
    ticket_list_for_principal,
)
from frontline.tickets.services import ticket_merge, ticket_update

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


def desk_view(
    *, supervisor: bool = False, admin: bool = False
) -> Callable[[DeskView[P]], Callable[..., HttpResponseBase]]:
    """Signed-in staff only (others go to the sign-in page or are refused), in their language and zone;
    `supervisor` or `admin`: only those roles (an admin is a supervisor too)."""

    def decorate(view: DeskView[P]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("desk:login"))
            if not request_passed_second_factor(request):
                # Signed in some other way than the desk's sign-in (which asks for the code): not enough.
                return redirect_to_login(request.get_full_path(), reverse("desk:login"))
            principal = principal_for_user(user)
            with translation.override(user.language or "en"):
                if (
                    not principal.is_staff_member
                    or (supervisor and not principal.is_supervisor_or_admin)
                    or (admin and not principal.is_admin)
                ):
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
        "unread_notifications": unread_count(user=principal.user),
        "principal": principal,
        "presence": presence,
        "has_presence_control": hasattr(principal.user, "agent"),
        "reasons": NotReadyReason.choices,
        "now": timezone.now(),
    }


# --- Sign-in and sign-out


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing anyone without a staff role (customers use the portal).

    The one sign-in for staff: the admin's /admin/login/ sends people here too (desk/admin_site.py).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": gettext_lazy(
            "This sign-in is for staff. Customers can follow their requests in the help center."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user_role(user) is None and not user.is_staff:  # is_staff: admin-site users without a role
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


#: Session keys of a sign-in waiting for its second factor (the password was right).
OTP_PENDING_USER = "desk_otp_user"
OTP_PENDING_BACKEND = "desk_otp_backend"
OTP_PENDING_NEXT = "desk_otp_next"
OTP_PENDING_SINCE = "desk_otp_since"
#: The code must follow the password within this many seconds.
OTP_PENDING_SECONDS = 300


class DeskLoginView(auth_views.LoginView):
    """Password first; staff with a second factor are signed in only once their code matches."""

    template_name = "desk/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return reverse("desk:inbox")

    def _limits(self) -> dict[str, str]:
        return {
            "scope": "staff",
            "account": self.request.POST.get("username", ""),
            "remote_addr": str(self.request.META.get("REMOTE_ADDR") or ""),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Guessing is limited before the password is looked at (accounts.sign_in_limits)."""
        try:
            sign_in_limits.sign_in_check(**self._limits())
        except sign_in_limits.SignInThrottled as exc:
            refusal = _("Too many failed sign-ins. Try again in %(minutes)s min.") % {"minutes": exc.minutes}
            # An unbound form: a bound one would check the password on the way to showing its errors.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, refusal=refusal)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if any(error.code == "invalid_login" for error in form.non_field_errors().as_data()):
            sign_in_limits.sign_in_failed(**self._limits())
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        sign_in_limits.sign_in_succeeded(**self._limits())
        if not has_second_factor(user=user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[OTP_PENDING_USER] = user.pk
        self.request.session[OTP_PENDING_BACKEND] = getattr(user, "backend", "")
        self.request.session[OTP_PENDING_NEXT] = self.get_success_url()
        self.request.session[OTP_PENDING_SINCE] = timezone.now().timestamp()
        return HttpResponseRedirect(reverse("desk:login-verify"))


def _pending_sign_in(request: HttpRequest) -> User | None:
    user_id = request.session.get(OTP_PENDING_USER)
    since = request.session.get(OTP_PENDING_SINCE, 0)
    if not user_id or timezone.now().timestamp() - since > OTP_PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def login_verify(request: HttpRequest) -> HttpResponseBase:
    """The second step of a sign-in: the current code from the staff member's authenticator app."""
    user = _pending_sign_in(request)
    if user is None:
        for key in (OTP_PENDING_USER, OTP_PENDING_BACKEND, OTP_PENDING_NEXT, OTP_PENDING_SINCE):
            request.session.pop(key, None)
        messages.error(request, _("Sign in again: the code must follow the password within five minutes."))
        return HttpResponseRedirect(reverse("desk:login"))
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        device = desk_services.totp_verify(user=user, token=token) if token.isdigit() else None
        if device is not None:
            target = request.session.get(OTP_PENDING_NEXT) or reverse("desk:inbox")
            backend = request.session.get(OTP_PENDING_BACKEND) or None
            auth_login(request, user, backend=backend)  # a new session: the pending keys go with the old
            otp_login(request, device)
            return HttpResponseRedirect(target)
        error = _("That code does not match. Enter the 6-digit code your authenticator app shows now.")
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    with translation.override(user.language or "en"):
        return render(request, "desk/login_verify.html", {"error": error}, status=200 if not error else 400)


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
    # The top bar's menu sends a reason alone for "not ready: <reason>".
    state = request.POST.get("state", "") or (PresenceState.NOT_READY if request.POST.get("reason") else "")
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


def safe_next(request: HttpRequest, default: str) -> str:
    """The form's `next` when it is a desk page (never another site or a script URL), else `default`."""
    target = request.POST.get("next", "")
    if not target.startswith("/desk/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _back(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, reverse("desk:inbox")))


@require_GET
@desk_view()
def presence_badge(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """The top bar's state badge (a partial), fetched when the server changes the agent's state."""
    return render(
        request, "desk/_presence_badge.html", {"presence": routing_selectors.presence_of(principal.user)}
    )


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


def _list_filters(request: HttpRequest) -> selectors.ListFilters:
    return selectors.ListFilters(
        status=request.GET.get("status", "")[:20],
        assignee=request.GET.get("assignee", "")[:20],
        channel=request.GET.get("channel", "")[:20],
        tag=request.GET.get("tag", "")[:50],
        language=request.GET.get("language", "")[:20],
    )


def _list_params(request: HttpRequest) -> tuple[str, str, str, selectors.ListFilters]:
    """The inbox, sort, search words and filters a list was asked for (unknown inbox or sort: defaults)."""
    box = request.GET.get("inbox", "mine")
    if box not in selectors.INBOXES:
        box = "mine"
    sort = request.GET.get("sort", "-updated")
    if sort not in selectors.ALL_SORTS:
        sort = "-updated"
    return box, sort, request.GET.get("q", "")[:200], _list_filters(request)


def _sorts() -> list[tuple[str, str]]:
    return [
        ("-updated", _("Recently updated")),
        ("updated", _("Least recently updated")),
        ("-created", _("Newest")),
        ("created", _("Oldest")),
        ("sla", _("SLA due, soonest first")),
        ("priority", _("Priority, highest first")),
    ]


@require_GET
@desk_view()
def inbox(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    box, sort, query, filters = _list_params(request)
    cursor = request.GET.get("cursor") or None
    counted = bool(query.strip()) or not filters.is_empty()
    try:
        page = selectors.inbox_page(
            principal=principal,
            inbox=box,
            query=query,
            sort=sort,
            cursor=cursor,
            filters=filters,
            count=counted,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        query, filters, cursor = "", selectors.ListFilters(), None
        page = selectors.inbox_page(principal=principal, inbox=box, sort=sort)
    counts = selectors.inbox_counts(principal=principal)
    labels = _inbox_labels()
    keep = {"inbox": box, "sort": sort, "q": query, **{k: v for k, v in vars(filters).items() if v}}
    keep = {k: v for k, v in keep.items() if v}
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
            "sorts": _sorts(),
            "query": query,
            "filters": filters,
            "is_filtered": counted,
            "page": page,
            "next_url": next_url,
            "is_first_page": cursor is None,
            "first_url": f"?{urlencode(keep)}",
            "list_query": urlencode(keep),
            "sort_urls": {
                "priority": urlencode({**keep, "sort": "priority"}),
                "sla": urlencode({**keep, "sort": "sla"}),
                "updated": urlencode({**keep, "sort": "-updated"}),
            },
            "statuses": Ticket.Status.choices,
            "channels": Channel.choices,
            "languages": [
                (code, labels_module.language_name(code)) for code in labels_module.FILTER_LANGUAGES
            ],
            "tags": selectors.tag_choices(),
            "assignees": selectors.assignee_choices(),
            "saved_views": [
                (
                    view,
                    "?"
                    + urlencode({"inbox": view.inbox, "sort": view.sort, "q": view.query, "view": view.pk}),
                )
                for view in selectors.saved_view_list(user=principal.user)
            ],
            "current_view": request.GET.get("view", ""),
        },
    )


@require_GET
@desk_view()
def ticket_rail(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """The list beside an open ticket (an htmx partial): the first page of the inbox the agent came from."""
    box, sort, query, filters = _list_params(request)
    try:
        page = selectors.rail_page(principal=principal, inbox=box, sort=sort, query=query, filters=filters)
    except DomainError:
        box, sort, query, filters = "mine", "-updated", "", selectors.ListFilters()
        page = selectors.rail_page(principal=principal, inbox=box, sort=sort, query=query, filters=filters)
    keep = {"inbox": box, "sort": sort, "q": query, **{k: v for k, v in vars(filters).items() if v}}
    current = request.GET.get("current", "")
    return render(
        request,
        "desk/_rail.html",
        {
            "page": page,
            "inbox_label": _inbox_labels()[box],
            "inbox_url": f"{reverse('desk:inbox')}?{urlencode({k: v for k, v in keep.items() if v})}",
            "current": int(current) if current.isdigit() else None,
        },
    )


#: Bulk changes that need a second "yes" (they end the customer's wait or cannot be undone here).
DESTRUCTIVE_STATUSES = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)


@require_POST
@desk_view()
def bulk(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Assign, set status or tag the selected tickets; bad input or an invisible ticket changes nothing.

    Nothing is chosen for the agent: the assignee and status lists start at "Choose". Solving or
    closing asks first (a confirmation page listing the tickets) unless the form says `confirmed`.
    """
    try:
        ids = [int(value) for value in request.POST.getlist("ticket_ids")]
    except ValueError:
        ids = []
    tickets = selectors.ticket_ids_visible(principal=principal, ticket_ids=ids)
    action = request.POST.get("action", "")
    status = request.POST.get("status", "")
    assignee: User | None = None
    error = ""
    if not ids or len(tickets) != len(set(ids)):
        error = _("Select tickets from the list.")
    elif action == "assign":
        raw = request.POST.get("assignee", "")
        if raw == "me":
            assignee = principal.user
        elif raw != "none":
            assignee = selectors.assignee_choices().filter(pk=int(raw) if raw.isdigit() else -1).first()
            if assignee is None:
                error = _("Choose someone to assign the tickets to.")
    elif action == "status" and not status:
        error = _("Choose a status.")
    if (
        not error
        and action == "status"
        and status in DESTRUCTIVE_STATUSES
        and not request.POST.get("confirmed")
    ):
        return render(
            request,
            "desk/bulk_confirm.html",
            {
                **_base_context(request, principal),
                "tickets": tickets,
                "status": status,
                "status_label": labels_module.status_label(status),
                "next": safe_next(request, ""),
            },
        )
    if not error:
        try:
            changed = ticket_bulk_update(
                actor=principal.user,
                tickets=tickets,
                action=action,
                assignee=assignee,
                status=status,
                tag=request.POST.get("tag", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", len(changed))
                % {"count": len(changed)},
            )
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
        "activity": activity_list_for_ticket(ticket=ticket),
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
    contact_id = request.GET.get("contact", "")
    if contact_id.isdigit():  # just accepted: the call script beside the ticket
        with contextlib.suppress(NotFound):
            offer = selectors.offer_get_for_agent(user=principal.user, interaction_id=int(contact_id))
            if offer.interaction.ticket_id == ticket.pk:
                context["contact"] = offer
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
    """Answer on the ticket's channel, or add an internal note (`kind=note`), and set `status` with it."""
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    body = request.POST.get("body", "").strip()
    kind = request.POST.get("kind", "reply")
    status = request.POST.get("status", "")
    files = request.FILES.getlist("files")
    if not body:
        messages.error(request, _("Write something first."))
        return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.pk]))
    before = ticket.status
    try:
        sent = desk_services.message_send(
            actor=principal.user, ticket=ticket, body=body, kind=kind, status=status, files=files
        )
    except DomainError as exc:
        messages.error(request, _("Nothing was sent: %(reason)s") % {"reason": exc.message})
        return HttpResponseRedirect(reverse("desk:ticket", args=[ticket.pk]))
    done = _("Note added.") if sent.note is not None else _("Reply sent.")
    if status and sent.ticket.status != before:
        done = _("%(done)s Status: %(status)s.") % {
            "done": done,
            "status": labels_module.status_label(status),
        }
    messages.success(request, done)
    if sent.note is not None and sent.note.notified:
        names = ", ".join(u.get_full_name() or u.get_username() for u in sent.note.notified)
        messages.info(request, _("Notified: %(names)s.") % {"names": names})
    if sent.note is not None and sent.note.not_notified:
        names = ", ".join(f"@{name}" for name in sent.note.not_notified)
        messages.warning(
            request,
            _("Not notified (no such staff member, or they cannot see this ticket): %(names)s.")
            % {"names": names},
        )
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


def _wallboard_context(principal: Principal) -> dict[str, Any]:
    queues = [
        routing_selectors.queue_stats(queue=q, zone=principal.user.timezone or "UTC")
        for q in routing_selectors.queue_list().filter(active=True)
    ]
    day = selectors.floor_day(zone=_zone(principal.user.timezone))
    hours = [h.start.strftime("%H") for h in day]
    states = [(value, label) for value, label in PresenceState.choices]
    return {
        "queues": queues,
        "states": PresenceState.choices,
        "service_level_chart": charts.line_chart(
            hours,
            {
                _("Service level (%)"): [
                    None if h.service_level is None else round(100 * h.service_level, 1) for h in day
                ]
            },
            top=100,
            height=200,
        ),
        "waiting_chart": charts.bar_chart(hours, {_("Waiting"): [float(h.waiting) for h in day]}, height=200),
        "agents_chart": charts.bar_chart(
            hours,
            {str(label): [float(h.agents.get(value, 0)) for h in day] for value, label in states},
            height=200,
        ),
    }


@require_GET
@desk_view(supervisor=True)
def supervisor(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    return render(
        request,
        "desk/supervisor.html",
        {
            **_base_context(request, principal),
            **_wallboard_context(principal),
            "agents": selectors.agent_floor_list(),
        },
    )


@require_GET
@desk_view(supervisor=True)
def wallboard(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    return render(request, "desk/_wallboard.html", _wallboard_context(principal))


AGENT_ACTIONS = ("state", "reassign")


@require_GET
@desk_view(supervisor=True)
def agent_action(request: HttpRequest, principal: Principal, user_id: int) -> HttpResponseBase:
    """The confirmation form of one action on one agent (a page, or the console's dialog by fetch)."""
    agent = selectors.assignee_choices().filter(pk=user_id).first()
    action = request.GET.get("do", "")
    if agent is None or action not in AGENT_ACTIONS:
        raise Http404("no such agent or action")
    context = {
        "agent": agent,
        "action": action,
        "presence": routing_selectors.presence_of(agent),
        "manual_states": [
            (PresenceState.AVAILABLE, PresenceState.AVAILABLE.label),
            (PresenceState.NOT_READY, PresenceState.NOT_READY.label),
            (PresenceState.LOGGED_OUT, PresenceState.LOGGED_OUT.label),
        ],
        "reasons": [(v, label) for v, label in NotReadyReason.choices if v not in ("missed_offer", "away")],
        "others": selectors.assignee_choices().exclude(pk=agent.pk),
        "open_tickets": selectors.open_ticket_count(user=agent),
    }
    if request.headers.get("X-Requested-With") == "fetch":
        return render(request, "desk/_agent_action.html", context)
    return render(request, "desk/agent_action.html", {**_base_context(request, principal), **context})


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
    totals = _performance_totals(rows)
    per_agent: dict[int, dict[str, float]] = {}
    for row in rows:
        agent_sums = per_agent.setdefault(
            row.agent.pk, {"handled": 0, "missed": 0, "online": 0.0, "not_ready": 0.0}
        )
        agent_sums["handled"] += row.figures.handled
        agent_sums["missed"] += row.figures.missed
        agent_sums["online"] += row.figures.online / 60
        agent_sums["not_ready"] += row.figures.not_ready / 60
    names = [a.get_full_name() or a.get_username() for a in agents]
    contacts_chart = charts.bar_chart(
        names,
        {
            _("Handled"): [float(per_agent.get(a.pk, {}).get("handled", 0)) for a in agents],
            _("Missed"): [float(per_agent.get(a.pk, {}).get("missed", 0)) for a in agents],
        },
        mode="grouped",
        height=220,
        max_labels=len(names) or 1,
    )
    time_chart = charts.bar_chart(
        names,
        {
            _("Online (min)"): [round(per_agent.get(a.pk, {}).get("online", 0.0), 1) for a in agents],
            _("Not ready (min)"): [round(per_agent.get(a.pk, {}).get("not_ready", 0.0), 1) for a in agents],
        },
        mode="grouped",
        height=220,
        max_labels=len(names) or 1,
    )
    params = {"start": start.isoformat(), "end": end.isoformat(), "tz": str(zone)}
    return render(
        request,
        "desk/performance.html",
        {
            **_base_context(request, principal),
            "rows": rows,
            "totals": totals,
            "contacts_chart": contacts_chart,
            "time_chart": time_chart,
            "start": start,
            "end": end,
            "csv_url": f"/api/v1/reports/agent-performance?{urlencode({**params, 'format': 'csv'})}",
            "xlsx_url": f"/api/v1/reports/agent-performance?{urlencode({**params, 'format': 'xlsx'})}",
        },
    )


def _performance_totals(rows: list[routing_selectors.ReportRow]) -> dict[str, float | int | None]:
    """The report's totals: sums, and the average handle time weighted by the contacts handled."""
    handled = sum(r.figures.handled for r in rows)
    weighted = sum((r.figures.average_handle_seconds or 0) * r.figures.handled for r in rows)
    offered = sum(r.figures.offered for r in rows)
    return {
        "online_minutes": sum(r.figures.online for r in rows) / 60,
        "not_ready_minutes": sum(r.figures.not_ready for r in rows) / 60,
        "offered": offered,
        "handled": handled,
        "missed": sum(r.figures.missed for r in rows),
        "average_handle_seconds": weighted / handled if handled else None,
        "answer_rate": 100 * handled / offered if offered else None,
    }


# --- Offers: the pop-up for a chat, call or callback routing offers the agent


@require_GET
@desk_view()
def offers(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """The offer pop-up partial (empty when nothing is offered), fetched on each ws/me/ routing push."""
    return render(
        request,
        "desk/_offers.html",
        {"offers": selectors.offer_list_for_agent(user=principal.user), "now": timezone.now()},
    )


@require_POST
@desk_view()
def offer_accept(request: HttpRequest, principal: Principal, interaction_id: int) -> HttpResponseBase:
    """Take the contact; the ticket opens (with the call script for a call), else the contact page."""
    offer = selectors.offer_get_for_agent(user=principal.user, interaction_id=interaction_id)
    try:
        interaction = routing_services.interaction_accept(user=principal.user, interaction=offer.interaction)
    except DomainError as exc:
        messages.error(request, _("The contact could not be accepted: %(reason)s") % {"reason": exc.message})
        return _back(request)
    if interaction.ticket_id:
        return HttpResponseRedirect(
            f"{reverse('desk:ticket', args=[interaction.ticket_id])}?{urlencode({'contact': interaction.pk})}"
        )
    return HttpResponseRedirect(reverse("desk:contact", args=[interaction.pk]))


@require_POST
@desk_view()
def offer_decline(request: HttpRequest, principal: Principal, interaction_id: int) -> HttpResponseBase:
    offer = selectors.offer_get_for_agent(user=principal.user, interaction_id=interaction_id)
    try:
        routing_services.interaction_decline(user=principal.user, interaction=offer.interaction)
    except DomainError as exc:
        messages.error(request, _("The contact could not be declined: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Contact declined; it goes back to the queue."))
    return _back(request)


@require_GET
@desk_view()
def contact(request: HttpRequest, principal: Principal, interaction_id: int) -> HttpResponseBase:
    """A contact the agent holds that has no ticket: the matched customer and, for a call, the script."""
    offer = selectors.offer_get_for_agent(user=principal.user, interaction_id=interaction_id)
    return render(request, "desk/contact.html", {**_base_context(request, principal), "offer": offer})


# --- Profile: the second factor


def _qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (segno; no JavaScript, no CDN)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


@require_GET
@desk_view()
def profile(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    user = principal.user
    pending = selectors.second_factor_pending(user=user)
    context: dict[str, Any] = {
        **_base_context(request, principal),
        "has_second_factor": has_second_factor(user=user),
        "pending": pending,
    }
    if pending is not None:
        context["qr_svg"] = _qr_svg(pending.config_url)
        context["secret"] = base64.b32encode(pending.bin_key).decode().rstrip("=")
    return render(request, "desk/profile.html", context)


@require_POST
@desk_view()
def second_factor_start(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    try:
        desk_services.totp_enrol_start(user=principal.user)
    except DomainError:
        messages.error(
            request, _("A second factor is already set up. Turn it off first to set up a new one.")
        )
    return HttpResponseRedirect(reverse("desk:profile"))


@require_POST
@desk_view()
def second_factor_confirm(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    token = request.POST.get("token", "").strip()
    try:
        device = (
            desk_services.totp_enrol_confirm(user=principal.user, token=token) if token.isdigit() else None
        )
    except DomainError:
        messages.error(request, _("Start the set-up first."))
        return HttpResponseRedirect(reverse("desk:profile"))
    if device is None:
        messages.error(
            request, _("That code does not match. Enter the 6-digit code your authenticator app shows now.")
        )
    else:
        otp_login(request, device)
        messages.success(request, _("Second factor on: from now on you sign in with a code from your app."))
    return HttpResponseRedirect(reverse("desk:profile"))


@require_POST
@desk_view()
def second_factor_disable(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    token = request.POST.get("token", "").strip()
    if token.isdigit() and desk_services.totp_disable(user=principal.user, token=token):
        messages.success(request, _("Second factor off."))
    else:
        messages.error(
            request, _("That code does not match. Enter the 6-digit code your authenticator app shows now.")
        )
    return HttpResponseRedirect(reverse("desk:profile"))


# --- Merge (ticket page) and reassign (supervisor console)


@require_POST
@desk_view()
def ticket_merge_view(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """Merge this ticket into another the agent can see: its thread moves there and it closes."""
    source = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    raw = request.POST.get("target", "").strip().lstrip("#")
    target = None
    if raw.isdigit():
        with contextlib.suppress(NotFound):
            target = ticket_get_for_principal(principal=principal, ticket_id=int(raw))
    if target is None:
        messages.error(
            request,
            _("Nothing was merged: there is no ticket #%(id)s that you can see.") % {"id": raw or "?"},
        )
        return HttpResponseRedirect(reverse("desk:ticket", args=[source.pk]))
    try:
        ticket_merge(actor=principal.user, source=source, target=target)
    except DomainError as exc:
        messages.error(request, _("Nothing was merged: %(reason)s") % {"reason": exc.message})
        return HttpResponseRedirect(reverse("desk:ticket", args=[source.pk]))
    messages.success(request, _("Ticket #%(source)s was merged into this one.") % {"source": source.pk})
    return HttpResponseRedirect(reverse("desk:ticket", args=[target.pk]))


@require_POST
@desk_view(supervisor=True)
def agent_reassign(request: HttpRequest, principal: Principal, user_id: int) -> HttpResponseBase:
    """Move every open ticket of one agent to another (all or nothing)."""
    agent = selectors.assignee_choices().filter(pk=user_id).first()
    if agent is None:
        raise Http404("no such agent")
    raw = request.POST.get("assignee", "")
    to = selectors.assignee_choices().filter(pk=int(raw) if raw.isdigit() else -1).first()
    if to is None or to.pk == agent.pk:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": _("choose another agent")})
        return HttpResponseRedirect(reverse("desk:supervisor"))
    try:
        moved = desk_services.tickets_reassign(actor=principal.user, from_user=agent, to_user=to)
    except DomainError as exc:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(
            request,
            _("%(count)d open tickets moved from %(from)s to %(to)s.")
            % {
                "count": moved,
                "from": agent.get_full_name() or agent.get_username(),
                "to": to.get_full_name() or to.get_username(),
            },
        )
    return HttpResponseRedirect(reverse("desk:supervisor"))


# --- Saved inbox views


@require_POST
@desk_view()
def saved_view_create(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Save the inbox being looked at (its inbox, sort and search words) under a name."""
    inbox_name = request.POST.get("inbox", "")
    sort = request.POST.get("sort", "-updated")
    query = request.POST.get("q", "")
    back = f"{reverse('desk:inbox')}?{urlencode({'inbox': inbox_name, 'sort': sort, 'q': query})}"
    try:
        view = desk_services.saved_view_create(
            user=principal.user, name=request.POST.get("name", ""), inbox=inbox_name, sort=sort, query=query
        )
    except DomainError as exc:
        messages.error(request, _("The view was not saved: %(reason)s") % {"reason": exc.message})
        return HttpResponseRedirect(back)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return HttpResponseRedirect(f"{back}&view={view.pk}")


@require_POST
@desk_view()
def saved_view_delete(request: HttpRequest, principal: Principal, view_id: int) -> HttpResponseBase:
    view = selectors.saved_view_get(user=principal.user, view_id=view_id)
    desk_services.saved_view_delete(user=principal.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return HttpResponseRedirect(reverse("desk:inbox"))
