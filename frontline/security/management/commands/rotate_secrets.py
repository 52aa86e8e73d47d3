"""`frontline rotate_secrets`: encrypt every stored secret again with the current first key."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from frontline.security.fields import EncryptedSecretField
from frontline.security.migration_steps import reencrypt


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first key (FRONTLINE_ENCRYPTION_KEY, else the one "
        "derived from FRONTLINE_SECRET_KEY). Run it after putting a new key first; then the old key "
        "can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedSecretField)]
            if fields:
                rows = reencrypt(model, fields)
                self.stdout.write(f"{model._meta.label}: {rows} row(s) with {', '.join(fields)}")
