"""Writes of the customer portal: sign-in links, replies, web-form submissions, callbacks, profile.

Each emailed link carries a signed, timestamped random secret; only the secret's digest is stored,
and the row decides whether the link is still good (single use, expiry). Mail goes out after the
row is committed, so a link is never sent for a row that does not exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils import translation as i18n
from django.utils.translation import gettext as _

from frontline.accounts import sign_in_limits
from frontline.accounts.models import User
from frontline.accounts.services import user_password_change
from frontline.connectors.email.models import OutboundEmail
from frontline.connectors.email.services import acknowledgement_promise, automatic_mail_queue
from frontline.connectors.voice import services as voice
from frontline.connectors.voice.models import CallbackRequest, VoiceLine
from frontline.core.errors import Conflict, DomainError, Invalid, RateLimited
from frontline.core.throttle import attempts_counted
from frontline.customers.models import ContactPoint, Customer
from frontline.customers.services import customer_find_or_create, customer_update, normalize_contact
from frontline.events.services import event_record
from frontline.knowledge.models import Article, Deflection
from frontline.knowledge.services import deflection_record
from frontline.portal.models import MagicLink, PendingSubmission
from frontline.sla.selectors import channel_availability
from frontline.tickets.models import Attachment, Channel, Message, Ticket
from frontline.tickets.services import attachment_add, message_add, ticket_create

#: A sign-in link works once, for this long.
LINK_TTL = timedelta(minutes=15)
#: An anonymous web-form submission waits this long for its sender to confirm the address.
SUBMISSION_TTL = timedelta(hours=24)
#: (requests allowed, window in seconds) per scope.
LIMITS: dict[str, tuple[int, int]] = {
    "login-address": (5, 3600),
    "login-ip": (20, 3600),
    "form-address": (5, 3600),
    "form-ip": (10, 3600),
    "callback-phone": (3, 3600),
    "callback-ip": (10, 3600),
}
MAX_FILES = 5
LINK_SALT = "frontline.portal.magic-link"
SUBMISSION_SALT = "frontline.portal.submission"


class LinkInvalid(DomainError):
    """The link was used already, has expired, or was never ours."""

    status = 410
    code = "link_invalid"


def throttle(scope: str, value: str) -> None:
    """Count one attempt against `scope:value`; the one over the scope's limit in its window is refused."""
    limit, window = LIMITS[scope]
    key = f"portal:{scope}:{hashlib.sha256(value.encode()).hexdigest()}"
    if attempts_counted(cache, key, window=window) > limit:
        raise RateLimited(_("Too many attempts. Please wait a while and try again."), field=scope)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_token(salt: str) -> tuple[str, str]:
    """(the token for the link, the digest to store)."""
    secret = secrets.token_urlsafe(32)
    return signing.TimestampSigner(salt=salt).sign(secret), _digest(secret)


