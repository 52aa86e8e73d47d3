"""The deploy checklist: `frontline check --deploy` fails (exit status 1) on each of these errors.

Django's own deploy checks run beside them (HSTS, secure cookies, SSL redirect: warnings, shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, register

from frontline.core import secret_key


@register(Tags.security, deploy=True)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The signing key: present, long, random, not a published one; its file readable by its owner only."""
    messages: list[CheckMessage] = []
    problem = secret_key.weakness(str(settings.SECRET_KEY))
    if problem:
        messages.append(
            Error(
                f"The secret key cannot be used in production: {problem}.",
                hint="Unset FRONTLINE_SECRET_KEY to have a random key kept in the data directory, or "
                "set it to a long random value: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
                id="frontline.E001",
            )
        )
    for index, fallback in enumerate(settings.SECRET_KEY_FALLBACKS):
        fallback_problem = secret_key.weakness(str(fallback))
        if fallback_problem:
            messages.append(
                Error(
                    f"Earlier secret key #{index + 1} (FRONTLINE_SECRET_KEY_FALLBACKS) is still accepted, "
                    f"but {fallback_problem}.",
                    hint="Remove it from FRONTLINE_SECRET_KEY_FALLBACKS.",
                    id="frontline.E002",
                )
            )
    key_file = str(getattr(settings, "FRONTLINE_SECRET_KEY_FILE", "") or "")
    if key_file:
        mode_problem = secret_key.file_mode_problem(Path(key_file))
        if mode_problem:
            messages.append(
                Error(
                    f"The secret key file {key_file} is exposed: {mode_problem}.",
                    id="frontline.E003",
                )
            )
        messages.append(
            Info(
                f"The secret key is kept in {key_file}, generated on the first start.",
                hint="Every process on this data directory shares it. Processes on other machines need "
                "the same key: set FRONTLINE_SECRET_KEY there and here.",
                id="frontline.I001",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def debug_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Debug pages show settings, code and data to whoever makes an error happen."""
    if settings.DEBUG:
        return [
            Error(
                "FRONTLINE_DEBUG is on: error pages would show code, settings and data to anyone.",
                hint="Unset FRONTLINE_DEBUG (or set it to 0) in production.",
                id="frontline.E004",
            )
        ]
    return []


@register(Tags.security)
def encryption_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every FRONTLINE_ENCRYPTION_KEY entry must be a Fernet key, or no secret could be stored."""
    messages: list[CheckMessage] = []
    for index, key in enumerate(settings.FRONTLINE_ENCRYPTION_KEYS):
        try:
            Fernet(str(key).encode())
        except ValueError:
            messages.append(
                Error(
                    f"FRONTLINE_ENCRYPTION_KEY entry #{index + 1} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="frontline.E005",
                )
            )
    return messages
