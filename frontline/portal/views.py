"""The customer portal: server-rendered pages that work without JavaScript.

Signed-in pages take the customer's Principal; a ticket the customer may not see is a 404. Pages
render in the customer's language when their profile has one, else in the browser's
(LocaleMiddleware). Every form posts with Django's CSRF token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, Concatenate, ParamSpec
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils import translation as i18n
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frontline.accounts import sign_in_limits
from frontline.accounts.models import User
from frontline.accounts.principal import Principal
from frontline.core.errors import DomainError, Invalid, NotFound, RateLimited
from frontline.customers.models import ContactPoint, Customer
from frontline.knowledge import locales
from frontline.knowledge import selectors as knowledge
from frontline.knowledge.services import supported_languages
from frontline.portal import forms as portal_forms
from frontline.portal import selectors, services
from frontline.sla.selectors import channel_availability, reply_promise
from frontline.tickets.downloads import download_response
from frontline.tickets.models import Channel, Message, Ticket
from frontline.tickets.selectors import (
    attachment_get_for_principal,
    message_list_for_ticket,
    ticket_get_for_principal,
)

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Principal, P], HttpResponseBase]
THREAD_LIMIT = 500


def _html_lang(code: str) -> str:
    head, _sep, rest = code.partition("-")
    return head if not rest else f"{head}-{rest.title() if len(rest) == 4 else rest.upper()}"


def _language(request: HttpRequest, customer: Customer | None = None) -> str:
    return _pick_language(request, customer.language if customer is not None else "")


def _pick_language(request: HttpRequest, wanted: str) -> str:
    """`wanted` (a customer's own language) if we have it, else the browser's, else the default."""
    supported = [code for code, _name in settings.LANGUAGES]
    if wanted:
        wanted = locales.canonical(wanted)
        if wanted in supported:
            return wanted
    current = locales.canonical(getattr(request, "LANGUAGE_CODE", "") or i18n.get_language())
    return current if current in supported else settings.LANGUAGE_CODE


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    principal: Principal | None = None,
    status: int = 200,
    zone: ZoneInfo | None = None,
) -> HttpResponse:
    """Render in the visitor's language and time zone (`zone` when given), with what the header needs."""
    if principal is None:
        principal = selectors.customer_principal(request.user)
    customer = selectors.customer_get(principal) if principal is not None else None
    language = _language(request, customer)
    zone = zone or _zone(customer.timezone if customer is not None else None) or ZoneInfo(settings.TIME_ZONE)
    with i18n.override(language), timezone.override(zone):
        return render(
            request,
            template,
            {"html_lang": _html_lang(language), "language": language, "portal_customer": customer, **context},
            status=status,
        )


def portal_view(view: PortalView[P]) -> Callable[..., HttpResponseBase]:
    """Signed-in customers only: anyone else goes to the portal's sign-in page. The view runs in the
    customer's language, so what the services answer (a refused file, say) is in it too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        principal = selectors.customer_principal(request.user)
        if principal is None:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        with i18n.override(_pick_language(request, selectors.customer_language(principal))):
            return view(request, principal, *args, **kwargs)

    return wrapper


def in_visitors_language(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Run a page open to anyone in the language it is shown in (a signed-in customer's own), so
    that what the services answer is in that language too."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        principal = selectors.customer_principal(request.user)
        wanted = selectors.customer_language(principal) if principal is not None else ""
        with i18n.override(_pick_language(request, wanted)):
            return view(request, *args, **kwargs)

    return wrapper


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _uploads(request: HttpRequest) -> list[services.Upload]:
    files: list[UploadedFile] = request.FILES.getlist("attachments")
    return [
        services.Upload(
            file=f, name=f.name or "file", content_type=f.content_type or "application/octet-stream"
        )
        for f in files
    ]


def _form_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error beside the field it names (or above the form)."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    elif exc.field == "attachments":
        form.add_error(None, f"{i18n.gettext('Attachments')}: {exc.message}")
    else:
        form.add_error(None, exc.message)


def _rate_limited(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _page(request, "portal/rate_limited.html", {"message": exc.message}, status=429)


# --- Sign-in


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponseBase:
    """Ask for a sign-in link (or sign in with a password, if one is set)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    link_form = portal_forms.LinkForm(prefix="link")
    password_form = portal_forms.PasswordSignInForm(prefix="password")
    status = 200
    if request.method == "POST" and request.POST.get("action") == "password":
        password_form = portal_forms.PasswordSignInForm(request.POST, prefix="password")
        if password_form.is_valid():
            try:
                user = services.password_user(
                    email=password_form.cleaned_data["email"],
                    password=password_form.cleaned_data["password"],
                    ip=_ip(request),
                )
            except sign_in_limits.SignInThrottled as exc:
                message = i18n.gettext("Too many failed sign-ins. Try again in %(minutes)s min.") % {
                    "minutes": exc.minutes
                }
                response = _page(request, "portal/rate_limited.html", {"message": message}, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
            if user is not None and selectors.customer_principal(user) is not None:
                auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(next_url or reverse("portal:home"))
            password_form.add_error(None, i18n.gettext("The email address or password is not right."))
        status = 400
    elif request.method == "POST":
        link_form = portal_forms.LinkForm(request.POST, prefix="link")
        if link_form.is_valid():
            try:
                services.magic_link_request(email=link_form.cleaned_data["email"], ip=_ip(request))
            except RateLimited as exc:
                return _rate_limited(request, exc)
            except Invalid as exc:
                link_form.add_error("email", exc.message)
            else:
                return redirect("portal:login-sent")
        status = 400
    return _page(
        request,
        "portal/login.html",
        {"link_form": link_form, "password_form": password_form, "next": next_url},
        status=status,
    )


@require_GET
def login_sent(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the address is known."""
    return _page(request, "portal/login_sent.html", {"minutes": int(services.LINK_TTL.total_seconds() // 60)})


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET shows a button (so a mail scanner that follows links does not use them up); POST signs in."""
    try:
        if request.method == "POST":
            user = services.magic_link_redeem(token=token)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portal:home")
        services.magic_link_check(token=token)
    except services.LinkInvalid as exc:
        return _page(request, "portal/link_invalid.html", {"message": exc.message}, status=410)
    return _page(request, "portal/login_link.html", {})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    auth.logout(request)
    return redirect("portal:login")


# --- My tickets

STATUS_LABELS: dict[str, Any] = {
    Ticket.Status.NEW: i18n.gettext_lazy("Received"),
    Ticket.Status.OPEN: i18n.gettext_lazy("In progress"),
    Ticket.Status.PENDING: i18n.gettext_lazy("Waiting for your reply"),
    Ticket.Status.ON_HOLD: i18n.gettext_lazy("In progress"),
    Ticket.Status.SOLVED: i18n.gettext_lazy("Solved"),
    Ticket.Status.CLOSED: i18n.gettext_lazy("Closed"),
}


def _ticket_row(ticket: Ticket, principal: Principal) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "status_label": STATUS_LABELS.get(ticket.status, ticket.status),
        "is_mine": ticket.requester_id == principal.customer_id,
    }


@require_GET
@portal_view
def home(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    tickets = [_ticket_row(t, principal) for t in selectors.ticket_list_for_customer(principal=principal)]
    return _page(
        request,
        "portal/ticket_list.html",
        {"tickets": tickets, "shows_organization": principal.shared_organization_id is not None},
        principal=principal,
    )


def _visible_ticket(principal: Principal, ticket_id: int) -> Ticket:
    try:
        return ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    except NotFound:
        raise Http404("no such ticket") from None


def _ticket_page(
    request: HttpRequest,
    principal: Principal,
    ticket: Ticket,
    form: portal_forms.ReplyForm,
    *,
    status: int = 200,
) -> HttpResponse:
    messages = message_list_for_ticket(principal=principal, ticket=ticket, limit=THREAD_LIMIT)
    return _page(
        request,
        "portal/ticket_detail.html",
        {
            "ticket": ticket,
            "status_label": STATUS_LABELS.get(ticket.status, ticket.status),
            "messages": [
                {"message": m, "from_us": m.direction == Message.Direction.OUTBOUND, "author": _author(m)}
                for m in messages
            ],
            "form": form,
            "can_reply": ticket.status != Ticket.Status.CLOSED and ticket.merged_into_id is None,
            "max_files": services.MAX_FILES,
        },
        principal=principal,
        status=status,
    )


def _author(message: Message) -> str:
    if message.direction == Message.Direction.OUTBOUND:
        user = message.author_user
        name = (user.first_name if user is not None else "") or ""
        return name or i18n.gettext("Support team")
    customer = message.author_customer
    return customer.display_name if customer is not None else i18n.gettext("You")


@require_http_methods(["GET", "POST"])
@portal_view
def ticket_detail(request: HttpRequest, principal: Principal, ticket_id: int) -> HttpResponseBase:
    """The public thread (never internal notes) and the reply form with attachments."""
    ticket = _visible_ticket(principal, ticket_id)
    if request.method == "GET":
        return _ticket_page(request, principal, ticket, portal_forms.ReplyForm())
    form = portal_forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reply(
                user=principal.user,
                customer=selectors.customer_get(principal),
                ticket=ticket,
                body=form.cleaned_data["body"],
                uploads=_uploads(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect(reverse("portal:ticket", args=[ticket.pk]) + "?sent=1#reply")
    return _ticket_page(request, principal, ticket, form, status=400)


@require_GET
@portal_view
def attachment_download(request: HttpRequest, principal: Principal, attachment_id: int) -> HttpResponseBase:
    try:
        attachment = attachment_get_for_principal(principal=principal, attachment_id=attachment_id)
    except NotFound:
        raise Http404("no such attachment") from None
    # Always a download: a file from outside is never rendered as a page of ours.
    return download_response(request, attachment)


# --- Web form


def _help_language(request: HttpRequest) -> str:
    language = locales.canonical(_language(request, _customer_of(request)))
    return language if language in supported_languages() else settings.LANGUAGE_CODE


def _customer_of(request: HttpRequest) -> Customer | None:
    principal = selectors.customer_principal(request.user)
    return selectors.customer_get(principal) if principal is not None else None


def _suggestions(request: HttpRequest, query: str) -> list[knowledge.SearchResult]:
    query = " ".join(query.split())[:300]
    if len(query) < 3:
        return []
    try:
        return knowledge.suggest(query=query, language=_help_language(request))
    except Invalid:
        return []


@require_http_methods(["GET", "POST"])
@in_visitors_language
def ticket_new(request: HttpRequest) -> HttpResponseBase:
    """Open a ticket: a signed-in customer's at once; an anonymous visitor's after confirming their email.

    "Search help first" (a submit button, so it works without JavaScript) shows matching articles
    and keeps what was typed; with JavaScript the same suggestions appear while typing the subject.
    """
    principal = selectors.customer_principal(request.user)
    signed_in = principal is not None
    if request.method == "GET":
        form = portal_forms.TicketForm(signed_in=signed_in)
        return _page(request, "portal/ticket_new.html", _new_context(form, [], ""), principal=principal)
    form = portal_forms.TicketForm(request.POST, signed_in=signed_in)
    if request.POST.get("action") == "search":
        query = request.POST.get("subject", "")
        form = portal_forms.TicketForm(initial=request.POST.dict(), signed_in=signed_in)
        return _page(
            request,
            "portal/ticket_new.html",
            _new_context(form, _suggestions(request, query), query, searched=True),
            principal=principal,
        )
    if form.is_valid():
        data = form.cleaned_data
        if data.get("website"):  # the honeypot: robots get the usual answer and nothing is stored
            return redirect("portal:new-sent")
        submission = services.Submission(
            subject=data["subject"],
            description=data["description"],
            product=data["product"],
            category=data["category"],
        )
        try:
            if principal is not None:
                ticket = services.ticket_submit(
                    user=principal.user,
                    customer=selectors.customer_get(principal),
                    submission=submission,
                    uploads=_uploads(request),
                )
                request.session["portal_created"] = ticket.pk
                return redirect("portal:new-done")
            services.submission_start(
                name=data["name"],
                email=data["email"],
                submission=submission,
                uploads=_uploads(request),
                ip=_ip(request),
                language=_language(request),
            )
        except RateLimited as exc:
            return _rate_limited(request, exc)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("portal:new-sent")
    return _page(
        request,
        "portal/ticket_new.html",
        _new_context(form, [], ""),
        principal=principal,
        status=400,
    )


def _new_context(
    form: portal_forms.TicketForm,
    suggestions: list[knowledge.SearchResult],
    query: str,
    *,
    searched: bool = False,
) -> dict[str, Any]:
    return {
        "form": form,
        "suggestions": suggestions,
        "query": query,
        "searched": searched,
        "max_files": services.MAX_FILES,
    }


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Matching help articles for what the visitor is typing, as an HTML fragment."""
    query = request.GET.get("q", "")
    with i18n.override(_language(request, _customer_of(request))):
        return render(
            request,
            "portal/_suggestions.html",
            {
                "suggestions": _suggestions(request, query),
                "query": " ".join(query.split())[:300],
                "searched": len(query.strip()) >= 3,
            },
        )


@require_POST
def deflect(request: HttpRequest) -> HttpResponseBase:
    """ "This solved my problem": a contact avoided; no ticket is created."""
    try:
        article_id = int(request.POST.get("article", ""))
        article = knowledge.article_get_for_viewer(principal=None, article_id=article_id)
    except (ValueError, NotFound):
        raise Http404("no such article") from None
    services.deflection_from_form(
        article=article,
        query=request.POST.get("subject") or request.POST.get("q", ""),
        language=_help_language(request),
    )
    return redirect("portal:new-solved")


@require_GET
def ticket_new_solved(request: HttpRequest) -> HttpResponse:
    return _page(request, "portal/ticket_solved.html", {})


@require_GET
def ticket_new_sent(request: HttpRequest) -> HttpResponse:
    return _page(
        request, "portal/ticket_sent.html", {"hours": int(services.SUBMISSION_TTL.total_seconds() // 3600)}
    )


@require_http_methods(["GET", "POST"])
def ticket_confirm(request: HttpRequest, token: str) -> HttpResponseBase:
    """The emailed confirmation link: GET shows a button, POST creates the ticket (once)."""
    try:
        if request.method == "POST":
            ticket = services.submission_confirm(token=token)
            request.session["portal_created"] = ticket.pk
            return redirect("portal:new-done")
        pending = services.submission_check(token=token)
    except services.LinkInvalid as exc:
        return _page(request, "portal/link_invalid.html", {"message": exc.message}, status=410)
    return _page(request, "portal/ticket_confirm.html", {"pending": pending})


@require_GET
def ticket_new_done(request: HttpRequest) -> HttpResponseBase:
    """The confirmation page: the ticket number and when to expect a reply."""
    ticket_id = request.session.get("portal_created")
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        return redirect("portal:new")
    promise = reply_promise(ticket)
    zone = _zone(ticket.requester.timezone) or _zone(promise.timezone) or ZoneInfo("UTC")
    principal = selectors.customer_principal(request.user)
    return _page(
        request,
        "portal/ticket_done.html",
        {
            "ticket": ticket,
            "reply_by": promise.reply_by,
            "zone": str(zone),
            "signed_in_as_requester": principal is not None and principal.customer_id == ticket.requester_id,
        },
        zone=zone,
    )


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None


# --- Callback


def _callback_zone(customer: Customer | None) -> ZoneInfo:
    hours = channel_availability(channel=Channel.VOICE, customer=customer)
    return _zone(hours.timezone) or _zone(customer.timezone if customer else None) or ZoneInfo("UTC")


@require_http_methods(["GET", "POST"])
@in_visitors_language
def callback(request: HttpRequest) -> HttpResponseBase:
    """ "Call me back": a phone number and, optionally, a slot inside the phone line's hours."""
    customer = _customer_of(request)
    line = selectors.callback_line()
    zone = _callback_zone(customer)
    availability = channel_availability(channel=Channel.VOICE, customer=customer)
    initial: dict[str, Any] = {}
    if customer is not None:
        phone = customer.contact_points.filter(kind=ContactPoint.Kind.PHONE).first()
        initial = {"name": customer.display_name, "phone": phone.value if phone else ""}
    form = portal_forms.CallbackForm(initial=initial)
    status = 200
    if request.method == "POST" and line is not None:
        form = portal_forms.CallbackForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if data["website"]:
                request.session["portal_callback"] = None
                return redirect("portal:callback-done")
            try:
                requested = services.callback_from_portal(
                    line=line,
                    phone=data["phone"],
                    name=data["name"],
                    preferred_start=_in_zone(data["preferred_start"], zone),
                    preferred_end=_in_zone(data["preferred_end"], zone),
                    zone=zone,
                    ip=_ip(request),
                    customer=customer,
                )
            except RateLimited as exc:
                return _rate_limited(request, exc)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                scheduled = requested.next_attempt_at
                request.session["portal_callback"] = scheduled.isoformat() if scheduled else None
                return redirect("portal:callback-done")
    elif request.method == "POST":
        status = 400
    return _page(
        request,
        "portal/callback.html",
        {"form": form, "line": line, "zone": str(zone), "availability": availability},
        status=status,
        zone=zone,
    )


def _in_zone(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A datetime-local value means wall-clock time in `zone`."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zone)


@require_GET
def callback_done(request: HttpRequest) -> HttpResponse:
    raw = request.session.get("portal_callback")
    customer = _customer_of(request)
    zone = _callback_zone(customer)
    when = datetime.fromisoformat(raw) if raw else None
    return _page(request, "portal/callback_done.html", {"when": when, "zone": str(zone)}, zone=zone)


# --- Profile


@require_http_methods(["GET", "POST"])
@portal_view
def profile(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Name, language, time zone, and how we reach the customer (their email and phone numbers)."""
    customer = selectors.customer_get(principal)
    contacts = list(customer.contact_points.all())
    emails = [(c.pk, c.value) for c in contacts if c.kind == ContactPoint.Kind.EMAIL]
    primary = next((c.pk for c in contacts if c.kind == ContactPoint.Kind.EMAIL and c.is_primary), None)
    initial = {
        "salutation": customer.salutation,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "language": _language(request, customer),
        "timezone": customer.timezone,
        "primary_email": primary,
    }
    form = portal_forms.ProfileForm(initial=initial, emails=emails)
    password_form = portal_forms.PasswordSetForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "password":
        password_form = portal_forms.PasswordSetForm(request.POST)
        if password_form.is_valid():
            try:
                user = services.password_set(
                    user=principal.user,
                    password=password_form.cleaned_data["password"],
                    current_password=password_form.cleaned_data["current_password"],
                )
            except DomainError as exc:
                _form_error(password_form, exc)
            else:
                auth.update_session_auth_hash(request, user)
                return redirect(reverse("portal:profile") + "?saved=password")
        status = 400
    elif request.method == "POST":
        form = portal_forms.ProfileForm(request.POST, emails=emails)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    user=principal.user,
                    customer=customer,
                    salutation=data["salutation"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    language=data["language"],
                    timezone_name=data["timezone"],
                    add_phone=data["add_phone"],
                    primary_email_id=data["primary_email"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                return redirect(reverse("portal:profile") + "?saved=profile")
        status = 400
    return _page(
        request,
        "portal/profile.html",
        {
            "form": form,
            "password_form": password_form,
            "phones": [c for c in contacts if c.kind == ContactPoint.Kind.PHONE],
            "has_password": isinstance(principal.user, User) and principal.user.has_usable_password(),
            "saved": request.GET.get("saved", ""),
        },
        principal=principal,
        status=status,
    )
