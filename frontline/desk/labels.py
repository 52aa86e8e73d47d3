"""Words the desk shows for stored values: channels, statuses, tiers, salutations, languages, reasons.

Stored values are codes ("zh-hans", "lunch", "gold"); a page never shows the code itself. Labels
are translated in the desk's own catalogs, so a value whose model has no translated label (a
customer's tier, a salutation typed by hand) still reads in Tagalog and Chinese.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frontline.routing.models import NotReadyReason, PresenceState
from frontline.tickets.models import Channel, Ticket

CHANNELS = dict(Channel.choices)
STATUSES = dict(Ticket.Status.choices)
PRIORITIES = dict(Ticket.Priority.choices)
PRESENCE_STATES = dict(PresenceState.choices)
NOT_READY_REASONS = dict(NotReadyReason.choices)

TIERS = {
    "standard": _("Standard"),
    "silver": _("Silver"),
    "gold": _("Gold"),
    "platinum": _("Platinum"),
}

#: A customer's ways to be reached (`ContactPoint.kind`).
CONTACT_KINDS = {
    "email": pgettext_lazy("contact point", "Email"),
    "phone": pgettext_lazy("contact point", "Phone"),
    "social": pgettext_lazy("contact point", "Social"),
}

#: Salutations people type, by their usual spellings (compared without a final dot, any case).
SALUTATIONS = {
    "mr": pgettext_lazy("salutation", "Mr."),
    "mrs": pgettext_lazy("salutation", "Mrs."),
    "ms": pgettext_lazy("salutation", "Ms."),
    "miss": pgettext_lazy("salutation", "Miss"),
    "dr": pgettext_lazy("salutation", "Dr."),
    "sir": pgettext_lazy("salutation", "Sir"),
    "madam": pgettext_lazy("salutation", "Madam"),
    "prof": pgettext_lazy("salutation", "Prof."),
    "engr": pgettext_lazy("salutation", "Engr."),
    "atty": pgettext_lazy("salutation", "Atty."),
}

#: Languages by the codes customers and agents carry (lower case; "zh_Hans" is read as "zh-hans").
LANGUAGES = {
    "en": _("English"),
    "fil": _("Tagalog"),
    "tl": _("Tagalog"),
    "zh": _("Chinese"),
    "zh-hans": _("Chinese (Simplified)"),
    "zh-cn": _("Chinese (Simplified)"),
    "zh-hant": _("Chinese (Traditional)"),
    "zh-tw": _("Chinese (Traditional)"),
    "ceb": _("Cebuano"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "es": _("Spanish"),
}

ESCALATION_ACTIONS = {
    "notify_assignee": _("notify the assignee"),
    "notify_team_lead": _("notify the team lead"),
    "reassign": _("reassign to another team or tier"),
    "raise_priority": _("raise the priority"),
    "page_on_call": _("page the on-call manager"),
}

#: The languages an inbox can be filtered by (customers' languages), in this order.
FILTER_LANGUAGES = ("en", "fil", "zh-hans")


def channel_label(value: str) -> str:
    return str(CHANNELS.get(value, value))


def status_label(value: str) -> str:
    return str(STATUSES.get(value, value))


def priority_label(value: str) -> str:
    return str(PRIORITIES.get(value, value))


def tier_label(value: str) -> str:
    return str(TIERS.get(value, value))


def presence_label(value: str) -> str:
    return str(PRESENCE_STATES.get(value, value))


def reason_label(value: str) -> str:
    """A not-ready reason's words; an unknown code reads as "Other reason", never as the code."""
    if not value:
        return ""
    return str(NOT_READY_REASONS.get(value, _("Other reason")))


def salutation_label(value: str) -> str:
    """A known salutation in the page's language; in English, or unknown, as it was typed."""
    key = value.strip().rstrip(".").casefold()
    found = SALUTATIONS.get(key)
    if found is None:
        return value.strip()
    translated = str(found)
    with translation.override("en"):
        english = str(found)
    return value.strip() if translated == english else translated


def contact_kind_label(value: str) -> str:
    return str(CONTACT_KINDS.get(value, value))


def normalise_language(code: str) -> str:
    return code.strip().replace("_", "-").lower()


def language_name(code: str | None) -> str:
    """A language code's name in the page's language; an unknown code is shown as given."""
    if not code:
        return ""
    normal = normalise_language(code)
    found = LANGUAGES.get(normal) or LANGUAGES.get(normal.split("-")[0])
    return str(found) if found is not None else code
