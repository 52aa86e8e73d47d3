"""Email channel API: the mailbox's HTTP secret, set or rotated by an admin."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from frontline.accounts.principal import principal_of
from frontline.connectors.email import selectors, services
from frontline.connectors.email.schemas import MailboxSecretIn, MailboxSecretOut
from frontline.core.errors import Forbidden

router = Router(tags=["email"])


@router.post(
    "/email/mailboxes/{mailbox_id}/secret",
    response={201: MailboxSecretOut},
    summary="Set or rotate a mailbox's HTTP secret (admins); the secret is returned this once",
)
def mailbox_secret(request: HttpRequest, mailbox_id: int, body: MailboxSecretIn) -> Status[dict[str, object]]:
    principal = principal_of(request)
    mailbox = selectors.mailbox_get_for_admin(principal=principal, mailbox_id=mailbox_id)
    if not principal.can_write:
        raise Forbidden("setting a secret needs a token with the write scope", code="token_scope")
    mailbox, secret = services.mailbox_secret_rotate(
        actor=principal.user, mailbox=mailbox, secret=body.secret
    )
    return Status(
        201,
        {
            "mailbox": mailbox.pk,
            "secret": secret,
            "inbound_url": request.build_absolute_uri(reverse("email-inbound", args=[mailbox.pk])),
        },
    )