def _digest_of_token(token: str, salt: str, ttl: timedelta) -> str:
    try:
        secret = signing.TimestampSigner(salt=salt).unsign(token, max_age=ttl)
    except signing.SignatureExpired as exc:
        raise LinkInvalid(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(_("This link is not valid.")) from exc
    return _digest(secret)


def absolute_url(path: str) -> str:
    """Links in mail point at the configured public address, never at a request's Host header."""
    return f"{settings.FRONTLINE_BASE_URL}{path}"


def _normalized_email(email: str) -> str:
    return normalize_contact(ContactPoint.Kind.EMAIL, email)


def _language_of(customer: Customer | None, fallback: str = "") -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for code in ((customer.language if customer else ""), fallback):
        code = (code or "").lower()
        if code in supported:
            return code
        if code.split("-")[0] in supported:
            return code.split("-")[0]
    return settings.LANGUAGE_CODE


# --- Sign-in


def magic_link_request(*, email: str, ip: str, now: datetime | None = None) -> MagicLink | None:
    """Email a sign-in link when `email` belongs to a customer; None (and no mail) when it does not.

    The caller shows the same answer either way. Attempts count per client address and per email
    address before the address is looked up, so the limit reveals nothing either.
    """
    at = now or timezone.now()
    throttle("login-ip", ip)
    address = _normalized_email(email)
    throttle("login-address", address)
    contact = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=ContactPoint.Kind.EMAIL, normalized=address)
        .first()
    )
    if contact is None:
        return None
    token, digest = _new_token(LINK_SALT)
    link = MagicLink.objects.create(
        customer=contact.customer, digest=digest, email=address, created_at=at, expires_at=at + LINK_TTL
    )
    event_record(actor=None, verb="portal.link_sent", target=contact.customer, at=at, after={"link": link.pk})
    url = absolute_url(reverse("portal:login-link", args=[token]))
    with i18n.override(_language_of(contact.customer)):
        automatic_mail_queue(
            to=[contact.value],
            subject=_("Your sign-in link"),
            body=_(
                "Hello %(name)s,\n\nUse this link to sign in to your support portal. It works once, "
                "within %(minutes)s minutes:\n\n%(url)s\n\nIf you did not ask for it, you can ignore this "
                "message."
            )
            % {
                "name": contact.customer.display_name,
                "minutes": int(LINK_TTL.total_seconds() // 60),
                "url": url,
            },
            body_is_secret=True,
        )
    return link


def magic_link_check(*, token: str, now: datetime | None = None) -> MagicLink:
    """The unused, unexpired link for `token` (without using it); LinkInvalid otherwise."""
    at = now or timezone.now()
    digest = _digest_of_token(token, LINK_SALT, LINK_TTL)
    link = MagicLink.objects.select_related("customer").filter(digest=digest).first()
    if link is None:
        raise LinkInvalid(_("This link is not valid."))
    if link.used_at is not None:
        raise LinkInvalid(_("This link has been used already. Ask for a new one."))
    if link.expires_at <= at:
        raise LinkInvalid(_("This link has expired."))
    return link


def portal_user_for(customer: Customer) -> User:
    """The customer's portal login, created (without a password) on first sign-in."""
    if customer.user_id is not None and customer.user is not None:
        return customer.user
    base = f"portal{customer.pk}"
    username = base
    suffix = 1
    while User.objects.filter(username=username).exists():
        suffix += 1
        username = f"{base}-{suffix}"
    primary = customer.contact_points.filter(kind=ContactPoint.Kind.EMAIL).first()
    user = User(
        username=username,
        email=primary.value if primary else "",
        first_name=customer.first_name[:150],
        last_name=customer.last_name[:150],
        language=customer.language or settings.LANGUAGE_CODE,
        timezone=customer.timezone or "UTC",
    )
    user.set_unusable_password()
    user.save()
    customer.user = user
    customer.save(update_fields=["user", "updated_at"])
    event_record(actor=None, verb="portal.user_created", target=customer, after={"user": user.pk})
    return user


@transaction.atomic
def magic_link_redeem(*, token: str, now: datetime | None = None) -> User:
    """Use the link once: the customer's portal user (created on first sign-in). LinkInvalid otherwise."""
    at = now or timezone.now()
    link = magic_link_check(token=token, now=at)
    used = MagicLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=at).update(used_at=at)
    if not used:  # another request used it between our check and now
        raise LinkInvalid(_("This link has been used already. Ask for a new one."))
    user = portal_user_for(link.customer)
    if not user.is_active:
        raise LinkInvalid(_("This account is disabled. Please contact us."))
    event_record(actor=user, verb="portal.signed_in", target=link.customer, at=at, after={"via": "link"})
    return user


def password_user(*, email: str, password: str, ip: str) -> User | None:
    """The portal user whose customer owns `email` and whose password this is; None otherwise.

    Guessing is limited by account and address (accounts.sign_in_limits): SignInThrottled.
    """
    limits = {"scope": "portal", "account": email, "remote_addr": ip}
    sign_in_limits.sign_in_check(**limits)
    user = _password_user(email=email, password=password)
    if user is None:
        sign_in_limits.sign_in_failed(**limits)
    else:
        sign_in_limits.sign_in_succeeded(**limits)
    return user


def _password_user(*, email: str, password: str) -> User | None:
    try:
        address = _normalized_email(email)
    except Invalid:
        return None
    customer = Customer.objects.filter(
        contact_points__kind=ContactPoint.Kind.EMAIL, contact_points__normalized=address
    ).first()
    user = customer.user if customer is not None else None
    if user is None or not user.is_active or not user.has_usable_password():
        User().set_password(password)  # the same work as a real check, so timing tells nothing
        return None
    return user if user.check_password(password) else None


# --- Tickets


@dataclass(frozen=True)
class Upload:
    """A file a visitor sent: its bytes, the name and type their browser gave."""

    file: IO[bytes]
    name: str
    content_type: str


def _check_uploads(uploads: list[Upload]) -> None:
    if len(uploads) > MAX_FILES:
        raise Invalid(_("Attach at most %(count)s files.") % {"count": MAX_FILES}, field="attachments")


