"""Schemas of the email channel's API."""

from __future__ import annotations

from ninja import Field, Schema


class MailboxSecretIn(Schema):
    secret: str | None = Field(
        None,
        description="The new secret (24-256 printable ASCII characters, no spaces); leave it out for a "
        "random one.",
    )


class MailboxSecretOut(Schema):
    mailbox: int
    secret: str = Field(description="Shown this once: only its SHA-256 is stored.")
    inbound_url: str = Field(description="Where to POST raw mail with `Authorization: Bearer <secret>`.")
