"""The portal's forms: field limits and labels only; the rules live in services."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

BODY_MAX = 20_000


@cache
def timezone_choices() -> list[tuple[str, Any]]:
    return [("", _("Not set")), *((name, name) for name in sorted(zoneinfo.available_timezones()))]


class _Form(forms.Form):
    def _choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"{name} is not a choice field")
        field.choices = choices


class LinkForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    password = forms.CharField(label=_("Password"), max_length=200, widget=forms.PasswordInput)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )


class TicketForm(_Form):
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"), max_length=254, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("Describe your problem"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    product = forms.CharField(label=_("Product (optional)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("What is it about?"), required=False, choices=())
    #: The honeypot: hidden from people, filled by robots.
    website = forms.CharField(label=_("Leave this field empty"), max_length=200, required=False)

    CATEGORIES = (
        ("", _("Choose…")),
        ("question", _("A question")),
        ("problem", _("Something does not work")),
        ("order", _("An order or delivery")),
        ("billing", _("Billing or payment")),
        ("complaint", _("A complaint")),
        ("other", _("Something else")),
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("category", list(self.CATEGORIES))
        if not signed_in:
            self.fields["email"].required = True
        else:
            del self.fields["email"]
            del self.fields["name"]


class CallbackForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=40)
    preferred_start = forms.DateTimeField(
        label=_("Call me from (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    preferred_end = forms.DateTimeField(
        label=_("Call me until (optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    website = forms.CharField(label=_("Leave this field empty"), max_length=200, required=False)


class ProfileForm(_Form):
    salutation = forms.CharField(label=_("Title"), max_length=40, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language"))
    timezone = forms.ChoiceField(label=_("Time zone"), required=False)
    primary_email = forms.TypedChoiceField(label=_("Email us at"), coerce=int, required=False)
    add_phone = forms.CharField(label=_("Add a phone number"), max_length=40, required=False)

    def __init__(self, *args: Any, emails: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("language", list(settings.LANGUAGES))
        self._choices("timezone", timezone_choices())
        self._choices("primary_email", emails)


class PasswordSetForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("New password"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
