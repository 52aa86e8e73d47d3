"""The ASGI application the server runs: static assets and API through the same entry point."""

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator


def _get(path):
    from frontline.asgi import application

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
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
                return start["status"], body

    return async_to_sync(run)()


def test_static_assets_of_the_docs_page_are_served():
    status, body = _get("/static/ninja/swagger-ui-bundle.js")
    assert status == 200
    assert len(body) > 100_000


@pytest.mark.django_db(transaction=True)
def test_api_answers_through_asgi():
    status, body = _get("/api/v1/tickets")
    assert status == 401
    assert b'"unauthenticated"' in body
