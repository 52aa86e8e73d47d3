from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from frontline.tickets.models import Attachment, Message, Ticket


class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    username: str
    name: str


class TicketOut(Schema):
    id: int
    subject: str
    status: str
    priority: str
    category: str
    product: str
    channel: str
    requester: Ref
    organization_id: int | None
    team: Ref | None
    assignee: UserRef | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    closed_at: datetime | None
    merged_into_id: int | None
    split_from_id: int | None
    linked_to_id: int | None
    plan_version_id: int | None

    @staticmethod
    def resolve_requester(ticket: Ticket) -> dict[str, object]:
        return {"id": ticket.requester_id, "name": ticket.requester.display_name}

    @staticmethod
    def resolve_team(ticket: Ticket) -> dict[str, object] | None:
        return {"id": ticket.team.pk, "name": ticket.team.name} if ticket.team else None

    @staticmethod
    def resolve_assignee(ticket: Ticket) -> dict[str, object] | None:
        user = ticket.assignee
        if user is None:
            return None
        return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}

    @staticmethod
    def resolve_tags(ticket: Ticket) -> list[str]:
        return sorted(tag.name for tag in ticket.tags.all())


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    message_id: int | None
    url: str

    @staticmethod
    def resolve_url(attachment: Attachment) -> str:
        return f"/api/v1/attachments/{attachment.pk}/content"


class MessageOut(Schema):
    id: int
    ticket_id: int
    direction: str
    channel: str
    author: str
    author_user_id: int | None
    author_customer_id: int | None
    body_text: str
    body_html: str
    external_id: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(message: Message) -> str:
        if message.author_customer is not None:
            return message.author_customer.display_name
        if message.author_user is not None:
            return message.author_user.get_full_name() or message.author_user.username
        return "system"

    @staticmethod
    def resolve_attachments(message: Message) -> list[Attachment]:
        return list(message.attachments.all())


class TicketDetailOut(TicketOut):
    messages: list[MessageOut] = Field(description="The latest 20 messages the caller may see, oldest first.")
    follower_ids: list[int]

    @staticmethod
    def resolve_messages(ticket: Ticket) -> list[Message]:
        return ticket.latest_messages  # type: ignore[attr-defined, no-any-return]  # set by the API view


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class MessagePage(Schema):
    items: list[MessageOut]
    next_before_id: int | None


class TicketIn(Schema):
    subject: str = Field(max_length=250)
    body_text: str = Field("", max_length=1_000_000)
    body_html: str = Field("", max_length=1_000_000)
    channel: str = "api"
    priority: str = "normal"
    category: str = Field("", max_length=80)
    product: str = Field("", max_length=120)
    requester_id: int | None = Field(None, description="Staff only; a customer always files for themselves.")
    requester_email: str | None = Field(
        None, max_length=254, description="Staff only: find or create the requester by email."
    )
    requester_name: str | None = Field(None, max_length=200)
    team_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    external_id: str = Field("", max_length=255)


class TicketPatch(Schema):
    subject: str | None = Field(None, max_length=250)
    status: str | None = None
    priority: str | None = None
    category: str | None = Field(None, max_length=80)
    product: str | None = Field(None, max_length=120)
    team_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] | None = Field(None, max_length=50)


class MessageIn(Schema):
    direction: str = Field("outbound", description="inbound, outbound or note (customers: always inbound)")
    body_text: str = Field("", max_length=1_000_000)
    body_html: str = Field("", max_length=1_000_000)
    channel: str | None = None
    external_id: str = Field("", max_length=255)


class MergeIn(Schema):
    into_ticket_id: int


class SplitIn(Schema):
    message_ids: list[int] = Field(min_length=1, max_length=1000)
    subject: str = Field(max_length=250)

    @field_validator("message_ids")
    @classmethod
    def unique_ids(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


class FollowIn(Schema):
    user_id: int | None = Field(None, description="Defaults to the caller.")
