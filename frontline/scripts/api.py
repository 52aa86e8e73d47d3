"""Scripts over HTTP: staff check replies, read greetings and protocols; supervisors and admins edit."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.selectors import customer_get_for_staff
from frontline.plans.models import PlanVersion
from frontline.scripts import compliance, languages, selectors, services, silent_call
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Macro, Script
from frontline.scripts.schemas import (
    CheckIn,
    CheckOut,
    ComplianceFindingOut,
    GreetingOut,
    PhraseIn,
    PhraseOut,
    PhrasePatch,
    ScriptIn,
    ScriptOut,
    ScriptPatch,
    SilentCallOut,
)
from frontline.tickets.models import Channel
from frontline.tickets.selectors import ticket_get_for_principal

router = Router(tags=["scripts"])


def _staff(principal: Principal, *, change: bool = False) -> None:
    require_staff(principal, "only staff may use scripts")
    if change and not principal.is_supervisor_or_admin:
        raise Forbidden("only supervisors and admins may change scripts and forbidden phrases")


def _language(value: str, field: str = "language") -> str:
    code = languages.canonical(value)
    if not code:
        raise Invalid("give a language code such as en, fil or zh-hans", field=field)
    return code


@router.post("/scripts/check", response=CheckOut, summary="Review a reply before it is sent")
def scripts_check(request: HttpRequest, body: CheckIn) -> dict[str, Any]:
    """Forbidden phrases with their alternatives, and a missing greeting or closing where the channel
    asks for one. Nothing is recorded: findings are kept when the reply is sent."""
    principal = principal_of(request)
    _staff(principal)
    customer: Customer | None = None
    plan_version: PlanVersion | None = None
    first_reply = True
    channel = body.channel
    language = body.language
    if body.ticket_id is not None:
        ticket = ticket_get_for_principal(principal=principal, ticket_id=body.ticket_id)
        customer, plan_version = ticket.requester, ticket.plan_version
        first_reply = selectors.is_first_reply(ticket=ticket)
        channel = channel or ticket.channel
        language = language or customer.language or languages.FALLBACK
    if not channel or channel not in Channel.values:
        raise Invalid(f"channel must be one of {', '.join(Channel.values)}", field="channel")
    if not language:
        raise Invalid("give the reply's language, or the ticket it is for", field="language")
    code = _language(language)
    if body.is_first_reply is not None:
        first_reply = body.is_first_reply
    findings = selectors.compliance_check(
        text=body.text,
        language=code,
        channel=channel,
        is_first_reply=first_reply,
        customer=customer,
        agent=principal.user,
        plan_version=plan_version,
    )
    return {
        "language": code,
        "channel": channel,
        "is_first_reply": first_reply,
        "findings": [_finding(finding, body.text) for finding in findings],
    }


def _finding(finding: compliance.Finding, text: str) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "start": finding.start,
        "end": finding.end,
        "phrase": finding.phrase,
        "excerpt": text[finding.start : finding.end],
        "suggestion": finding.suggestion,
        "note": finding.note,
    }


@router.get("/scripts/greeting", response=GreetingOut, summary="The greeting line for a customer")
def scripts_greeting(request: HttpRequest, customer_id: int, language: str | None = None) -> Any:
    principal = principal_of(request)
    _staff(principal)
    customer = customer_get_for_staff(principal=principal, customer_id=customer_id)
    return selectors.greeting_for(
        customer=customer, agent=principal.user, language=_language(language) if language else None
    )


@router.get("/scripts/silent-call", response=SilentCallOut, summary="The silent-call protocol with timings")
def scripts_silent_call(
    request: HttpRequest, language: str = languages.FALLBACK, customer_language: str | None = None
) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal)
    protocol, scripts = selectors.silent_call_protocol(language=_language(language))
    branches = {
        branch: [
            {
                "step": step.number,
                "action": step.action,
                "line": step.line,
                "starts_at_seconds": step.starts_at,
                "wait_seconds": step.wait_seconds,
            }
            for step in protocol.steps(branch)
        ]
        for branch in silent_call.BRANCHES
        if protocol.lines(branch)
    }
    speakers = (
        selectors.agents_speaking(_language(customer_language, "customer_language"))
        if customer_language
        else []
    )
    return {
        "language": scripts.language,
        "branches": branches,
        "route_line": protocol.route_line,
        "total_seconds": protocol.total_seconds("silent"),
        "agents_speaking": [user.pk for user in speakers],
    }


# Fixed paths go before /scripts/{script_id}, which would otherwise match them first.


def _phrase(phrase_id: int) -> ForbiddenPhrase:
    phrase = ForbiddenPhrase.objects.filter(pk=phrase_id).first()
    if phrase is None:
        raise NotFound(f"forbidden phrase {phrase_id} not found")
    return phrase


@router.get("/scripts/forbidden-phrases", response=list[PhraseOut], summary="List forbidden phrases")
def forbidden_phrase_list(request: HttpRequest, language: str | None = None) -> QuerySet[ForbiddenPhrase]:
    _staff(principal_of(request))
    return selectors.forbidden_phrase_list(language=language)


@router.post("/scripts/forbidden-phrases", response={201: PhraseOut}, summary="Forbid a phrase")
def forbidden_phrase_create(request: HttpRequest, body: PhraseIn) -> Status[ForbiddenPhrase]:
    principal = principal_of(request)
    _staff(principal, change=True)
    phrase = services.forbidden_phrase_create(
        actor=principal.user,
        language=body.language,
        phrase=body.phrase,
        alternative=body.alternative,
        note=body.note,
        active=body.active,
    )
    return Status(201, phrase)


@router.patch(
    "/scripts/forbidden-phrases/{phrase_id}", response=PhraseOut, summary="Change a forbidden phrase"
)
def forbidden_phrase_update(request: HttpRequest, phrase_id: int, body: PhrasePatch) -> ForbiddenPhrase:
    principal = principal_of(request)
    _staff(principal, change=True)
    return services.forbidden_phrase_update(
        actor=principal.user,
        forbidden_phrase=_phrase(phrase_id),
        language=body.language,
        phrase=body.phrase,
        alternative=body.alternative,
        note=body.note,
        active=body.active,
    )


@router.delete(
    "/scripts/forbidden-phrases/{phrase_id}", response={204: None}, summary="Remove a forbidden phrase"
)
def forbidden_phrase_delete(request: HttpRequest, phrase_id: int) -> Status[None]:
    principal = principal_of(request)
    _staff(principal, change=True)
    services.forbidden_phrase_delete(actor=principal.user, forbidden_phrase=_phrase(phrase_id))
    return Status(204, None)


@router.get("/scripts", response=list[ScriptOut], summary="List scripts")
def script_list(
    request: HttpRequest,
    language: str | None = None,
    kind: str | None = None,
    plan_version_id: int | None = None,
) -> QuerySet[Script]:
    _staff(principal_of(request))
    if kind is not None and kind not in Script.Kind.values:
        raise Invalid(f"kind must be one of {', '.join(Script.Kind.values)}", field="kind")
    return selectors.script_list(language=language, kind=kind, plan_version_id=plan_version_id)


def _plan_version(plan_version_id: int | None) -> PlanVersion | None:
    if plan_version_id is None:
        return None
    plan_version = PlanVersion.objects.filter(pk=plan_version_id).first()
    if plan_version is None:
        raise Invalid(f"plan version {plan_version_id} does not exist", field="plan_version_id")
    return plan_version


def _script(script_id: int) -> Script:
    script = Script.objects.filter(pk=script_id).first()
    if script is None:
        raise NotFound(f"script {script_id} not found")
    return script


@router.post("/scripts", response={201: ScriptOut}, summary="Add a script line")
def script_create(request: HttpRequest, body: ScriptIn) -> Status[Script]:
    principal = principal_of(request)
    _staff(principal, change=True)
    script = services.script_create(
        actor=principal.user,
        language=body.language,
        kind=body.kind,
        text=body.text,
        step=body.step,
        wait_seconds=body.wait_seconds,
        plan_version=_plan_version(body.plan_version_id),
        active=body.active,
    )
    return Status(201, script)


@router.patch("/scripts/{script_id}", response=ScriptOut, summary="Change a script line")
def script_update(request: HttpRequest, script_id: int, body: ScriptPatch) -> Script:
    principal = principal_of(request)
    _staff(principal, change=True)
    extra: dict[str, Any] = {}
    if "wait_seconds" in body.model_fields_set:
        extra["wait_seconds"] = body.wait_seconds
    return services.script_update(
        actor=principal.user,
        script=_script(script_id),
        text=body.text,
        step=body.step,
        active=body.active,
        **extra,
    )


@router.delete("/scripts/{script_id}", response={204: None}, summary="Remove a script line")
def script_delete(request: HttpRequest, script_id: int) -> Status[None]:
    principal = principal_of(request)
    _staff(principal, change=True)
    services.script_delete(actor=principal.user, script=_script(script_id))
    return Status(204, None)


@router.get(
    "/tickets/{ticket_id}/compliance",
    response=list[ComplianceFindingOut],
    summary="What the compliance check found in a ticket's replies",
)
def ticket_compliance(request: HttpRequest, ticket_id: int) -> QuerySet[ComplianceFinding]:
    principal = principal_of(request)
    require_staff(principal, "only staff may see quality reviews")
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    return selectors.compliance_finding_list_for_ticket(ticket=ticket)


# --- Macros


class MacroIn(Schema):
    name: str = Field(max_length=100)
    language: str = Field("en", max_length=16)
    body: str = Field(
        description="May use {day_greeting} {salutation} {surname} {agent_first_name} {company}."
    )


class MacroPatch(Schema):
    name: str | None = Field(None, max_length=100)
    body: str | None = None
    active: bool | None = None


class MacroOut(Schema):
    id: int
    name: str
    language: str
    body: str
    active: bool


class MacroText(Schema):
    macro_id: int
    text: str


@router.get("/macros", response=list[MacroOut], summary="Active macros (in a language)")
def macro_list(request: HttpRequest, language: str | None = None) -> Any:
    _staff(principal_of(request))
    return selectors.macro_list(language=_language(language) if language else None)


@router.post("/macros", response={201: MacroOut}, summary="Create a macro")
def macro_create(request: HttpRequest, body: MacroIn) -> Any:
    principal = principal_of(request)
    _staff(principal, change=True)
    return Status(
        201,
        services.macro_create(actor=principal.user, name=body.name, language=body.language, body=body.body),
    )


@router.patch("/macros/{macro_id}", response=MacroOut, summary="Change or retire a macro")
def macro_update(request: HttpRequest, macro_id: int, body: MacroPatch) -> Any:
    principal = principal_of(request)
    _staff(principal, change=True)
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None:
        raise NotFound("no such macro")
    return services.macro_update(
        actor=principal.user, macro=macro, name=body.name, body=body.body, active=body.active
    )


@router.get(
    "/tickets/{ticket_id}/macros/{macro_id}",
    response=MacroText,
    summary="A macro filled in for a ticket's customer",
)
def macro_for_ticket(request: HttpRequest, ticket_id: int, macro_id: int) -> dict[str, Any]:
    principal = principal_of(request)
    _staff(principal)
    ticket = ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    macro = selectors.macro_list().filter(pk=macro_id).first()
    if macro is None:
        raise NotFound("no such macro")
    return {
        "macro_id": macro.pk,
        "text": selectors.macro_render(macro=macro, customer=ticket.requester, agent=principal.user),
    }
