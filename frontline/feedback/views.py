"""The public survey page: /survey/<token>/ shows the form (GET) and takes the answer (POST, CSRF).

404 for a token nobody was given, 410 for one answered already or expired. No JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from frontline.core.errors import NotFound
from frontline.feedback import services
from frontline.feedback.models import SurveyInvitation


def _context(invitation: SurveyInvitation, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "invitation": invitation,
        "questions": services.questions_for(invitation),
        "values": {key: str(value) for key, value in values.items()},
        "errors": errors,
    }


def _language_of(invitation: SurveyInvitation, request: HttpRequest) -> str:
    """The customer's own language when Frontline speaks it, else the browser's."""
    language = invitation.customer.language.lower()
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else translation.get_language_from_request(request)


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except (NotFound, services.SurveyGone):
        return _survey_answer(request, token)
    with translation.override(_language_of(invitation, request)):
        return _survey_answer(request, token)


def _survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token=token)
    except NotFound as exc:
        raise Http404("no such survey") from exc
    except services.SurveyGone as exc:
        return render(request, "feedback/survey_gone.html", {"code": exc.code}, status=410)
    if request.method == "GET":
        return render(request, "feedback/survey_answer.html", _context(invitation, {}, {}))
    data = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    try:
        services.survey_respond(token=token, data=data)
    except services.AnswersInvalid as exc:
        return render(
            request, "feedback/survey_answer.html", _context(invitation, data, exc.errors), status=422
        )
    except services.SurveyGone as exc:  # answered in another tab a moment ago
        return render(request, "feedback/survey_gone.html", {"code": exc.code}, status=410)
    return render(request, "feedback/survey_thanks.html", {"invitation": invitation})
