"""Callbacks: the website button inside phone hours, rate limits, dispatch as routed work, attempts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.connectors.voice import services
from frontline.connectors.voice.models import CallbackRequest
from frontline.connectors.voice.tests.conftest import T0
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.routing.models import Interaction
from frontline.routing.tests.conftest import make_agent
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def s(seconds):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def request_callback(client, django_capture_on_commit_callbacks):
    def post(moment, body, address="203.0.113.9"):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/callbacks", body, content_type="application/json", REMOTE_ADDR=address
            )

    return post


def slot(line, start=None, end=None, **extra):
    body = {"line_id": line.pk, "phone": "0917 123 4567", "name": "Maria Santos", **extra}
    if start is not None:
        body["preferred_start"] = start.isoformat()
    if end is not None:
        body["preferred_end"] = end.isoformat()
    return body


def test_a_slot_outside_phone_hours_is_refused_naming_the_field(request_callback, line, phone_hours):
    evening = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 in Manila
    response = request_callback(s(0), slot(line, evening, evening + timedelta(minutes=30)))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "preferred_start"
    assert "2026-11-24T09:00:00+08:00" in error["message"]
    late_end = request_callback(s(0), slot(line, s(3600), datetime(2026, 11, 23, 10, 30, tzinfo=UTC)))
    assert (late_end.status_code, late_end.json()["error"]["field"]) == (422, "preferred_end")
    assert CallbackRequest.objects.count() == 0


def test_a_slot_inside_hours_is_scheduled_and_at_its_time_waits_in_the_callback_queue(
    request_callback, line, phone_hours, callback_queue, django_capture_on_commit_callbacks
):
    start = s(2 * 3600)
    response = request_callback(s(0), slot(line, start, start + timedelta(minutes=30)))
    assert response.status_code == 202, response.json()
    assert response.json() == {"status": "scheduled", "scheduled_for": "2026-11-23T03:00:00+00:00"}
    callback = CallbackRequest.objects.get()
    assert (callback.source, callback.phone, callback.next_attempt_at, callback.customer.first_name) == (
        "website",
        "+639171234567",
        start,
        "Maria Santos",
    )
    assert services.callbacks_dispatch_due(now=start - timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.callbacks_dispatch_due(now=start) == 1
    callback.refresh_from_db()
    assert callback.status == "dialing"
    interaction = callback.interaction
    assert (interaction.queue, interaction.channel, interaction.external_id, interaction.enqueued_at) == (
        callback_queue,
        "callback",
        f"callback-{callback.pk}-1",
        start,
    )
    assert (callback.ticket.channel, callback.ticket.subject) == ("callback", "Callback to +639171234567")
    assert Interaction.objects.count() == 1  # the callback ticket did not queue a second time


def test_without_a_slot_outside_hours_it_is_scheduled_for_the_opening(request_callback, line, phone_hours):
    night = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 Monday in Manila
    response = request_callback(night, slot(line))
    assert response.status_code == 202
    assert response.json()["scheduled_for"] == "2026-11-24T01:00:00+00:00"


def test_requests_are_rate_limited_per_phone_and_per_address(request_callback, line):
    codes = [request_callback(s(i), slot(line)).status_code for i in range(4)]
    assert codes == [202, 202, 202, 429]
    assert CallbackRequest.objects.count() == 3
    other = [
        request_callback(
            s(10 + i), slot(line, phone=f"+6391700000{i:02d}"), address="198.51.100.7"
        ).status_code
        for i in range(11)
    ]
    assert other == [202] * 10 + [429]
    assert CallbackRequest.objects.count() == 13


def test_the_honeypot_is_accepted_silently_and_stores_nothing(request_callback, line):
    response = request_callback(s(0), slot(line, website="http://spam.example"))
    assert response.status_code == 202
    assert CallbackRequest.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_an_impossible_phone_number_is_refused(request_callback, line):
    response = request_callback(s(0), slot(line, phone="12"))
    assert (response.status_code, response.json()["error"]["field"]) == (422, "phone")


@pytest.fixture
def ana():
    with time_machine.travel(s(-60), tick=False):
        return make_agent(capacity={"callback": 1}, available_at=s(-60))


@pytest.fixture
def dispatched(ana, request_callback, line, phone_hours):
    assert request_callback(s(0), slot(line)).status_code == 202
    return CallbackRequest.objects.get()


def report(api, callback, moment, outcome, django_capture_on_commit_callbacks):
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return api.post(f"/callbacks/{callback.pk}/attempts", {"outcome": outcome, "note": "tried"})


def test_no_answer_is_retried_after_five_minutes_then_answered_completes(
    ana, dispatched, django_capture_on_commit_callbacks
):
    assert dispatched.status == "dialing"  # the line is open: dispatched at once
    first = Interaction.objects.get(pk=dispatched.interaction_id)
    assert (first.state, first.agent) == ("offered", ana)
    api = Api(ana)
    response = report(api, dispatched, s(60), "no_answer", django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["attempts"], body["next_attempt_at"]) == (
        "scheduled",
        1,
        "2026-11-23T01:06:00+00:00",
    )
    assert [(a["number"], a["outcome"], a["agent_id"]) for a in body["attempt_log"]] == [
        (1, "no_answer", ana.pk)
    ]
    first.refresh_from_db()
    assert (first.state, first.answered_at, first.outcome) == ("ended", s(60), "callback no_answer")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.callbacks_dispatch_due(now=s(360)) == 1
    dispatched.refresh_from_db()
    assert dispatched.interaction.external_id == f"callback-{dispatched.pk}-2"
    done = report(api, dispatched, s(400), "answered", django_capture_on_commit_callbacks).json()
    assert (done["status"], done["outcome"], done["attempts"], done["next_attempt_at"]) == (
        "completed",
        "answered",
        2,
        None,
    )
    again = report(api, dispatched, s(410), "answered", django_capture_on_commit_callbacks)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "callback_closed")


def test_a_wrong_number_fails_at_once(ana, dispatched, django_capture_on_commit_callbacks):
    body = report(Api(ana), dispatched, s(60), "wrong_number", django_capture_on_commit_callbacks).json()
    assert (body["status"], body["outcome"], body["next_attempt_at"]) == ("failed", "wrong_number", None)
    assert Interaction.objects.get(pk=dispatched.interaction_id).state == "ended"


def test_when_the_attempts_run_out_the_callback_fails(ana, dispatched, django_capture_on_commit_callbacks):
    CallbackRequest.objects.filter(pk=dispatched.pk).update(max_attempts=2)
    api = Api(ana)
    first = report(api, dispatched, s(60), "busy", django_capture_on_commit_callbacks).json()
    assert (first["status"], first["attempts"]) == ("scheduled", 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.callbacks_dispatch_due(now=first_retry(first))
    second = report(api, dispatched, s(1000), "voicemail_left", django_capture_on_commit_callbacks).json()
    assert (second["status"], second["attempts"], second["outcome"]) == ("failed", 2, "voicemail_left")


def first_retry(body):
    return datetime.fromisoformat(body["next_attempt_at"])


def test_a_retry_that_would_fall_after_closing_waits_for_the_next_opening(
    dispatched, django_capture_on_commit_callbacks
):
    api = Api(staff(Role.AGENT))
    closing = datetime(2026, 11, 23, 9, 58, tzinfo=UTC)  # 17:58 in Manila
    body = report(api, dispatched, closing, "no_answer", django_capture_on_commit_callbacks).json()
    assert body["next_attempt_at"] == "2026-11-24T01:00:00+00:00"


def test_callback_list_is_for_staff(client, dispatched, django_assert_max_num_queries):
    agent = Api(staff(Role.AGENT))
    with django_assert_max_num_queries(8):
        response = agent.get("/callbacks")
    assert response.status_code == 200
    assert [(c["id"], c["phone"], c["status"]) for c in response.json()] == [
        (dispatched.pk, "+639171234567", "dialing")
    ]
    assert agent.get("/callbacks", status="completed").json() == []
    customer = Api(portal_user(CustomerFactory()))
    assert customer.get("/callbacks").status_code == 403
    assert customer.post(f"/callbacks/{dispatched.pk}/attempts", {"outcome": "answered"}).status_code == 403
    assert client.get("/api/v1/callbacks").status_code == 401
    assert agent.post("/callbacks/-1/attempts", {"outcome": "answered"}).status_code == 404
    dispatched.refresh_from_db()
    assert dispatched.attempts == 0
