"""Reads of scripts and phrases, the compliance check, and the greeting for a customer.

Scripts are looked up in the language asked for, then in English; a plan version's active scripts of
a kind replace the global ones of that kind. Forbidden phrases are read once per process and kept
for `PHRASE_CACHE_SECONDS`; saving or deleting a phrase in this process clears the cache at once
(`scripts/signals.py`), other processes see the change when their copy expires.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from frontline.accounts.models import AgentProfile, User
from frontline.customers.models import Customer
from frontline.plans.models import PlanVersion
from frontline.plans.selectors import plan_version_for_customer
from frontline.scripts import compliance, greeting, languages, silent_call
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Macro, Script
from frontline.tickets.models import Message, Ticket

PHRASE_CACHE_SECONDS = 60.0
DEFAULT_COMPANY = "Frontline"

_lock = threading.Lock()
_phrases: tuple[float, tuple[compliance.Phrase, ...]] | None = None


def forbidden_phrases_cache_clear() -> None:
    global _phrases
    with _lock:
        _phrases = None


def forbidden_phrases_active() -> tuple[compliance.Phrase, ...]:
    """Every active forbidden phrase, whatever its language (cached per process)."""
    global _phrases
    now = time.monotonic()
    with _lock:
        cached = _phrases
    if cached is not None and now - cached[0] < PHRASE_CACHE_SECONDS:
        return cached[1]
    rows = ForbiddenPhrase.objects.filter(active=True).order_by("language", "phrase", "id")
    loaded = tuple(
        compliance.Phrase(
            phrase=row.phrase, alternative=row.alternative, language=row.language, note=row.note
        )
        for row in rows
    )
    with _lock:
        _phrases = (now, loaded)
    return loaded


def forbidden_phrase_list(*, language: str | None = None) -> QuerySet[ForbiddenPhrase]:
    phrases = ForbiddenPhrase.objects.all()
    if language:
        phrases = phrases.filter(language=languages.canonical(language))
    return phrases.order_by("language", "phrase", "id")


def script_list(
    *, language: str | None = None, kind: str | None = None, plan_version_id: int | None = None
) -> QuerySet[Script]:
    """Every script (active or not), optionally of one language, kind or plan version."""
    scripts = Script.objects.all()
    if language:
        scripts = scripts.filter(language=languages.canonical(language))
    if kind:
        scripts = scripts.filter(kind=kind)
    if plan_version_id is not None:
        scripts = scripts.filter(plan_version_id=plan_version_id)
    return scripts.order_by("language", "kind", "plan_version_id", "step", "id")


@dataclass(frozen=True)
class ScriptLines:
    """The lines of the scripts in force, by kind, with the language they were found in."""

    language: str
    lines: dict[str, list[Script]]

    def first(self, kind: str) -> str:
        found = self.lines.get(kind)
        return found[0].text if found else ""


def scripts_in_force(*, language: str | None, plan_version: PlanVersion | None = None) -> ScriptLines:
    """The active lines of every kind in `language` (else English), a plan version's before the defaults.

    A kind is taken whole from the first place that has it: the plan version in the language, the
    defaults in the language, the plan version in English, the defaults in English.
    """
    order = languages.lookup_order(language)
    rows = Script.objects.filter(active=True, language__in=order).order_by("step", "id")
    if plan_version is None:
        rows = rows.filter(plan_version__isnull=True)
    else:
        rows = rows.filter(plan_version__isnull=True) | rows.filter(plan_version=plan_version)
    places: dict[tuple[str, str, bool], list[Script]] = {}
    for row in rows:
        places.setdefault((row.kind, row.language, row.plan_version_id is not None), []).append(row)
    chosen: dict[str, list[Script]] = {}
    for kind in Script.Kind.values:
        for code in order:
            found = places.get((kind, code, True)) or places.get((kind, code, False))
            if found:
                chosen[kind] = sorted(found, key=lambda script: (script.step, script.pk))
                break
    return ScriptLines(language=order[0], lines=chosen)


def silent_call_protocol(
    *, language: str | None, plan_version: PlanVersion | None = None
) -> tuple[silent_call.Protocol, ScriptLines]:
    """The silent-call protocol (with its low-volume, noise and language branches) from the scripts."""
    scripts = scripts_in_force(language=language, plan_version=plan_version)
    branches = {
        branch: [
            (line.text, float(line.wait_seconds) if line.wait_seconds is not None else None)
            for line in scripts.lines.get(_BRANCH_KINDS[branch], [])
        ]
        for branch in silent_call.BRANCHES
    }
    protocol = silent_call.Protocol.of(
        {name: lines for name, lines in branches.items() if lines},
        route_line=scripts.first(Script.Kind.TRANSFER),
    )
    return protocol, scripts


_BRANCH_KINDS = {
    "silent": Script.Kind.SILENT_CALL.value,
    "low_volume": Script.Kind.LOW_VOLUME.value,
    "noise": Script.Kind.NOISE.value,
    "foreign_language": Script.Kind.FOREIGN_LANGUAGE.value,
}


def agents_speaking(language: str) -> list[User]:
    """Active staff whose profile lists `language` (in any of its spellings), by name."""
    wanted = languages.canonical(language)
    if not wanted:
        return []
    profiles = AgentProfile.objects.select_related("user").filter(user__is_active=True).order_by("user_id")
    return [
        profile.user
        for profile in profiles
        if any(languages.canonical(str(code)) == wanted for code in profile.languages or [])
    ]


def company_name(plan_version: PlanVersion | None) -> str:
    """The business's name as scripts say it: the plan version's `company_name`, else the site's."""
    if plan_version is not None and isinstance(plan_version.settings, dict):
        name = plan_version.settings.get("company_name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return str(getattr(settings, "FRONTLINE_COMPANY_NAME", DEFAULT_COMPANY))


def _local_hour(at: datetime, *zones: str) -> int:
    for name in zones:
        if not name:
            continue
        try:
            return at.astimezone(ZoneInfo(name)).hour
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return at.astimezone(ZoneInfo("UTC")).hour


def _addressee(customer: Customer | None, language: str) -> greeting.Addressee:
    if customer is None:
        return greeting.addressee(title="", last_name="", language=language)
    return greeting.addressee(
        title=customer.salutation,
        last_name=customer.last_name,
        first_name=customer.first_name,
        language=language,
    )


@dataclass(frozen=True)
class Greeting:
    text: str
    language: str
    salutation: str
    surname: str
    formal_name: str
    script_id: int | None


def _render_line(
    script: Script | None,
    *,
    customer: Customer | None,
    agent: User | None,
    language: str,
    plan_version: PlanVersion | None,
    at: datetime | None = None,
) -> tuple[str, greeting.Addressee]:
    addressee = _addressee(customer, language)
    if script is None:
        return "", addressee
    when = at or timezone.now()
    hour = _local_hour(
        when, customer.timezone if customer is not None else "", agent.timezone if agent is not None else ""
    )
    try:
        text = greeting.render(
            script.text,
            addressee=addressee,
            agent_first_name=(agent.first_name or agent.get_username()) if agent is not None else "",
            company=company_name(plan_version),
            hour=hour,
        )
    except greeting.TemplateError:
        text = script.text  # an admin saved a bad template: show it as written rather than fail
    return text, addressee


def greeting_for(
    *,
    customer: Customer | None,
    agent: User | None,
    language: str | None = None,
    at: datetime | None = None,
) -> Greeting:
    """The greeting line for `customer` in `language` (default: the customer's, else English).

    "Good morning, Mr. Reyes! …"; "王先生，上午好！…". The part of the day is the customer's local
    time (else the agent's, else UTC) at `at` (default: now).
    """
    wanted = languages.canonical(language) or languages.canonical(customer.language if customer else "")
    plan_version = plan_version_for_customer(customer=customer, at=at) if customer is not None else None
    scripts = scripts_in_force(language=wanted or languages.FALLBACK, plan_version=plan_version)
    found = scripts.lines.get(Script.Kind.GREETING)
    script = found[0] if found else None
    used = script.language if script is not None else scripts.language
    text, addressee = _render_line(
        script, customer=customer, agent=agent, language=used, plan_version=plan_version, at=at
    )
    return Greeting(
        text=text,
        language=used,
        salutation=addressee.salutation,
        surname=addressee.surname,
        formal_name=addressee.formal,
        script_id=script.pk if script is not None else None,
    )


def compliance_check(
    *,
    text: str,
    language: str,
    channel: str,
    is_first_reply: bool,
    customer: Customer | None = None,
    agent: User | None = None,
    plan_version: PlanVersion | None = None,
) -> list[compliance.Finding]:
    """Findings about an outbound text, with the greeting and closing lines of `language` as suggestions.

    Every active forbidden phrase is looked for whatever its language (agents code-switch); see
    `scripts/compliance.py` for the matching and for which channel asks for a greeting and closing.
    """
    code = languages.canonical(language) or languages.FALLBACK
    rule = compliance.rule_for(channel)
    greeting_line = closing_line = ""
    if rule.needs_greeting(is_first_reply) or rule.needs_closing(is_first_reply):
        scripts = scripts_in_force(language=code, plan_version=plan_version)
        for kind in (Script.Kind.GREETING, Script.Kind.CLOSING):
            found = scripts.lines.get(kind)
            script = found[0] if found else None
            line, _ = _render_line(
                script,
                customer=customer,
                agent=agent,
                language=script.language if script is not None else code,
                plan_version=plan_version,
            )
            if kind == Script.Kind.GREETING:
                greeting_line = line
            else:
                closing_line = line
    return compliance.check(
        text,
        phrases=forbidden_phrases_active(),
        channel=channel,
        is_first_reply=is_first_reply,
        language=code,
        greeting_suggestion=greeting_line,
        closing_suggestion=closing_line,
    )


def is_first_reply(*, ticket: Ticket, before: Message | None = None) -> bool:
    """Whether no agent has replied on the ticket yet (before `before`, when given)."""
    replies = Message.objects.filter(ticket=ticket, direction=Message.Direction.OUTBOUND)
    if before is not None:
        replies = replies.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, pk__lt=before.pk)
        )
    return not replies.exists()


