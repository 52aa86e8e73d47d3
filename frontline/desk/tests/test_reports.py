"""The supervisor reports: what the selectors count, and the page, its exports and who may see it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from frontline.customers.selectors import principal_for_user
from frontline.routing.models import Interaction, Queue
from frontline.routing.selectors import handle_time_by_day
from frontline.sla.models import SlaClock
from frontline.sla.selectors import sla_attainment
from frontline.tickets.models import Channel
from frontline.tickets.selectors import ticket_volume_by_hour

MANILA = ZoneInfo("Asia/Manila")
DAY_START = datetime(2026, 11, 20, tzinfo=MANILA)  # Friday 20 November, Manila
DAY_END = DAY_START + timedelta(days=1)


def _clock(ticket, metric, state, at):
    return SlaClock.objects.create(
        ticket=ticket,
        metric=metric,
        state=state,
        target_minutes=60,
        business_time=False,
        at_risk_ratio=0.8,
        started_at=at - timedelta(hours=2),
        elapsed=timedelta(0),
        met_at=at if state == SlaClock.State.MET else None,
        breached_at=at if state == SlaClock.State.BREACHED else None,
    )


def _call(queue, answered, talk_seconds, wrap_seconds, channel=Channel.VOICE):
    ended = answered + timedelta(seconds=talk_seconds)
    return Interaction.objects.create(
        queue=queue,
        channel=channel,
        state=Interaction.State.ENDED,
        enqueued_at=answered - timedelta(seconds=30),
        waiting_since=answered - timedelta(seconds=30),
        answered_at=answered,
        ended_at=ended,
        wrap_up_ended_at=ended + timedelta(seconds=wrap_seconds) if wrap_seconds else None,
    )


@pytest.fixture
def seen(make_ticket, private_team, supervisor):
    """Tickets and targets on Friday in Manila, one of them in a private team."""
    at = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 09:30 in Manila
    email = make_ticket("Warm air", created_at=at)
    make_ticket("Second", created_at=at + timedelta(minutes=5))
    chat = make_ticket("Chat", channel=Channel.CHAT, created_at=at + timedelta(hours=5))  # 14:30 Manila
    secret = make_ticket("Secret", team=private_team, created_at=at)
    make_ticket("Before the range", created_at=datetime(2026, 11, 19, 15, 59, tzinfo=UTC))  # Thu 23:59 Manila
    _clock(email, SlaClock.Metric.FIRST_RESPONSE, SlaClock.State.MET, at + timedelta(minutes=20))
    _clock(chat, SlaClock.Metric.FIRST_RESPONSE, SlaClock.State.BREACHED, at + timedelta(hours=6))
    _clock(email, SlaClock.Metric.RESOLUTION, SlaClock.State.RUNNING, at)
    _clock(secret, SlaClock.Metric.FIRST_RESPONSE, SlaClock.State.MET, at + timedelta(minutes=10))
    return {"email": email, "chat": chat, "secret": secret}


def test_volume_counts_by_channel_and_local_hour_within_what_the_caller_sees(seen, agent, supervisor):
    boss = ticket_volume_by_hour(
        principal=principal_for_user(supervisor), start=DAY_START, end=DAY_END, zone=MANILA
    )
    assert boss == {("email", 9): 3, ("chat", 14): 1}
    mine = ticket_volume_by_hour(
        principal=principal_for_user(agent), start=DAY_START, end=DAY_END, zone=MANILA
    )
    assert mine == {("email", 9): 2, ("chat", 14): 1}  # not the private team's ticket


def test_attainment_counts_targets_on_the_day_they_ended(seen, agent, supervisor):
    rows = sla_attainment(principal=principal_for_user(supervisor), start=DAY_START, end=DAY_END, zone=MANILA)
    assert [(r.day.isoformat(), r.metric, r.met, r.breached) for r in rows] == [
        ("2026-11-20", "first_response", 2, 1)
    ]
    assert rows[0].attainment == pytest.approx(2 / 3)
    agents = sla_attainment(principal=principal_for_user(agent), start=DAY_START, end=DAY_END, zone=MANILA)
    assert [(r.met, r.breached) for r in agents] == [(1, 1)]


def test_handle_time_averages_talk_and_wrap_up_per_local_day_and_channel(db):
    queue = Queue.objects.create(name="Phone", channel=Channel.VOICE)
    friday_morning = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    _call(queue, friday_morning, 300, 60)
    _call(queue, friday_morning + timedelta(hours=1), 100, 0)
    _call(queue, datetime(2026, 11, 19, 15, 0, tzinfo=UTC), 999, 0)  # Thursday 23:00 in Manila, ends 23:16
    rows = handle_time_by_day(start=DAY_START, end=DAY_END, zone=MANILA)
    assert len(rows) == 1
    row = rows[0]
    assert (row.day.isoformat(), row.channel, row.handled) == ("2026-11-20", "voice", 2)
    assert row.talk_seconds == 200
    assert row.wrap_up_seconds == 30
    assert row.handle_seconds == 230


def _supervisor_in_manila(client, supervisor):
    supervisor.timezone = "Asia/Manila"
    supervisor.save(update_fields=["timezone"])
    client.force_login(supervisor)


def test_the_supervisor_sees_charts_and_figures(client, seen, supervisor):
    _supervisor_in_manila(client, supervisor)
    response = client.get("/desk/supervisor/reports/?start=2026-11-20&end=2026-11-21")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart"') == 7  # trends, backlog, first response, CSAT, volume, SLA, handle
    assert "09 · Email: 3" in html  # a bar's own label: hour, channel, count
    assert "66.7" in html  # first-response attainment that day


def test_reports_export_as_csv_and_xlsx_safe_from_formulas(client, supervisor, make_ticket):
    _supervisor_in_manila(client, supervisor)
    make_ticket("x", created_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    csv = client.get("/desk/supervisor/reports/?start=2026-11-20&end=2026-11-21&report=volume&format=csv")
    assert csv.status_code == 200
    assert csv["Content-Disposition"] == 'attachment; filename="volume-2026-11-20-2026-11-21.csv"'
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Hour,Email,Total"
    assert lines[11] == "10,1,1"
    xlsx = client.get("/desk/supervisor/reports/?start=2026-11-20&end=2026-11-21&report=sla&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == ["Day", "Target", "Met", "Breached", "Attainment (%)"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=20-11-2026", "Give dates as YYYY-MM-DD."),
        ("start=2026-11-20&end=2026-11-20", "at most 92 days"),
        ("start=2026-01-01&end=2026-12-01", "at most 92 days"),
    ],
)
def test_a_bad_range_is_a_400_with_the_reason(client, supervisor, query, message):
    client.force_login(supervisor)
    response = client.get(f"/desk/supervisor/reports/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_bad_export_is_a_400_with_the_reason(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/desk/supervisor/reports/?report=secrets&format=csv")
    assert response.status_code == 400
    assert "report=trends, backlog, first_response, csat, volume, sla, handle" in response.content.decode()
    assert client.get("/desk/supervisor/reports/?report=sla&format=pdf").status_code == 400


def test_agents_and_strangers_may_not_see_reports(client, agent):
    assert client.get("/desk/supervisor/reports/").status_code == 302  # to the sign-in page
    client.force_login(agent)
    assert client.get("/desk/supervisor/reports/").status_code == 403
    assert client.get("/desk/supervisor/reports/?report=volume&format=csv").status_code == 403


def test_trends_backlog_and_first_response_by_day(supervisor, make_ticket):
    from frontline.customers.selectors import principal_for_user
    from frontline.desk import reports
    from frontline.tickets.models import Message, Ticket
    from frontline.tickets.services import message_add

    before = make_ticket("Open since Thursday", created_at=datetime(2026, 11, 19, 1, 0, tzinfo=UTC))
    fast = make_ticket("Answered in 30 min", created_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    slow = make_ticket("Answered in 90 min", created_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    make_ticket("Not answered", created_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    for ticket, minutes in ((fast, 30), (slow, 90)):
        message_add(
            actor=supervisor,
            ticket=ticket,
            direction=Message.Direction.OUTBOUND,
            body_text="On it.",
            created_at=ticket.created_at + timedelta(minutes=minutes),
        )
    Ticket.objects.filter(pk=before.pk).update(
        status=Ticket.Status.SOLVED, solved_at=datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    )
    principal = principal_for_user(supervisor)

    [friday] = reports.ticket_trends(principal=principal, start=DAY_START, end=DAY_END, zone=MANILA)
    [answers] = reports.first_response(principal=principal, start=DAY_START, end=DAY_END, zone=MANILA)

    assert (friday.created, friday.solved, friday.backlog) == (3, 1, 3)  # 1 open before + 3 - 1 solved
    assert (answers.tickets, answers.answered, answers.median_minutes, answers.average_minutes) == (
        3,
        2,
        60,
        60,
    )
