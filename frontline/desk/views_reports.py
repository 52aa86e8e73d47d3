"""Supervisor reports with charts: volume by channel and hour, SLA attainment, handle time; CSV/XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frontline.accounts.principal import Principal
from frontline.core import charts, spreadsheet
from frontline.desk import reports as desk_reports
from frontline.desk.views import _base_context, _zone, desk_view
from frontline.feedback.models import SurveyKind
from frontline.feedback.selectors import satisfaction_report
from frontline.routing.selectors import handle_time_by_day
from frontline.sla.models import SlaClock
from frontline.sla.selectors import sla_attainment
from frontline.tickets.models import Channel
from frontline.tickets.selectors import ticket_volume_by_hour

MAX_DAYS = 92
REPORTS = ("trends", "backlog", "first_response", "csat", "volume", "sla", "handle")


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[Any]]


def _range(request: HttpRequest, zone: ZoneInfo) -> tuple[date, date, str]:
    """The report's days [start, end) in the supervisor's zone, with an error message if the input was bad."""
    today = timezone.now().astimezone(zone).date()
    start, end = today - timedelta(days=6), today + timedelta(days=1)
    try:
        if request.GET.get("start"):
            start = date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = date.fromisoformat(request.GET["end"])
    except ValueError:
        return today - timedelta(days=6), today + timedelta(days=1), _("Give dates as YYYY-MM-DD.")
    if end <= start or (end - start).days > MAX_DAYS:
        return (
            today - timedelta(days=6),
            today + timedelta(days=1),
            _("The range must end after it starts and span at most %(days)d days.") % {"days": MAX_DAYS},
        )
    return start, end, ""


def _channel_label(value: str) -> str:
    return str(dict(Channel.choices).get(value, value))


def _volume(
    principal: Principal, first: datetime, last: datetime, zone: ZoneInfo
) -> tuple[charts.Chart, Table]:
    counts = ticket_volume_by_hour(principal=principal, start=first, end=last, zone=zone)
    channels = sorted({channel for channel, _hour in counts})
    hours = [f"{h:02d}" for h in range(24)]
    series = {_channel_label(c): [float(counts.get((c, h), 0)) for h in range(24)] for c in channels}
    table = Table(
        "volume",
        [_("Hour"), *series.keys(), _("Total")],
        [
            [hour, *(int(v[h]) for v in series.values()), sum(int(v[h]) for v in series.values())]
            for h, hour in enumerate(hours)
        ],
    )
    return charts.bar_chart(hours, series or {_("Tickets"): [0.0] * 24}), table


def _sla(
    principal: Principal, first: datetime, last: datetime, zone: ZoneInfo, days: list[date]
) -> tuple[charts.Chart, Table]:
    found = sla_attainment(principal=principal, start=first, end=last, zone=zone)
    met = dict.fromkeys(days, 0)
    breached = dict.fromkeys(days, 0)
    for row in found:
        met[row.day] = met.get(row.day, 0) + row.met
        breached[row.day] = breached.get(row.day, 0) + row.breached
    labels = [d.strftime("%m-%d") for d in days]
    chart = charts.bar_chart(
        labels, {_("Met"): [float(met[d]) for d in days], _("Breached"): [float(breached[d]) for d in days]}
    )
    metric_names = dict(SlaClock.Metric.choices)
    table = Table(
        "sla",
        [_("Day"), _("Target"), _("Met"), _("Breached"), _("Attainment (%)")],
        [
            [
                row.day.isoformat(),
                str(metric_names.get(row.metric, row.metric)),
                row.met,
                row.breached,
                round(100 * row.attainment, 1) if row.attainment is not None else None,
            ]
            for row in found
        ],
    )
    return chart, table


def _handle(first: datetime, last: datetime, zone: ZoneInfo, days: list[date]) -> tuple[charts.Chart, Table]:
    found = handle_time_by_day(start=first, end=last, zone=zone)
    channels = sorted({row.channel for row in found})
    minutes = {(row.day, row.channel): row.handle_seconds / 60 for row in found}
    series = {_channel_label(c): [round(minutes.get((d, c), 0.0), 2) for d in days] for c in channels}
    chart = charts.bar_chart(
        [d.strftime("%m-%d") for d in days], series or {_("Contacts"): [0.0] * len(days)}, mode="grouped"
    )
    table = Table(
        "handle",
        [
            _("Day"),
            _("Channel"),
            _("Handled"),
            _("Average talk (s)"),
            _("Average wrap-up (s)"),
            _("Average handle (s)"),
        ],
        [
            [
                row.day.isoformat(),
                _channel_label(row.channel),
                row.handled,
                round(row.talk_seconds),
                round(row.wrap_up_seconds),
                round(row.handle_seconds),
            ]
            for row in found
        ],
    )
    return chart, table


def _day_labels(days: list[date]) -> list[str]:
    return [d.strftime("%m-%d") for d in days]


def _trends(
    principal: Principal, first: datetime, last: datetime, zone: ZoneInfo, days: list[date]
) -> tuple[tuple[charts.Chart, Table], tuple[charts.Chart, Table]]:
    found = desk_reports.ticket_trends(principal=principal, start=first, end=last, zone=zone)
    labels = _day_labels(days)
    trend_chart = charts.line_chart(
        labels,
        {
            _("Created"): [float(d.created) for d in found],
            _("Solved or closed"): [float(d.solved) for d in found],
        },
    )
    trend_table = Table(
        "trends",
        [_("Day"), _("Created"), _("Solved or closed")],
        [[d.day.isoformat(), d.created, d.solved] for d in found],
    )
    backlog_chart = charts.bar_chart(labels, {_("Open tickets"): [float(d.backlog) for d in found]})
    backlog_table = Table(
        "backlog",
        [_("Day"), _("Open at the end of the day")],
        [[d.day.isoformat(), d.backlog] for d in found],
    )
    return (trend_chart, trend_table), (backlog_chart, backlog_table)


def _first_response(
    principal: Principal, first: datetime, last: datetime, zone: ZoneInfo, days: list[date]
) -> tuple[charts.Chart, Table]:
    found = desk_reports.first_response(principal=principal, start=first, end=last, zone=zone)
    chart = charts.line_chart(
        _day_labels(days),
        {
            _("Median (min)"): [
                None if d.median_minutes is None else round(d.median_minutes, 1) for d in found
            ],
            _("Average (min)"): [
                None if d.average_minutes is None else round(d.average_minutes, 1) for d in found
            ],
        },
    )
    table = Table(
        "first_response",
        [_("Day"), _("Tickets created"), _("Answered"), _("Median (min)"), _("Average (min)")],
        [
            [
                d.day.isoformat(),
                d.tickets,
                d.answered,
                None if d.median_minutes is None else round(d.median_minutes, 1),
                None if d.average_minutes is None else round(d.average_minutes, 1),
            ]
            for d in found
        ],
    )
    return chart, table


def _csat(
    principal: Principal, first: datetime, last: datetime, zone: ZoneInfo, days: list[date]
) -> tuple[charts.Chart, Table]:
    rows = satisfaction_report(
        principal=principal,
        kind=SurveyKind.CSAT,
        by="none",
        period="day",
        since=first,
        until=last,
        tz=str(zone),
    )
    by_day = {row.period: row for row in rows}
    chart = charts.line_chart(
        _day_labels(days),
        {
            _("Satisfied (%)"): [
                None if by_day.get(d) is None or by_day[d].csat is None else float(by_day[d].csat or 0)
                for d in days
            ]
        },
        top=100,
    )
    table = Table(
        "csat",
        [_("Day"), _("Answers"), _("Satisfied (%)"), _("Average score")],
        [
            [
                d.isoformat(),
                by_day[d].responses if d in by_day else 0,
                by_day[d].csat if d in by_day else None,
                by_day[d].average if d in by_day else None,
            ]
            for d in days
        ],
    )
    return chart, table


@require_GET
@desk_view(supervisor=True)
def reports(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """Charts and tables over days in the supervisor's zone; `?format=csv|xlsx&report=…` exports one."""
    zone = _zone(principal.user.timezone)
    start, end, error = _range(request, zone)
    export = request.GET.get("format", "")
    if error or export not in ("", "csv", "xlsx") or (export and request.GET.get("report") not in REPORTS):
        message = error or _("Export with format=csv or xlsx and report=%(reports)s.") % {
            "reports": ", ".join(REPORTS)
        }
        if export:
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    else:
        message = ""
    first = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    last = datetime.combine(end, datetime.min.time(), tzinfo=zone)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    (trend_chart, trend_table), (backlog_chart, backlog_table) = _trends(principal, first, last, zone, days)
    first_chart, first_table = _first_response(principal, first, last, zone, days)
    csat_chart, csat_table = _csat(principal, first, last, zone, days)
    volume_chart, volume_table = _volume(principal, first, last, zone)
    sla_chart, sla_table = _sla(principal, first, last, zone, days)
    handle_chart, handle_table = _handle(first, last, zone, days)
    tables = {
        t.name: t
        for t in (trend_table, backlog_table, first_table, csat_table, volume_table, sla_table, handle_table)
    }
    if export:
        table = tables[request.GET["report"]]
        filename = f"{table.name}-{start.isoformat()}-{end.isoformat()}"
        if export == "csv":
            response = HttpResponse(
                spreadsheet.as_csv(table.header, table.rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        response = HttpResponse(
            spreadsheet.as_xlsx(table.name, table.header, table.rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    sections = [
        (_("Trends"), _("Tickets created and solved or closed, by day"), trend_chart, trend_table),
        (_("Backlog"), _("Open tickets at the end of each day"), backlog_chart, backlog_table),
        (
            _("First response"),
            _("Minutes until the first answer to the customer, by day the ticket was created"),
            first_chart,
            first_table,
        ),
        (
            _("Customer satisfaction (CSAT)"),
            _("Share of satisfied answers to the CSAT survey, by day"),
            csat_chart,
            csat_table,
        ),
        (_("Volume by channel and hour of day"), _("Tickets created"), volume_chart, volume_table),
        (_("SLA attainment"), _("Targets met on time and breached, by day"), sla_chart, sla_table),
        (
            _("Handle time"),
            _("Average handle time in minutes, by day and channel"),
            handle_chart,
            handle_table,
        ),
    ]
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    return render(
        request,
        "desk/reports.html",
        {
            **_base_context(request, principal),
            "start": start,
            "end": end,
            "error": message,
            "zone": str(zone),
            "sections": [
                {"title": title, "caption": caption, "chart": chart, "table": table, "query": query}
                for title, caption, chart, table in sections
            ],
        },
        status=400 if message else 200,
    )
