"""An ASGI entry point for the `wsgi-bridge` experiment: Django's WSGI handler in one thread hop.

Frontline's asgi.py runs Django's ASGI handler, which hops between the event loop and the sync
thread for the sync-only middleware (WhiteNoise), for every MiddlewareMixin middleware's hooks
and for the view. Here each request runs start to finish in one call to a single worker thread
(the same one every time, as Django's thread-sensitive mode does, so the database connection
stays with it). Used by `run.py --variant wsgi-bridge` only: no websockets, no streaming.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.wsgi import get_wsgi_application
from uvicorn.middleware.wsgi import build_environ

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "variant_settings")
_django = get_wsgi_application()
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="django")


def _respond(environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in headers]

    chunks = _django(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        chunks.close()  # sends request_finished, in this thread, as a WSGI server does
    return started["status"], started["headers"], body


async def application(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        raise RuntimeError("the wsgi-bridge experiment serves HTTP only")
    body = io.BytesIO()
    while True:
        message = await receive()
        body.write(message.get("body", b""))
        if not message.get("more_body"):
            break
    body.seek(0)
    environ = build_environ(scope, message, body)  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    status, headers, payload = await loop.run_in_executor(_thread, _respond, environ)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
