"""Reactions: agents' replies are reviewed after commit; phrase changes clear the phrase cache."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from frontline.events.models import Event
from frontline.events.signals import event_recorded
from frontline.scripts.models import ForbiddenPhrase

logger = logging.getLogger(__name__)


def _on_event(sender: object, event: Event, **kwargs: Any) -> None:
    if event.verb != "message.added":
        return
    from frontline.scripts.services import compliance_on_event

    try:
        compliance_on_event(event=event)
    except Exception:  # listeners must not raise: the message is sent and committed already
        logger.exception("the reply of event %s was not reviewed for compliance", event.pk)


def _phrases_changed(sender: object, **kwargs: Any) -> None:
    """Admin saves, fixtures and services alike: the next check reads the phrases again."""
    from frontline.scripts.selectors import forbidden_phrases_cache_clear

    forbidden_phrases_cache_clear()
    transaction.on_commit(forbidden_phrases_cache_clear)


def connect() -> None:
    event_recorded.connect(_on_event, dispatch_uid="frontline-scripts-compliance")
    post_save.connect(
        _phrases_changed, sender=ForbiddenPhrase, dispatch_uid="frontline-scripts-phrases-saved"
    )
    post_delete.connect(
        _phrases_changed, sender=ForbiddenPhrase, dispatch_uid="frontline-scripts-phrases-deleted"
    )
