"""Attachment downloads, streamed in chunks under the ASGI server as under WSGI.

Django's ASGI handler reads a FileResponse's (synchronous) file into a list before sending
anything: a 20 MB attachment took 20 MB of the web process per download. Under ASGI the file is
read here in blocks off the event loop instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest

from frontline.tickets.models import Attachment


def download_response(
    request: HttpRequest, attachment: Attachment, handle: IO[bytes] | None = None
) -> FileResponse:
    """The attachment as a download (never shown inline), from `handle` if it is open already."""
    handle = handle if handle is not None else attachment.file.open("rb")
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    if isinstance(request, ASGIRequest):
        response.streaming_content = _blocks(handle, response.block_size)
    return response


async def _blocks(handle: IO[bytes], size: int) -> AsyncIterator[bytes]:
    read = sync_to_async(handle.read, thread_sensitive=False)
    try:
        while block := await read(size):
            yield block
    finally:
        await sync_to_async(handle.close, thread_sensitive=False)()
