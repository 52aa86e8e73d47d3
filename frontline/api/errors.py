"""Every API error is JSON: {"error": {"code", "message", "field"?, "details"?}} with a 4xx status."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from frontline.core.errors import DomainError

logger = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **{k: v for k, v in extra.items() if v is not None}}}


def _field_of(loc: list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or None


def api_path_not_found(request: HttpRequest) -> HttpResponse:
    """A path under /api/v1/ that no endpoint has: the API's JSON error, as for any other 404."""
    body = error_body("not_found", f"no API endpoint at {request.path}; see /api/v1/docs")
    return JsonResponse(body, status=404)


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, field=exc.field))

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {
                "field": _field_of(list(err.get("loc", []))),
                "message": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
            for err in exc.errors
        ]
        first = details[0] if details else {"field": None, "message": "invalid input"}
        message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
        return respond(request, 422, error_body("invalid", message, field=first["field"], details=details))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            error_body(
                "unauthenticated", "sign in or send 'Authorization: Bearer <token>' with a valid API token"
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="frontline"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = "the request body is not valid JSON"
        return respond(request, exc.status_code, error_body(_CODES.get(exc.status_code, "error"), message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", str(exc) or "not found"))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(
            request, 413, error_body("too_large", "the request body is larger than this server accepts")
        )

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, 400, error_body("bad_request", "the request was refused as malformed"))
