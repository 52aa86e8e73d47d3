"""What an agent reads of a customer's mail: everything the customer's client would show.

The text the customer wrote, then each message attached to it (a mail forwarded "as attachment") with
its sender, date, subject and text. A mail without any text (only files, only a subject, or nothing
at all) still becomes a message: a placeholder says what it holds, so it is never refused as empty.
Pure: no Django here (an import-linter contract forbids it).
"""

from __future__ import annotations

from typing import Final

from frontline.connectors.email.parsing import ParsedEmail

__all__ = ["agent_text", "attached_message_text"]

#: How deep attached messages inside attached messages are shown (their .eml files keep the rest).
MAX_SHOWN_DEPTH: Final = 3
ATTACHED_MARKER: Final = "---------- Attached message ----------"


def attached_message_text(message: ParsedEmail, depth: int = 0) -> str:
    """An attached message as the agent reads it: its headers, then its own text and attachments."""
    lines = [ATTACHED_MARKER]
    if message.from_ is not None:
        name = message.from_.name
        lines.append(f"From: {name} <{message.from_.email}>" if name else f"From: {message.from_.email}")
    if message.date is not None:
        lines.append(f"Date: {message.date:%Y-%m-%d %H:%M} UTC")
    if message.to:
        lines.append("To: " + ", ".join(address.email for address in message.to[:10]))
    lines.append(f"Subject: {message.subject}")
    files = [attachment.filename for attachment in message.attachments if not attachment.is_inline]
    if files:
        lines.append("Files: " + ", ".join(files))
    body = [message.text] if message.text else []
    if depth + 1 < MAX_SHOWN_DEPTH:
        body += [attached_message_text(inner, depth + 1) for inner in message.forwarded]
    return "\n".join(lines) + ("\n\n" + "\n\n".join(body) if body else "")


def _placeholder(parsed: ParsedEmail) -> str:
    files = [attachment.filename for attachment in parsed.attachments]
    if files:
        noun = "file" if len(files) == 1 else "files"
        return f"(No text in this email; it carries {len(files)} {noun}: {', '.join(files)}.)"
    if parsed.subject:
        return "(No text in this email; the subject is the whole message.)"
    return "(This email is empty: no subject, no text and no files.)"


def agent_text(parsed: ParsedEmail, *, visible_only: bool = False) -> str:
    """The message body to store: the text (only the newly written part with `visible_only`), the
    attached messages, or a placeholder when the mail has neither."""
    text = (parsed.visible_text or parsed.text) if visible_only else (parsed.text or parsed.visible_text)
    pieces = [text] if text.strip() else []
    pieces += [attached_message_text(message) for message in parsed.forwarded]
    return "\n\n".join(pieces) if pieces else _placeholder(parsed)
