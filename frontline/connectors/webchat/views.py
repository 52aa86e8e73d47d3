"""The widget's HTTP side: its strings in the visitor's language, and a demo page for staff."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from frontline.connectors.webchat import selectors


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
