"""The ASGI application the server runs: static assets and API through the same entry point."""

import io
import warnings

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator


def _get(path, headers=()):
    from frontline.asgi import application

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
    }

    async def run():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(10)
        body = b""
        while True:
            message = await communicator.receive_output(10)
            body += message.get("body", b"")
            if not message.get("more_body"):
                return start["status"], body, dict(start["headers"])

    return async_to_sync(run)()


def test_static_assets_of_the_docs_page_are_served():
    status, body, _headers = _get("/static/ninja/swagger-ui-bundle.js")
    assert status == 200
    assert len(body) > 100_000


@pytest.mark.django_db(transaction=True)
def test_api_answers_through_asgi():
    status, body, _headers = _get("/api/v1/tickets")
    assert status == 401
    assert b'"unauthenticated"' in body


@pytest.mark.django_db(transaction=True)
def test_an_attachment_streams_in_blocks_through_asgi():
    """Django's ASGI handler would read a plain FileResponse whole into memory (and warn so)."""
    from frontline.accounts.factories import staff
    from frontline.accounts.models import Role
    from frontline.accounts.testing import Api
    from frontline.tickets import services
    from frontline.tickets.factories import TicketFactory

    agent = staff(Role.SUPERVISOR)
    content = bytes(range(256)) * 1024  # 256 KB, many blocks
    attachment = services.attachment_add(
        actor=None,
        ticket=TicketFactory(),
        file=io.BytesIO(content),
        filename="log.bin",
        content_type="application/octet-stream",
    )
    token = f"Bearer {Api(agent).secret}".encode()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, body, headers = _get(
            f"/api/v1/attachments/{attachment.pk}/content", [(b"authorization", token)]
        )
    assert status == 200
    assert body == content
    assert headers[b"Content-Length"] == str(len(content)).encode()
    assert headers[b"Content-Disposition"].startswith(b"attachment;")
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
