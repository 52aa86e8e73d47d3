"""The routing API: my presence and offers, queues, the wallboard, the agent report in three formats."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.accounts.testing import Api
from frontline.customers.factories import CustomerFactory, portal_user
from frontline.routing.models import Interaction, Queue
from frontline.routing.tests.conftest import make_agent

pytestmark = pytest.mark.django_db


def _error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def supervisor():
    return Api(staff(Role.SUPERVISOR))


def test_an_agent_signs_on_gets_an_offer_accepts_and_ends(django_capture_on_commit_callbacks):
    queue = Queue.objects.create(name="Phone", channel="voice", wrap_up_seconds=0)
    ana = Api(make_agent())
    assert ana.get("/me/presence").json()["state"] == "logged_out"
    with django_capture_on_commit_callbacks(execute=True):
        assert ana.send("put", "/me/presence", {"state": "available"}).json()["state"] == "available"
    with django_capture_on_commit_callbacks(execute=True):
        created = ana.post("/interactions", {"queue_id": queue.pk, "external_id": "CA9"})
    assert created.status_code == 201
    [offer] = ana.get("/me/interactions").json()
    assert offer["state"] == "offered"
    with django_capture_on_commit_callbacks(execute=True):
        assert ana.post(f"/interactions/{offer['id']}/accept").json()["state"] == "connected"
    assert ana.get("/me/presence").json()["state"] == "busy"
    with django_capture_on_commit_callbacks(execute=True):
        ended = ana.post(f"/interactions/{offer['id']}/end", {"outcome": "resolved"}).json()
    assert ended["state"] == "ended"
    assert ana.get("/me/presence").json()["state"] == "available"
    assert ana.post("/me/heartbeat").status_code == 204


def test_someone_elses_contact_is_not_found(django_capture_on_commit_callbacks):
    queue = Queue.objects.create(name="Phone", channel="voice")
    ana_user = make_agent()
    ben = Api(make_agent())
    with django_capture_on_commit_callbacks(execute=True):
        Api(ana_user).send("put", "/me/presence", {"state": "available"})
        interaction_id = Api(ana_user).post("/interactions", {"queue_id": queue.pk}).json()["id"]
    assert Interaction.objects.get(pk=interaction_id).agent == ana_user
    assert _error(ben.post(f"/interactions/{interaction_id}/accept"), 404)["code"] == "not_found"
    assert _error(ben.post(f"/interactions/{interaction_id}/end", {}), 404)["code"] == "not_found"


def test_bad_presence_and_queue_input(supervisor):
    ana = Api(make_agent())
    assert (
        _error(ana.send("put", "/me/presence", {"state": "not_ready", "reason": "nap"}), 422)["field"]
        == "reason"
    )
    bad = {"name": "Q", "channel": "pigeon"}
    assert _error(supervisor.post("/queues", bad), 422)["field"] == "channel"
    bad = {"name": "Q", "channel": "voice", "strategy": "coin_flip"}
    assert _error(supervisor.post("/queues", bad), 422)["field"] == "strategy"
    bad = {"name": "Q", "channel": "voice", "skills": {"aircon": 9}}
    assert _error(supervisor.post("/queues", bad), 422)["field"] == "skills.aircon"
    assert not Queue.objects.exists()
    created = supervisor.post("/queues", {"name": "Q", "channel": "voice", "strategy": "round_robin"})
    assert created.status_code == 201
    queue_id = created.json()["id"]
    self_overflow = {"name": "Q", "channel": "voice", "overflow_queue_id": queue_id}
    assert (
        _error(supervisor.send("put", f"/queues/{queue_id}", self_overflow), 422)["field"]
        == "overflow_queue_id"
    )
    assert _error(ana.post("/queues", {"name": "Mine", "channel": "chat"}), 403)["code"] == "forbidden"


def test_outsiders(client):
    assert client.get("/api/v1/me/presence").status_code == 401
    customer = Api(portal_user(CustomerFactory()))
    assert customer.get("/wallboard").status_code == 403
    assert customer.send("put", "/me/presence", {"state": "available"}).status_code == 403
    agent = Api(make_agent())
    assert agent.get("/presence/agents").status_code == 403


def test_wallboard_counts_waiting_and_agents(supervisor):
    queue = Queue.objects.create(name="Phone", channel="voice")
    make_agent()
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False):
        Api(make_agent()).post("/interactions", {"queue_id": queue.pk})
    with time_machine.travel(datetime(2026, 11, 23, 9, 1, tzinfo=UTC), tick=False):
        [board] = supervisor.get("/wallboard", tz="Asia/Manila").json()
    assert (board["waiting"], board["longest_wait_seconds"]) == (1, 60)
    assert board["agents_by_state"]["logged_out"] == 2
    assert _error(supervisor.get("/wallboard", tz="Mars/Base"), 422)["field"] == "tz"


def test_report_formats_and_scoping(supervisor, django_capture_on_commit_callbacks):
    ana_user = make_agent(first_name="Ana", last_name="Reyes")
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False):
        Api(ana_user).send("put", "/me/presence", {"state": "available"})
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False):
        Api(ana_user).send("put", "/me/presence", {"state": "logged_out"})
    params = {"start": "2026-11-23", "end": "2026-11-24", "tz": "UTC"}
    rows = supervisor.get("/reports/agent-performance", **params).json()
    [ana] = [r for r in rows if r["agent"] == "Ana Reyes"]
    assert (ana["online_s"], ana["idle_s"], ana["first_login"]) == (3600, 3600, "2026-11-23T08:00:00+00:00")

    csv_text = supervisor.get("/reports/agent-performance", format="csv", **params).content.decode()
    assert csv_text.splitlines()[0].startswith("agent,from,to,first_login")
    assert "Ana Reyes" in csv_text
    book = load_workbook(
        io.BytesIO(supervisor.get("/reports/agent-performance", format="xlsx", **params).content)
    )
    sheet = book.active
    assert sheet["A1"].value == "agent"
    assert any(row[0].value == "Ana Reyes" for row in sheet.iter_rows(min_row=2))

    own = Api(ana_user).get("/reports/agent-performance", **params).json()
    assert [r["agent"] for r in own] == ["Ana Reyes"]  # an agent sees only their own row
    assert (
        _error(supervisor.get("/reports/agent-performance", start="2026-11-24", end="2026-11-23"), 422)[
            "field"
        ]
        == "end"
    )
    assert (
        _error(supervisor.get("/reports/agent-performance", format="pdf", **params), 422)["field"] == "format"
    )
    assert (
        _error(supervisor.get("/reports/agent-performance", start="yesterday", end="2026-11-23"), 422)[
            "field"
        ]
        == "start"
    )
