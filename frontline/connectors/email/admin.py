from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from frontline.accounts.models import User
from frontline.connectors.email import imap, services, tokens
from frontline.connectors.email.models import InboundEmail, Mailbox, OutboundEmail
from frontline.events.admin import EventedAdmin


class MailboxForm(forms.ModelForm[Mailbox]):
    """The mailbox, with a write-only field to set its HTTP secret (only its SHA-256 is stored)."""

    new_inbound_secret = forms.CharField(
        label="New HTTP secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Set or replace the secret that authorises raw MIME posted to /inbound/email/<id> "
        f"({tokens.MIN_SECRET_LENGTH}+ printable characters, no spaces). Leave empty to keep the current "
        "one; or use the action \u201cGenerate a new HTTP secret\u201d to have one made and shown once.",
    )

    class Meta:
        model = Mailbox
        exclude = ("inbound_secret_digest",)  # noqa: DJ006 - the digest changes only with the secret

    def clean_new_inbound_secret(self) -> str:
        secret = str(self.cleaned_data.get("new_inbound_secret") or "")
        problem = tokens.inbound_secret_problem(secret) if secret else None
        if problem is not None:
            raise forms.ValidationError(problem)
        return secret


@admin.register(Mailbox)
class MailboxAdmin(EventedAdmin):
    form = MailboxForm
    list_display = (
        "name",
        "address",
        "team",
        "is_active",
        "has_inbound_secret",
        "imap_host",
        "imap_last_uid",
    )
    readonly_fields = ("imap_uidvalidity", "imap_last_uid")
    actions = ["test_connection", "generate_inbound_secret"]

    @admin.display(boolean=True, description="HTTP secret set")
    def has_inbound_secret(self, obj: Mailbox) -> bool:
        return bool(obj.inbound_secret_digest)

    def save_model(self, request: HttpRequest, obj: Mailbox, form: Any, change: bool) -> None:
        secret = form.cleaned_data.pop("new_inbound_secret", "")
        if "new_inbound_secret" in form.changed_data:  # never recorded with the admin's change event
            form.changed_data.remove("new_inbound_secret")
        super().save_model(request, obj, form, change)
        if secret:
            services.mailbox_secret_rotate(actor=_actor(request), mailbox=obj, secret=secret)
            obj.refresh_from_db(fields=["inbound_secret_digest"])

    @admin.action(description="Generate a new HTTP secret (shown once)")
    def generate_inbound_secret(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            _, secret = services.mailbox_secret_rotate(actor=_actor(request), mailbox=mailbox)
            self.message_user(
                request,
                f"{mailbox}: the new HTTP secret is {secret} \u2014 copy it now, it is not shown again.",
                messages.WARNING,
            )

    @admin.action(description="Test the IMAP connection")
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            if not mailbox.imap_host:
                self.message_user(request, f"{mailbox}: no IMAP server set", messages.WARNING)
                continue
            try:
                self.message_user(request, f"{mailbox}: {imap.check(mailbox)}", messages.SUCCESS)
            except Exception as exc:  # the operator needs the server's own words
                self.message_user(request, f"{mailbox}: {type(exc).__name__}: {exc}", messages.ERROR)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin[InboundEmail]):
    list_display = ("id", "received_at", "mailbox", "source", "status", "message_key", "ticket", "note")
    list_filter = ("status", "source", "mailbox")
    search_fields = ("message_key", "note")
    readonly_fields = [f.name for f in InboundEmail._meta.fields]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Process again (quarantined mail)")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundEmail]) -> None:
        done = 0
        for inbound in queryset.filter(status=InboundEmail.Status.QUARANTINED):
            services.inbound_reprocess(
                actor=request.user if request.user.is_authenticated else None, inbound=inbound
            )
            done += 1
        self.message_user(request, f"Processed {done} quarantined message(s) again.")


# The body is shown through `body`, which hides a sign-in or confirmation link until it is erased.
_OUTBOUND_FIELDS = [*(f.name for f in OutboundEmail._meta.fields if f.name != "body_text"), "body"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin[OutboundEmail]):
    list_display = (
        "id",
        "created_at",
        "ticket",
        "subject",
        "status",
        "auto_submitted",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "auto_submitted", "mailbox")
    search_fields = ("message_id_header", "subject")
    fields = tuple(_OUTBOUND_FIELDS)
    readonly_fields = _OUTBOUND_FIELDS

    @admin.display(description="body text")
    def body(self, obj: OutboundEmail) -> str:
        if obj.body_is_secret and obj.status in (OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING):
            return "(hidden: it carries a sign-in or confirmation link; erased once sent)"
        return obj.body_text

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) and request.user.is_authenticated else None
