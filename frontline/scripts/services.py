"""Every write to scripts, forbidden phrases and compliance findings; each records its event.

Saving or deleting a forbidden phrase clears the per-process phrase cache (`scripts/signals.py`).

`compliance_on_event` (wired in `scripts/signals.py`) reviews every reply an agent sends
(`message.added`, outbound, with an author) and keeps what the check finds for quality review.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import User
from frontline.core.errors import Invalid
from frontline.events.models import Event
from frontline.events.services import changes, event_record
from frontline.plans.models import PlanVersion
from frontline.scripts import compliance, greeting, languages
from frontline.scripts.models import ComplianceFinding, ForbiddenPhrase, Macro, Script
from frontline.scripts.selectors import compliance_check, is_first_reply
from frontline.tickets.models import Message

#: The longest pause a protocol line may have.
MAX_WAIT_SECONDS = 600
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def _language(value: str) -> str:
    code = languages.canonical(value)
    if not _LANGUAGE_CODE.match(code):
        raise Invalid(f"give a language code such as en, fil or zh-hans, got {value!r}", field="language")
    return code


# --- Forbidden phrases


def _phrase_data(row: ForbiddenPhrase) -> dict[str, Any]:
    return {
        "language": row.language,
        "phrase": row.phrase,
        "alternative": row.alternative,
        "note": row.note,
        "active": row.active,
    }


def _check_phrase(*, language: str, phrase: str, alternative: str, exclude: int | None = None) -> None:
    if not compliance.normalise(phrase).text:
        raise Invalid("the phrase has no words", field="phrase")
    if len(phrase) > 200:
        raise Invalid("the phrase is longer than 200 characters", field="phrase")
    if not alternative.strip():
        raise Invalid("give the alternative to say instead", field="alternative")
    if len(alternative) > 500:
        raise Invalid("the alternative is longer than 500 characters", field="alternative")
    if compliance.find(compliance.normalise(alternative), phrase):
        raise Invalid("the alternative contains the forbidden phrase", field="alternative")
    wanted = compliance.normalise(phrase).text
    others = ForbiddenPhrase.objects.filter(language=language)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if any(compliance.normalise(other).text == wanted for other in others.values_list("phrase", flat=True)):
        raise Invalid(f"{language} already forbids {phrase!r}", field="phrase")


@transaction.atomic
def forbidden_phrase_create(
    *,
    actor: User | None,
    language: str,
    phrase: str,
    alternative: str,
    note: str = "",
    active: bool = True,
) -> ForbiddenPhrase:
    """Forbid a phrase in a language, with what to say instead; 422 naming the field."""
    code = _language(language)
    phrase, alternative, note = phrase.strip(), alternative.strip(), note.strip()
    _check_phrase(language=code, phrase=phrase, alternative=alternative)
    row = ForbiddenPhrase.objects.create(
        language=code, phrase=phrase, alternative=alternative, note=note[:300], active=active
    )
    event_record(actor=actor, verb="forbidden_phrase.created", target=row, after=_phrase_data(row))
    return row


@transaction.atomic
def forbidden_phrase_update(
    *,
    actor: User | None,
    forbidden_phrase: ForbiddenPhrase,
    language: str | None = None,
    phrase: str | None = None,
    alternative: str | None = None,
    note: str | None = None,
    active: bool | None = None,
) -> ForbiddenPhrase:
    """Change a phrase; fields left None stay as they are."""
    row = ForbiddenPhrase.objects.select_for_update(of=("self",)).get(pk=forbidden_phrase.pk)
    values: dict[str, Any] = {}
    if language is not None:
        values["language"] = _language(language)
    if phrase is not None:
        values["phrase"] = phrase.strip()
    if alternative is not None:
        values["alternative"] = alternative.strip()
    if note is not None:
        values["note"] = note.strip()[:300]
    if active is not None:
        values["active"] = active
    _check_phrase(
        language=values.get("language", row.language),
        phrase=values.get("phrase", row.phrase),
        alternative=values.get("alternative", row.alternative),
        exclude=row.pk,
    )
    before, after = changes(row, list(values), values)
    if not after:
        return row
    row.save(update_fields=[*after, "updated_at"])
    event_record(actor=actor, verb="forbidden_phrase.updated", target=row, before=before, after=after)
    return row


@transaction.atomic
def forbidden_phrase_delete(*, actor: User | None, forbidden_phrase: ForbiddenPhrase) -> None:
    event_record(
        actor=actor,
        verb="forbidden_phrase.deleted",
        target=forbidden_phrase,
        before=_phrase_data(forbidden_phrase),
    )
    forbidden_phrase.delete()


# --- Scripts


def _script_data(row: Script) -> dict[str, Any]:
    return {
        "language": row.language,
        "kind": row.kind,
        "step": row.step,
        "text": row.text,
        "wait_seconds": row.wait_seconds,
        "plan_version": row.plan_version_id,
        "active": row.active,
    }


def _check_script(row: Script) -> None:
    if row.kind not in Script.Kind.values:
        raise Invalid(f"kind must be one of {', '.join(Script.Kind.values)}, got {row.kind!r}", field="kind")
    if not row.text.strip():
        raise Invalid("the text is empty", field="text")
    try:
        greeting.placeholders_in(row.text)
    except greeting.TemplateError as exc:
        raise Invalid(str(exc), field="text") from exc
    if row.step < 1:
        raise Invalid("steps are numbered from 1", field="step")
    if row.wait_seconds is not None and not 1 <= row.wait_seconds <= MAX_WAIT_SECONDS:
        raise Invalid(f"a pause is 1 to {MAX_WAIT_SECONDS} seconds, or empty", field="wait_seconds")
    taken = Script.objects.filter(
        language=row.language, kind=row.kind, step=row.step, plan_version=row.plan_version
    ).exclude(pk=row.pk)
    if taken.exists():
        scope = f"plan version {row.plan_version_id}" if row.plan_version_id else "the defaults"
        raise Invalid(f"{row.kind} step {row.step} in {row.language} exists in {scope}", field="step")


@transaction.atomic
def script_create(
    *,
    actor: User | None,
    language: str,
    kind: str,
    text: str,
    step: int = 1,
    wait_seconds: int | None = None,
    plan_version: PlanVersion | None = None,
    active: bool = True,
) -> Script:
    """A script line; 422 naming the field when it is not usable."""
    row = Script(
        language=_language(language),
        kind=kind,
        step=step,
        text=text.strip(),
        wait_seconds=wait_seconds,
        plan_version=plan_version,
        active=active,
    )
    _check_script(row)
    row.save()
    event_record(actor=actor, verb="script.created", target=row, after=_script_data(row))
    return row


_UNSET: Any = object()


@transaction.atomic
def script_update(
    *,
    actor: User | None,
    script: Script,
    text: str | None = None,
    step: int | None = None,
    wait_seconds: Any = _UNSET,
    active: bool | None = None,
) -> Script:
    """Change a script's text, step, pause or whether it is in use; language, kind and plan stay.

    `wait_seconds`: seconds, None to wait for an event instead, or left out to keep it.
    """
    row = Script.objects.select_for_update(of=("self",)).get(pk=script.pk)
    values: dict[str, Any] = {}
    if text is not None:
        values["text"] = text.strip()
    if step is not None:
        values["step"] = step
    if wait_seconds is not _UNSET:
        values["wait_seconds"] = wait_seconds
    if active is not None:
        values["active"] = active
    before, after = changes(row, list(values), values)
    if not after:
        return row
    _check_script(row)
    row.save(update_fields=[*after, "updated_at"])
    event_record(actor=actor, verb="script.updated", target=row, before=before, after=after)
    return row


@transaction.atomic
def script_delete(*, actor: User | None, script: Script) -> None:
    event_record(actor=actor, verb="script.deleted", target=script, before=_script_data(script))
    script.delete()


# --- Findings for quality review


@transaction.atomic
def compliance_findings_record(*, message: Message) -> list[ComplianceFinding]:
    """Check a reply an agent sent and keep what is found; nothing for other messages.

    Recording twice for the same message keeps the first findings (they are unique per message,
    kind and position).
    """
    if message.direction != Message.Direction.OUTBOUND or message.author_user_id is None:
        return []
    ticket = message.ticket
    customer = ticket.requester
    found = compliance_check(
        text=message.body_text,
        language=customer.language,
        channel=message.channel,
        is_first_reply=is_first_reply(ticket=ticket, before=message),
        customer=customer,
        agent=message.author_user,
        plan_version=ticket.plan_version,
    )
    if not found:
        return []
    now = timezone.now()
    rows = [
        ComplianceFinding(
            message=message,
            ticket=ticket,
            agent_id=message.author_user_id,
            kind=finding.kind,
            phrase=finding.phrase[:200],
            excerpt=message.body_text[finding.start : finding.end][:300],
            suggestion=finding.suggestion,
            start=finding.start,
            end=finding.end,
            created_at=now,
        )
        for finding in found
    ]
    ComplianceFinding.objects.bulk_create(rows, ignore_conflicts=True)
    event_record(
        actor=None,
        verb="compliance_finding.recorded",
        target=message,
        after={
            "ticket": ticket.pk,
            "agent": message.author_user_id,
            "kinds": [finding.kind for finding in found],
            "phrases": [finding.phrase for finding in found if finding.phrase],
        },
        at=now,
    )
    return rows


def compliance_on_event(*, event: Event) -> list[ComplianceFinding]:
    """React to `message.added`: review the reply when an agent sent it to the customer."""
    if event.verb != "message.added" or event.after.get("direction") != Message.Direction.OUTBOUND:
        return []
    message_id = event.after.get("message")
    if not isinstance(message_id, int):
        return []
    message = (
        Message.objects.select_related("ticket__requester", "ticket__plan_version", "author_user")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return []
    return compliance_findings_record(message=message)


def _check_macro(*, name: str, language: str, body: str, exclude: int | None = None) -> tuple[str, str, str]:
    name, body = name.strip(), body.strip()
    if not name:
        raise Invalid("the name is empty", field="name")
    language = _language(language)
    if not body:
        raise Invalid("the text is empty", field="body")
    try:
        greeting.placeholders_in(body)
    except greeting.TemplateError as exc:
        raise Invalid(str(exc), field="body") from exc
    same = Macro.objects.filter(language=language, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Invalid(f"a {language} macro named {name!r} exists", field="name")
    return name, language, body


@transaction.atomic
def macro_create(*, actor: User | None, name: str, language: str, body: str) -> Macro:
    name, language, body = _check_macro(name=name, language=language, body=body)
    macro = Macro.objects.create(name=name, language=language, body=body)
    event_record(
        actor=actor,
        verb="macro.created",
        target=macro,
        after={"name": name, "language": language, "body": body},
    )
    return macro


@transaction.atomic
def macro_update(
    *,
    actor: User | None,
    macro: Macro,
    name: str | None = None,
    body: str | None = None,
    active: bool | None = None,
) -> Macro:
    before = {"name": macro.name, "body": macro.body, "active": macro.active}
    new_name, _, new_body = _check_macro(
        name=macro.name if name is None else name,
        language=macro.language,
        body=macro.body if body is None else body,
        exclude=macro.pk,
    )
    macro.name, macro.body = new_name, new_body
    if active is not None:
        macro.active = active
    macro.save()
    after = {"name": macro.name, "body": macro.body, "active": macro.active}
    changed = {k: v for k, v in after.items() if before[k] != v}
    event_record(
        actor=actor, verb="macro.updated", target=macro, before={k: before[k] for k in changed}, after=changed
    )
    return macro
