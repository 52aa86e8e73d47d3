"""Tickets, messages and attachments over HTTP: validate, look up through a selector, call a service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from frontline.accounts.models import Team, User
from frontline.accounts.principal import Principal, principal_of, require_staff
from frontline.core.errors import Forbidden, Invalid, NotFound
from frontline.customers.models import Customer
from frontline.customers.services import customer_find_or_create
from frontline.tickets import selectors, services
from frontline.tickets.downloads import download_response
from frontline.tickets.models import Attachment, Message, Ticket
from frontline.tickets.schemas import (
    AttachmentOut,
    FollowIn,
    MergeIn,
    MessageIn,
    MessageOut,
    MessagePage,
    SplitIn,
    TicketDetailOut,
    TicketIn,
    TicketPage,
    TicketPatch,
)

router = Router(tags=["tickets"])


class TicketQuery(Schema):
    status: list[str] | None = None
    team_id: int | None = None
    no_team: bool = False
    assignee_id: int | None = None
    unassigned: bool = False
    tag: str | None = None
    customer_id: int | None = None
    organization_id: int | None = None
    channel: str | None = None
    priority: str | None = None
    updated_since: datetime | None = None
    q: str | None = None
    cursor: str | None = None
    limit: int = 25


def _team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Invalid(f"team {team_id} does not exist", field="team_id")
    return team


def _assignee(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid(f"user {user_id} does not exist", field="assignee_id")
    return user


def _detail(principal: Principal, ticket_id: int) -> Ticket:
    """The ticket as TicketDetailOut shows it: with its latest 20 visible messages and its followers."""
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    ticket.latest_messages = selectors.message_list_for_ticket(  # type: ignore[attr-defined]
        principal=principal, ticket=ticket, limit=20
    )
    ticket.follower_ids = list(ticket.followers.values_list("id", flat=True))  # type: ignore[attr-defined]
    return ticket


@router.get("/tickets", response=TicketPage, summary="List tickets")
def ticket_list(request: HttpRequest, filters: Query[TicketQuery]) -> selectors.Page:
    """Visible tickets, most recently updated first; pass `next_cursor` back as `cursor` for the next page."""
    if not 1 <= filters.limit <= 100:
        raise Invalid("limit must be between 1 and 100", field="limit")
    return selectors.ticket_list_for_principal(
        principal=principal_of(request),
        filters=selectors.TicketFilters(**filters.dict(exclude={"q", "cursor", "limit"}), query=filters.q),
        limit=filters.limit,
        cursor=filters.cursor,
    )


@router.post("/tickets", response={201: TicketDetailOut}, summary="Create a ticket")
def ticket_create(request: HttpRequest, body: TicketIn) -> Status[Ticket]:
    principal = principal_of(request)
    if principal.is_staff_member:
        requester: Customer | None
        if body.requester_id is not None:
            requester = Customer.objects.filter(pk=body.requester_id).first()
            if requester is None:
                raise Invalid(f"customer {body.requester_id} does not exist", field="requester_id")
        elif body.requester_email:
            first, _, last = (body.requester_name or "").strip().partition(" ")
            requester, _ = customer_find_or_create(
                actor=principal.user, email=body.requester_email, first_name=first[:100], last_name=last[:100]
            )
        else:
            raise Invalid("give requester_id or requester_email", field="requester_id")
        team, assignee, tags = _team(body.team_id), _assignee(body.assignee_id), body.tags
        priority, channel = body.priority, body.channel
    elif principal.customer_id is not None:
        if body.team_id or body.assignee_id or body.tags or body.requester_id or body.requester_email:
            raise Forbidden("customers cannot set the requester, team, assignee or tags")
        requester = Customer.objects.get(pk=principal.customer_id)
        team = assignee = None
        tags = []
        priority, channel = "normal", "web_form" if body.channel == "api" else body.channel
    else:
        raise Forbidden("this account is neither staff nor a customer")
    ticket = services.ticket_create(
        actor=principal.user,
        requester=requester,
        subject=body.subject,
        body_text=body.body_text,
        body_html=body.body_html,
        channel=channel,
        priority=priority,
        category=body.category,
        product=body.product,
        team=team,
        assignee=assignee,
        tags=tags,
        external_id=body.external_id,
    )
    # The new ticket is visible to its creator by construction: no need to look it up again.
    ticket.latest_messages = selectors.message_list_for_ticket(  # type: ignore[attr-defined]
        principal=principal, ticket=ticket, limit=20
    )
    ticket.follower_ids = []  # type: ignore[attr-defined]
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response=TicketDetailOut, summary="Get a ticket with its latest messages")
def ticket_get(request: HttpRequest, ticket_id: int) -> Ticket:
    return _detail(principal_of(request), ticket_id)


@router.patch("/tickets/{ticket_id}", response=TicketDetailOut, summary="Change a ticket")
def ticket_update(request: HttpRequest, ticket_id: int, body: TicketPatch) -> Ticket:
    principal = principal_of(request)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    changes = body.dict(exclude_unset=True)
    if not principal.is_staff_member:
        allowed = {"status"}
        if set(changes) - allowed or changes.get("status") not in (None, "solved"):
            raise Forbidden("customers may only mark their ticket solved")
    values: dict[str, Any] = {k: v for k, v in changes.items() if k not in ("team_id", "assignee_id")}
    if "team_id" in changes:
        values["team"] = _team(changes["team_id"])
    if "assignee_id" in changes:
        values["assignee"] = _assignee(changes["assignee_id"])
    services.ticket_update(actor=principal.user, ticket=ticket, **values)
    return _detail(principal, ticket_id)


@router.get("/tickets/{ticket_id}/messages", response=MessagePage, summary="Page through a ticket's messages")
def message_list(
    request: HttpRequest, ticket_id: int, before_id: int | None = None, limit: int = 50
) -> dict[str, Any]:
    """Newest page first; pass `next_before_id` as `before_id` for older messages."""
    if not 1 <= limit <= 200:
        raise Invalid("limit must be between 1 and 200", field="limit")
    principal = principal_of(request)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    items = selectors.message_list_for_ticket(
        principal=principal, ticket=ticket, limit=limit + 1, before_id=before_id
    )
    more = len(items) > limit
    items = items[1:] if more else items
    return {"items": items, "next_before_id": items[0].pk if more and items else None}


@router.post("/tickets/{ticket_id}/messages", response={201: MessageOut}, summary="Add a message or note")
def message_add(request: HttpRequest, ticket_id: int, body: MessageIn) -> Status[Message]:
    principal = principal_of(request)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    direction = body.direction
    author_customer = None
    if not principal.is_staff_member:
        if direction != Message.Direction.INBOUND and "direction" in body.model_fields_set:
            raise Forbidden("customers can only write inbound messages")
        if principal.customer_id is None:
            raise Forbidden("this account is neither staff nor a customer")
        direction = Message.Direction.INBOUND
        author_customer = Customer.objects.get(pk=principal.customer_id)
    message = services.message_add(
        actor=principal.user,
        ticket=ticket,
        direction=direction,
        body_text=body.body_text,
        body_html=body.body_html,
        channel=body.channel,
        author_customer=author_customer,
        external_id=body.external_id,
    )
    return Status(201, message)


@router.post("/tickets/{ticket_id}/attachments", response={201: AttachmentOut}, summary="Attach a file")
def attachment_add(
    request: HttpRequest, ticket_id: int, file: File[UploadedFile], message_id: Form[int | None] = None
) -> Status[Attachment]:
    principal = principal_of(request)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    message = None
    if message_id is not None:
        message = (
            ticket.messages.filter(pk=message_id).filter(selectors.message_visibility(principal)).first()
        )
        if message is None:
            raise Invalid(f"message {message_id} is not on this ticket", field="message_id")
    attachment = services.attachment_add(
        actor=principal.user,
        ticket=ticket,
        file=file,
        filename=file.name or "attachment",
        content_type=file.content_type or "application/octet-stream",
        message=message,
    )
    return Status(201, attachment)


@router.get("/attachments/{attachment_id}/content", summary="Download an attachment")
def attachment_content(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get_for_principal(
        principal=principal_of(request), attachment_id=attachment_id
    )
    response = download_response(request, attachment)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@router.post("/tickets/{ticket_id}/merge", response=TicketDetailOut, summary="Merge this ticket into another")
def ticket_merge(request: HttpRequest, ticket_id: int, body: MergeIn) -> Ticket:
    principal = principal_of(request)
    require_staff(principal)
    source = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    try:
        target = selectors.ticket_get_for_principal(principal=principal, ticket_id=body.into_ticket_id)
    except NotFound as exc:
        raise Invalid(f"ticket {body.into_ticket_id} not found", field="into_ticket_id") from exc
    services.ticket_merge(actor=principal.user, source=source, target=target)
    return _detail(principal, target.pk)


@router.post("/tickets/{ticket_id}/split", response={201: TicketDetailOut}, summary="Split messages off")
def ticket_split(request: HttpRequest, ticket_id: int, body: SplitIn) -> Status[Ticket]:
    principal = principal_of(request)
    require_staff(principal)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    new = services.ticket_split(
        actor=principal.user, ticket=ticket, message_ids=body.message_ids, subject=body.subject
    )
    return Status(201, _detail(principal, new.pk))


@router.post("/tickets/{ticket_id}/followers", response=TicketDetailOut, summary="Follow a ticket")
def ticket_follow(request: HttpRequest, ticket_id: int, body: FollowIn) -> Ticket:
    return _follow(request, ticket_id, body.user_id, True)


@router.delete("/tickets/{ticket_id}/followers/{user_id}", response=TicketDetailOut, summary="Stop following")
def ticket_unfollow(request: HttpRequest, ticket_id: int, user_id: int) -> Ticket:
    return _follow(request, ticket_id, user_id, False)


def _follow(request: HttpRequest, ticket_id: int, user_id: int | None, follow: bool) -> Ticket:
    principal = principal_of(request)
    require_staff(principal)
    ticket = selectors.ticket_get_for_principal(principal=principal, ticket_id=ticket_id)
    user = principal.user if user_id is None else User.objects.filter(pk=user_id).first()
    if user is None:
        raise Invalid(f"user {user_id} does not exist", field="user_id")
    services.ticket_follow(actor=principal.user, ticket=ticket, user=user, follow=follow)
    return _detail(principal, ticket_id)