def _attach(actor: User | None, ticket: Ticket, message: Message, uploads: list[Upload]) -> list[Attachment]:
    added = []
    for upload in uploads:
        try:
            added.append(
                attachment_add(
                    actor=actor,
                    ticket=ticket,
                    file=upload.file,
                    filename=upload.name,
                    content_type=upload.content_type,
                    message=message,
                )
            )
        except DomainError as exc:
            exc.field = "attachments"
            exc.message = f"{upload.name}: {exc.message}"
            raise
    return added


@transaction.atomic
def ticket_reply(
    *, user: User, customer: Customer, ticket: Ticket, body: str, uploads: list[Upload]
) -> Message:
    """The customer's reply on their ticket, with its attachments, in one transaction."""
    _check_uploads(uploads)
    if not body.strip():
        raise Invalid(_("Write a message."), field="body")
    message = message_add(
        actor=user,
        ticket=ticket,
        direction=Message.Direction.INBOUND,
        body_text=body.strip(),
        channel=Channel.WEB_FORM,
        author_customer=customer,
    )
    _attach(user, ticket, message, uploads)
    return message


@dataclass(frozen=True)
class Submission:
    subject: str
    description: str
    product: str = ""
    category: str = ""


def _check_submission(submission: Submission) -> None:
    if not " ".join(submission.subject.split()):
        raise Invalid(_("Enter a subject."), field="subject")
    if len(submission.subject) > 250:
        raise Invalid(_("The subject is longer than 250 characters."), field="subject")
    if not submission.description.strip():
        raise Invalid(_("Describe your problem."), field="description")


def acknowledgement_send(*, ticket: Ticket, address: str) -> None:
    """Mail the customer their ticket number and when to expect a reply (from the plan's SLA and hours)."""
    customer = ticket.requester
    promise = acknowledgement_promise(ticket, timezone.now())
    with i18n.override(_language_of(customer)):
        body = _(
            "Hello %(name)s,\n\nWe have received your request #%(id)s: %(subject)s\n\n%(promise)s\n\n"
            "You can follow it and reply at %(url)s"
        ) % {
            "name": customer.display_name,
            "id": ticket.pk,
            "subject": ticket.subject,
            "promise": promise or _("We will reply as soon as we can."),
            "url": absolute_url(reverse("portal:ticket", args=[ticket.pk])),
        }
        automatic_mail_queue(
            to=[address],
            subject=_("We received your request #%(id)s") % {"id": ticket.pk},
            body=body,
            ticket=ticket,
            auto_submitted=OutboundEmail.AutoSubmitted.AUTO_REPLIED,
        )


def ticket_submit(*, user: User, customer: Customer, submission: Submission, uploads: list[Upload]) -> Ticket:
    """A signed-in customer's web-form ticket, with its attachments; acknowledged by mail."""
    _check_submission(submission)
    _check_uploads(uploads)
    with transaction.atomic():
        ticket = ticket_create(
            actor=user,
            requester=customer,
            subject=submission.subject,
            body_text=submission.description.strip(),
            channel=Channel.WEB_FORM,
            product=submission.product.strip(),
            category=submission.category.strip(),
        )
        first = ticket.messages.order_by("id").first()
        if first is not None:
            _attach(user, ticket, first, uploads)
    address = customer.contact_points.filter(kind=ContactPoint.Kind.EMAIL).first()
    if address is not None:
        acknowledgement_send(ticket=ticket, address=address.value)
    return ticket


