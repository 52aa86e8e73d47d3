"""The desk's small components as template tags: channel icons, status chips, SLA badges, times.

Load with `{% load desk_ui %}`; docs/desk-ui.md shows each one. Every tag escapes what it is given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontline.desk.labels import (
    channel_label,
    contact_kind_label,
    language_name,
    reason_label,
    salutation_label,
    status_label,
    tier_label,
)

register = template.Library()

#: Bootstrap Icons per channel (https://icons.getbootstrap.com).
CHANNEL_ICONS = {
    "email": "envelope",
    "chat": "chat-dots",
    "voice": "telephone",
    "sms": "phone",
    "social": "people",
    "web_form": "ui-checks",
    "callback": "telephone-outbound",
    "api": "plug",
}


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    """A Bootstrap icon; with `label`, the label is read out (the icon itself is always hidden)."""
    if label:
        return format_html(
            '<i class="bi bi-{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>', name, label
        )
    return format_html('<i class="bi bi-{}" aria-hidden="true"></i>', name)


@register.simple_tag
def channel_icon(channel: str) -> SafeString:
    """The channel's icon with its translated name as a tooltip and for screen readers."""
    label = channel_label(channel)
    return format_html(
        '<span class="channel-icon" title="{}"><i class="bi bi-{}" aria-hidden="true"></i>'
        '<span class="visually-hidden">{}</span></span>',
        label,
        CHANNEL_ICONS.get(channel, "question-circle"),
        label,
    )


@register.simple_tag
def language_badge(code: str | None) -> SafeString:
    """A short language tag ("EN", "FIL", "中文") titled with the language's translated name."""
    if not code:
        return format_html('<span class="lang-badge lang-none" title="{}">—</span>', _("Language not known"))
    name = language_name(code)
    short = "中文" if code.lower().startswith("zh") else code.split("-")[0].upper()[:3]
    return format_html(
        '<span class="lang-badge" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        name,
        short,
        name,
    )


@register.simple_tag
def status_chip(status: str) -> SafeString:
    """A ticket status as a coloured chip with its translated name."""
    return format_html('<span class="status-chip status-{}">{}</span>', status, status_label(status))


SLA_STATES = {
    "ok": gettext_lazy("On time"),
    "risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
}


@register.simple_tag
def sla_badge(
    due_at: datetime | None,
    *,
    state: str = "running",
    at_risk_at: datetime | None = None,
    label: str = "",
) -> SafeString:
    """A live SLA countdown: desk.js counts down from `data-due` and colours it ok / at risk / breached.

    `state` is the clock's state ("running", "paused", "breached", "met"); without a due time the
    badge shows the state alone. The server renders the first text, so it reads right without JS.
    """
    now = timezone.now()
    if state == "breached" or (state == "running" and due_at is not None and due_at <= now):
        kind = "breached"
    elif state == "paused":
        kind = "paused"
    elif state == "met":
        kind = "met"
    elif due_at is None:
        return format_html('<span class="sla-badge sla-none">{}</span>', "—")
    elif at_risk_at is not None and at_risk_at <= now:
        kind = "risk"
    else:
        kind = "ok"
    text = str(SLA_STATES.get(kind, _("Met")))
    if due_at is not None and kind in ("ok", "risk", "breached"):
        text = duration_words(due_at - now)
    title = ""
    if due_at is not None:
        title = _("Due %(when)s") % {"when": date_format(timezone.localtime(due_at), "Y-m-d H:i")}
    return format_html(
        '<span class="sla-badge sla-{kind}" data-sla-state="{state}" data-due="{due}" data-at-risk="{risk}"'
        ' title="{title}">{prefix}<span data-sla-text>{text}</span></span>',
        kind=kind,
        state=state,
        due=due_at.isoformat() if due_at else "",
        risk=at_risk_at.isoformat() if at_risk_at else "",
        title=title,
        prefix=format_html('<span class="visually-hidden">{} </span>', label) if label else "",
        text=text,
    )


def duration_words(delta: Any) -> str:
    """ "2 h 05 min", "12 min", "3 d 4 h"; negative means late ("late 12 min")."""
    seconds = int(delta.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    elif hours:
        text = _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    else:
        text = _("%(minutes)d min") % {"minutes": minutes}
    return _("late %(duration)s") % {"duration": text} if late else text


@register.simple_tag
def reltime(moment: datetime | None) -> SafeString:
    """A relative time ("5 min ago") kept fresh by desk.js, the absolute time (user's zone) as title."""
    if moment is None:
        return format_html("{}", "—")
    local = timezone.localtime(moment)
    absolute = f"{date_format(local, 'Y-m-d H:i')} ({timezone.get_current_timezone_name()})"
    return format_html(
        '<time datetime="{}" title="{}" data-relative>{}</time>',
        moment.isoformat(),
        absolute,
        date_format(local, "Y-m-d H:i"),
    )


@register.inclusion_tag("desk/_empty.html")
def empty_state(text: str, icon: str = "inbox") -> dict[str, str]:
    """A centred icon and sentence for a list with nothing in it."""
    return {"text": text, "icon": icon}


@register.filter
def language(code: str | None) -> str:
    """A language code as its name in the page's language ("zh-hans" → "Chinese (Simplified)")."""
    return language_name(code) if code else "—"


@register.filter
def channel(value: str) -> str:
    return channel_label(value)


@register.filter
def tier(value: str) -> str:
    return tier_label(value)


@register.filter
def salutation(value: str) -> str:
    return salutation_label(value)


@register.filter
def reason(value: str) -> str:
    """A not-ready reason code as its words (never the code)."""
    return reason_label(value)


@register.filter
def contact_kind(value: str) -> str:
    """A contact point's kind (email, phone, social) in the page's language."""
    return contact_kind_label(value)