def compliance_finding_list_for_ticket(*, ticket: Ticket) -> QuerySet[ComplianceFinding]:
    return ComplianceFinding.objects.filter(ticket=ticket).order_by("created_at", "message_id", "start", "id")


def macro_list(*, language: str | None = None) -> QuerySet[Macro]:
    """Active macros, in one language (with English ones after it) or all."""
    macros = Macro.objects.filter(active=True)
    if language:
        wanted = languages.canonical(language)
        macros = macros.filter(language__in={wanted, languages.FALLBACK})
    return macros.order_by("language", "name")


def macro_render(
    *, macro: Macro, customer: Customer | None, agent: User | None, at: datetime | None = None
) -> str:
    """The macro's text for this customer: "Good morning, Mr. Reyes. …" (placeholders filled in)."""
    plan_version = plan_version_for_customer(customer=customer, at=at) if customer is not None else None
    addressee = _addressee(customer, macro.language)
    hour = _local_hour(
        at or timezone.now(),
        customer.timezone if customer is not None else "",
        agent.timezone if agent is not None else "",
    )
    try:
        return greeting.render(
            macro.body,
            addressee=addressee,
            agent_first_name=(agent.first_name or agent.get_username()) if agent is not None else "",
            company=company_name(plan_version),
            hour=hour,
        )
    except greeting.TemplateError:
        return macro.body
