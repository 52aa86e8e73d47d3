"""Model fields that hold secrets, marked once: the mark is what redaction everywhere reads.

`EncryptedSecretField` keeps a secret the application must use again (a provider's auth token, an
IMAP password, a webhook signing secret) encrypted at rest; `SecretDigestField` keeps the digest
of a secret that is only compared. Neither value enters events (`frontline.events` redacts them by
the mark), admin pages (the form never shows a stored value back), API answers or exports.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from frontline.security import crypto

logger = logging.getLogger(__name__)

#: What is recorded instead of a secret.
REDACTED = "[redacted]"


class SecretMark:
    """Marks a model field whose value is a secret."""

    is_secret = True


def secret_field_names(model: type[models.Model] | models.Model) -> frozenset[str]:
    """The names (and attribute names) of the model's fields marked secret."""
    names: set[str] = set()
    for field in model._meta.fields:
        if isinstance(field, SecretMark):
            names.update({field.name, field.attname})
    return frozenset(names)


def redact(model: type[models.Model] | models.Model, values: Any) -> Any:
    """`values` with the value of every key that names a secret field of `model` replaced (any depth)."""
    names = secret_field_names(model)
    if not names:
        return values
    return redact_names(values, names)


def redact_names(values: Any, names: frozenset[str]) -> Any:
    """`values` with the value of every key in `names` replaced by REDACTED, at any depth."""
    if isinstance(values, dict):
        return {
            key: (REDACTED if key in names and value not in ("", None) else redact_names(value, names))
            for key, value in values.items()
        }
    if isinstance(values, list | tuple):
        return [redact_names(value, names) for value in values]
    return values


class _Keep:
    """The form's answer "leave the stored secret as it is"."""

    def __repr__(self) -> str:
        return "<keep the stored secret>"


KEEP = _Keep()


class SecretWidget(forms.MultiWidget):
    """A password box that never shows the stored value, and a box to tick to remove it."""

    template_name = "security/secret_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            widgets=[forms.PasswordInput(render_value=False), forms.CheckboxInput()], attrs=attrs
        )

    def decompress(self, value: Any) -> list[Any]:
        return [None, False]  # the stored secret is never sent to the browser

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["value"] = None  # not even in the template's context
        context["widget"]["is_stored"] = bool(value) and value is not KEEP
        return context


class SecretFormField(forms.Field):
    """Empty keeps the stored secret, a new value replaces it, the tick box removes it."""

    widget = SecretWidget

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs["required"] = False
        self.max_length = max_length
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        typed, remove = (value or [None, False]) if isinstance(value, list | tuple) else (value, False)
        typed = (typed or "").strip()
        if remove and typed:
            raise forms.ValidationError(_("Type a new value or tick Remove, not both."))
        if remove:
            return ""
        if not typed:
            return KEEP
        if self.max_length is not None and len(typed) > self.max_length:
            raise forms.ValidationError(
                _("At most %(count)s characters.") % {"count": self.max_length}, code="max_length"
            )
        return typed

    def has_changed(self, initial: Any, data: Any) -> bool:
        typed, remove = (data or [None, False]) if isinstance(data, list | tuple) else (data, False)
        return bool(typed) or bool(remove and initial)


class EncryptedSecretField(SecretMark, models.TextField[str, str]):
    """A secret the application uses again, stored encrypted (`crypto`); empty when not set."""

    description = "A secret, stored encrypted"

    def __init__(self, *args: Any, secret_max_length: int = 1000, **kwargs: Any) -> None:
        self.secret_max_length = secret_max_length
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.secret_max_length != 1000:
            kwargs["secret_max_length"] = self.secret_max_length
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None:
            return ""
        try:
            return crypto.decrypt(value)
        except crypto.SecretUndecryptable:
            # Never the value; the field, so that an operator knows which setting to fix.
            logger.error(
                "%s.%s cannot be decrypted with the configured keys; it reads as empty until the key it "
                "was stored with is configured again (docs/security.md)",
                self.model.__name__,
                self.name,
            )
            return ""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and crypto.is_encrypted(value):
            return crypto.decrypt(value)  # a serialised (dumpdata) value coming back
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value is KEEP:
            return value
        return crypto.encrypt(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        """Serialised (dumpdata) as the ciphertext, never in the clear."""
        return crypto.encrypt(str(self.value_from_object(obj) or ""))

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        if data is KEEP:
            return
        super().save_form_data(instance, data)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # a form field of our own
        return SecretFormField(
            max_length=self.secret_max_length,
            label=kwargs.get("label", self.verbose_name[:1].upper() + self.verbose_name[1:]),
            help_text=kwargs.get("help_text", self.help_text),
        )


class SecretDigestField(SecretMark, models.CharField[str, str]):
    """The SHA-256 digest of a secret that is only compared: redacted, and never in a form."""

    description = "The digest of a secret"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]  # left out of forms
        return None
