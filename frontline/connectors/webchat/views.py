"""The widget's HTTP side: its strings in the visitor's language, files up and down, the demo page."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation as i18n
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from frontline.connectors.webchat import origins, selectors, services
from frontline.core.errors import DomainError, Invalid, NotFound
from frontline.tickets.downloads import download_response

TOKEN_HEADER = "X-Chat-Token"  # noqa: S105  (a header name, not a secret)
#: Room for the multipart envelope around a file of the largest size allowed.
_ENVELOPE_BYTES = 64 * 1024
_TEXT = "text/plain; charset=utf-8"


@require_GET
@vary_on_headers("Accept-Language")
@cache_control(public=True, max_age=300)
def widget_strings(request: HttpRequest) -> JsonResponse:
    """Everything the widget says, in `?lang=` (the page's data-lang) or the browser's language.

    Public and the same for everyone, so any page may read it (CORS `*`); nothing private is in it.
    """
    language = selectors.language_pick(
        request.GET.get("lang", ""), request.headers.get("Accept-Language", "")
    )
    response = JsonResponse({"language": language, "strings": selectors.strings(language)})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _language(request: HttpRequest) -> str:
    return selectors.language_pick(request.GET.get("lang", ""), request.headers.get("Accept-Language", ""))


def _error(exc: DomainError) -> JsonResponse:
    body = {"type": "error", "code": exc.code, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return JsonResponse(body, status=exc.status)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    """Let the page at `origin` (allowed by the site) read the answer; no cookies are involved."""
    response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


@csrf_exempt
def attachment_upload(request: HttpRequest, site_key: str) -> HttpResponse:
    """The customer sends a file into the chat: `POST` multipart (`file`, `client_id`) with the resume
    token in the X-Chat-Token header, from a page the site allows (CORS, with its preflight).

    201 with the new line (as the socket sends it), 200 for a resend of the same `client_id`;
    the line also reaches the widget's tabs and the agents over their sockets.
    """
    with i18n.override(_language(request)):
        site = selectors.site_get_by_key(site_key)
        if site is None:
            return _error(NotFound(_("This chat is not available.")))
        origin = request.headers.get("Origin", "")
        if not origins.is_allowed(origin, list(site.allowed_origins)):
            return JsonResponse(
                {"type": "error", "code": "origin_refused", "message": _("This page may not use this chat.")},
                status=403,
            )
        if request.method == "OPTIONS":
            preflight = HttpResponse(status=204)
            preflight["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            preflight["Access-Control-Allow-Headers"] = TOKEN_HEADER
            preflight["Access-Control-Max-Age"] = "600"
            return _cors(preflight, origin)
        if request.method != "POST":
            refused = HttpResponse(status=405)
            refused["Allow"] = "POST, OPTIONS"
            return _cors(refused, origin)
        try:
            if _content_length(request) > services.attachment_max_bytes() + _ENVELOPE_BYTES:
                raise services.attachment_too_large()  # refused before the body is parsed
            try:
                file, client_id = request.FILES.get("file"), request.POST.get("client_id")
            except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
                raise Invalid(_("Choose a file to send."), field="file") from None
            upload = None
            if file is not None:
                upload = services.Upload(
                    file=file,
                    name=file.name or "",
                    content_type=file.content_type or "application/octet-stream",
                    size=file.size or 0,
                )
            entry, created = services.attachment_receive(
                site=site,
                token=request.headers.get(TOKEN_HEADER, ""),
                upload=upload,
                client_id=client_id,
                ip=str(request.META.get("REMOTE_ADDR") or ""),
            )
        except DomainError as exc:
            return _cors(_error(exc), origin)
        response = JsonResponse(
            {"type": "message", **services.entry_data(entry)}, status=201 if created else 200
        )
        return _cors(response, origin)


def _inert(response: HttpResponseBase) -> HttpResponseBase:
    """Whatever the bytes are, the browser saves them: never sniffed, run or framed."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    """A file of the chat, for the customer: `?s=` is the signed link the widget was given; anything
    else (another conversation's file, a changed link) is 404, an old link 410. Always a download."""
    with i18n.override(_language(request)):
        try:
            attachment = selectors.attachment_get_by_link(
                attachment_id=attachment_id, signature=request.GET.get("s", "")
            )
            handle = attachment.file.open("rb")
        except DomainError as exc:
            return _inert(HttpResponse(exc.message, status=exc.status, content_type=_TEXT))
        except OSError:  # the row is there but the stored bytes are gone
            return _inert(HttpResponse(_("This file cannot be found."), status=404, content_type=_TEXT))
    return _inert(download_response(request, attachment, handle))


@require_GET
def site_demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a business's page that embeds the demo site's widget (after `make demo`).

    Shown whenever the demo's site exists and is active, whatever DEBUG says (`frontline demo`
    runs without it); an installation without the demo answers 404. It holds nothing private: the
    public key is in every page that embeds a widget.
    """
    site = selectors.site_demo()
    if site is None:
        raise Http404("no demo site")
    page_origin = f"{request.scheme}://{request.get_host()}"
    context = {
        "site": site,
        "snippet": selectors.embed_snippet(site),
        "page_origin": page_origin,
        "is_allowed": origins.is_allowed(page_origin, list(site.allowed_origins)),
        "allowed_origins": list(site.allowed_origins),
    }
    return render(request, "webchat/site_demo.html", context)