def submission_start(
    *,
    name: str,
    email: str,
    submission: Submission,
    uploads: list[Upload],
    ip: str,
    language: str,
    now: datetime | None = None,
) -> PendingSubmission:
    """An anonymous submission, held until the sender clicks the confirmation link we email them."""
    at = now or timezone.now()
    throttle("form-ip", ip)
    address = _normalized_email(email)
    throttle("form-address", address)
    _check_submission(submission)
    _check_uploads(uploads)
    limit = settings.FRONTLINE_ATTACHMENT_MAX_BYTES
    kept = []
    for upload in uploads:
        upload.file.seek(0, 2)
        size = upload.file.tell()
        upload.file.seek(0)
        if size == 0:
            raise Invalid(_("%(name)s is empty.") % {"name": upload.name}, field="attachments")
        if size > limit:
            raise Invalid(
                _("%(name)s is larger than %(mb)s MB.") % {"name": upload.name, "mb": limit // (1024 * 1024)},
                field="attachments",
            )
        path = default_storage.save(f"portal-pending/{secrets.token_hex(16)}", File(upload.file))
        kept.append({"name": upload.name[:255], "path": path, "content_type": upload.content_type[:100]})
    token, digest = _new_token(SUBMISSION_SALT)
    pending = PendingSubmission.objects.create(
        digest=digest,
        name=" ".join(name.split())[:200],
        email=address,
        subject=" ".join(submission.subject.split()),
        description=submission.description.strip(),
        product=submission.product.strip()[:120],
        category=submission.category.strip()[:80],
        language=language[:16],
        attachments=kept,
        created_at=at,
        expires_at=at + SUBMISSION_TTL,
    )
    url = absolute_url(reverse("portal:confirm", args=[token]))
    with i18n.override(_language_of(None, language)):
        automatic_mail_queue(
            to=[address],
            subject=_("Please confirm your request"),
            body=_(
                "Hello,\n\nWe received a request from this address: %(subject)s\n\nTo send it to our support "
                "team, confirm your email address within 24 hours:\n\n%(url)s\n\nIf you did not write to "
                "us, ignore this message and nothing will be sent."
            )
            % {"subject": pending.subject, "url": url},
            body_is_secret=True,
        )
    return pending


def submission_check(*, token: str, now: datetime | None = None) -> PendingSubmission:
    at = now or timezone.now()
    digest = _digest_of_token(token, SUBMISSION_SALT, SUBMISSION_TTL)
    pending = PendingSubmission.objects.filter(digest=digest).first()
    if pending is None:
        raise LinkInvalid(_("This link is not valid."))
    if pending.confirmed_at is not None:
        raise LinkInvalid(_("This request was confirmed already."))
    if pending.expires_at <= at:
        raise LinkInvalid(_("This link has expired. Please send your request again."))
    return pending


def _split_name(name: str) -> dict[str, str]:
    first, _sep, last = name.strip().rpartition(" ")
    if not first:
        return {"first_name": last[:100]}
    return {"first_name": first[:100], "last_name": last[:100]}


def submission_confirm(*, token: str, now: datetime | None = None) -> Ticket:
    """Turn the confirmed submission into a ticket (once), then acknowledge it by mail."""
    at = now or timezone.now()
    with transaction.atomic():
        pending = submission_check(token=token, now=at)
        claimed = PendingSubmission.objects.filter(pk=pending.pk, confirmed_at__isnull=True).update(
            confirmed_at=at
        )
        if not claimed:
            raise LinkInvalid(_("This request was confirmed already."))
        profile: dict[str, Any] = _split_name(pending.name) if pending.name else {}
        if pending.language:
            profile["language"] = pending.language
        customer, _created = customer_find_or_create(actor=None, email=pending.email, **profile)
        ticket = ticket_create(
            actor=None,
            requester=customer,
            subject=pending.subject,
            body_text=pending.description,
            channel=Channel.WEB_FORM,
            product=pending.product,
            category=pending.category,
            created_at=at,
        )
        first = ticket.messages.order_by("id").first()
        uploads = [
            Upload(
                file=default_storage.open(item["path"], "rb"),
                name=item["name"],
                content_type=item["content_type"],
            )
            for item in pending.attachments
        ]
        try:
            if first is not None:
                _attach(None, ticket, first, uploads)
        finally:
            for upload in uploads:
                upload.file.close()
        pending.ticket = ticket
        pending.confirmed_at = at
        pending.save(update_fields=["ticket", "confirmed_at"])
    for item in pending.attachments:
        default_storage.delete(item["path"])
    acknowledgement_send(ticket=ticket, address=pending.email)
    return ticket


def portal_links_purge(*, now: datetime | None = None) -> int:
    """Forget expired sign-in links and unconfirmed submissions with their held files; rows removed."""
    at = now or timezone.now()
    removed, _by_model = MagicLink.objects.filter(expires_at__lte=at - timedelta(days=1)).delete()
    for pending in PendingSubmission.objects.filter(expires_at__lte=at, confirmed_at__isnull=True):
        for item in pending.attachments:
            default_storage.delete(item["path"])
        pending.delete()
        removed += 1
    return removed


def deflection_from_form(*, article: Article, query: str, language: str) -> Deflection:
    """ "This solved my problem" on a suggested article: a contact avoided, and no ticket."""
    return deflection_record(article=article, query=query[:500], channel=Channel.WEB_FORM, language=language)


# --- Callbacks


def _local(at: datetime, zone: ZoneInfo) -> str:
    return formats.date_format(at.astimezone(zone), "l j F Y, H:i")


def callback_slot_explain(
    *, customer: Customer | None, start: datetime, end: datetime | None, zone: ZoneInfo, now: datetime
) -> None:
    """The voice connector's slot rules, with errors a customer understands (times in `zone`)."""
    if start < now - timedelta(minutes=1):
        raise Invalid(_("Choose a time in the future."), field="preferred_start")
    if end is not None and end <= start:
        raise Invalid(_("The end of the slot must be after its start."), field="preferred_end")
    availability = channel_availability(channel=Channel.VOICE, customer=customer, at=start)
    if not availability.is_open:
        if availability.opens_at is not None:
            raise Invalid(
                _("We do not take calls at that time. The phone line opens again %(when)s.")
                % {"when": _local(availability.opens_at, zone)},
                field="preferred_start",
            )
        raise Invalid(_("We do not take calls at that time."), field="preferred_start")
    if end is not None and availability.closes_at is not None and end > availability.closes_at:
        raise Invalid(
            _("The phone line closes %(when)s; choose an earlier end.")
            % {"when": _local(availability.closes_at, zone)},
            field="preferred_end",
        )


def callback_from_portal(
    *,
    line: VoiceLine,
    phone: str,
    name: str,
    preferred_start: datetime | None,
    preferred_end: datetime | None,
    zone: ZoneInfo,
    ip: str,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> CallbackRequest:
    """The "call me back" page: rate-limited, then the voice connector's own callback request."""
    at = now or timezone.now()
    throttle("callback-ip", ip)
    e164 = voice.phone_e164(phone)
    if e164 is None:
        raise Invalid(_("This is not a phone number we can call."), field="phone")
    throttle("callback-phone", e164)
    if preferred_start is None and preferred_end is not None:
        raise Invalid(_("Give the start of the slot too."), field="preferred_start")
    if preferred_start is not None:
        callback_slot_explain(customer=customer, start=preferred_start, end=preferred_end, zone=zone, now=at)
    return voice.callback_request_create(
        line=line, phone=phone, name=name, preferred_start=preferred_start, preferred_end=preferred_end, at=at
    )


# --- Profile


def profile_update(
    *,
    user: User,
    customer: Customer,
    salutation: str,
    first_name: str,
    last_name: str,
    language: str,
    timezone_name: str,
    add_phone: str = "",
    primary_email_id: int | None = None,
) -> Customer:
    """The customer's own profile: name, language, time zone, a new phone, the address we write to."""
    with transaction.atomic():
        try:
            customer_update(
                actor=user,
                customer=customer,
                add_phones=[add_phone] if add_phone.strip() else [],
                salutation=salutation.strip()[:40],
                first_name=first_name.strip()[:100],
                last_name=last_name.strip()[:100],
                language=language,
                timezone=timezone_name,
            )
        except Conflict as exc:
            raise Invalid(_("This phone number belongs to another customer."), field="add_phone") from exc
        except Invalid as exc:
            if exc.field == "phone":
                exc.field = "add_phone"
            raise
        if primary_email_id is not None:
            _primary_set(user=user, customer=customer, contact_id=primary_email_id)
        user.language = language or user.language
        user.timezone = timezone_name or user.timezone
        user.save(update_fields=["language", "timezone"])
    return customer


def _primary_set(*, user: User, customer: Customer, contact_id: int) -> None:
    emails = customer.contact_points.filter(kind=ContactPoint.Kind.EMAIL)
    chosen = emails.filter(pk=contact_id).first()
    if chosen is None:
        raise Invalid(_("Choose one of your email addresses."), field="primary_email")
    if chosen.is_primary:
        return
    before = emails.filter(is_primary=True).values_list("normalized", flat=True).first()
    emails.exclude(pk=chosen.pk).update(is_primary=False)
    emails.filter(pk=chosen.pk).update(is_primary=True)
    event_record(
        actor=user,
        verb="customer.updated",
        target=customer,
        before={"primary_email": before},
        after={"primary_email": chosen.normalized},
    )


def password_set(*, user: User, password: str, current_password: str = "") -> User:
    """Let the customer sign in with a password as well as by link; changing one asks for the current
    one. Their other sessions and all their API tokens stop working (accounts.user_password_change)."""
    if user.has_usable_password() and not user.check_password(current_password):
        raise Invalid(_("The current password is not right."), field="current_password")
    user = user_password_change(actor=user, user=user, password=password)
    event_record(actor=user, verb="portal.password_set", target=user)
    return user
