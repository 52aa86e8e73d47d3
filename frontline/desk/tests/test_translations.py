"""Every desk page rendered in Tagalog and in Chinese shows no English left untranslated.

Each page is rendered twice, in English and in the other language, with the same data. A piece of
text (a text node, or a title, label or placeholder a reader meets) that reads the same in both
renders is English left over, unless it is data (a name, a subject: `DATA` below, all made by this
test) or a word the catalog translates as itself (Tagalog keeps "Email" and "Team"). Stored codes
shown raw ("zh-hans", "lunch", "gold") are caught too, as `RAW_CODES`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from frontline.accounts.factories import staff
from frontline.accounts.models import Role
from frontline.customers.factories import CustomerFactory
from frontline.desk.services import note_add
from frontline.escalations.models import EscalationChain, EscalationStep
from frontline.escalations.services import escalation_start
from frontline.remedies.models import ComplaintReason
from frontline.routing.models import Queue
from frontline.routing.services import interaction_enqueue, presence_set
from frontline.sla.models import SlaClock
from frontline.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db

#: Text the test itself made: names, subjects, bodies, teams, queues. Never checked.
DATA = {
    "Frontline",
    "Ana Reyes",
    "Sam Cruz",
    "Ben Cruz",
    "Maria Santos",
    "Li Wei",
    "Aircon",
    "Aircon not cooling",
    "My aircon blows warm air.",
    "Warranty",
    "warranty",
    "Hotline",
    "Aurora",
    "Aurora Gold",
    "@ben please call her",
    "maria@example.test",
    "li@example.test",
    "ana",
    "sam",
    "ben",
    "Enter",  # a key's name on the keyboard
    "EN",  # language badges: the language's short name (its full name is read out)
    "FIL",
    "aircon",  # pieces of a search result between the marked words
    "blows warm air.",
    "not cooling",
    "Naka-book na ang technician (Tagalog)",  # a Tagalog macro the scripts app seeds
}
#: Data with an id in it: a notification, stored in the recipient's language when it was made.
DATA_PATTERNS = [re.compile(r"^Ana Reyes mentioned you on ticket #\d+$")]
#: Codes a page must never show as they are stored.
RAW_CODES = {
    "zh-hans",
    "zh_Hans",
    "fil",
    "lunch",
    "missed_offer",
    "gold",
    "not_ready",
    "logged_out",
    "on_hold",
}
#: A piece made of these only is not words: numbers, times (with their zone), ids, symbols.
NOT_WORDS = re.compile(
    r"^[\W\d_]*$|^[\w./+-]+/[\w./+-]+$|^#\d+|^\d{4}-\d\d-\d\d \d\d:\d\d \([\w/+-]+\)$", re.UNICODE
)
PLACEHOLDER = re.compile(r"%\(\w+\)0?\d*[sd]|\{\w+\}")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class _Text(HTMLParser):
    """The pieces of a page a reader meets: text nodes and labelling attributes (not scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in ATTRIBUTES or name.startswith("data-t-")):
                self.pieces.add(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.pieces.add(text)


def _pieces(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return parser.pieces


def _same_in(language: str) -> tuple[set[str], list[re.Pattern[str]]]:
    """Catalog entries (every app) whose translation is the English text itself, as text and as
    patterns for those with placeholders ("%(minutes)d min" reads "19 min" in Tagalog too)."""
    same = set()
    for path in Path(settings.BASE_DIR, "frontline").glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and entry.msgstr == entry.msgid:
                same.add(entry.msgid)
    patterns = [
        re.compile("^" + ".+?".join(re.escape(part) for part in PLACEHOLDER.split(msgid)) + "$")
        for msgid in same
        if PLACEHOLDER.search(msgid)
    ]
    return same, patterns


def _leftovers(english: str, translated: str, language: str) -> list[str]:
    same, patterns = _same_in(language)
    same |= DATA
    english_pieces = {piece.strip(" ·:") for piece in _pieces(english)}
    found = []
    for raw in sorted(_pieces(translated)):
        piece = raw.strip(" ·:")
        if piece in RAW_CODES:
            found.append(piece)
            continue
        if piece in same or NOT_WORDS.match(piece) or not LATIN_WORD.search(piece):
            continue
        if any(pattern.match(piece) for pattern in DATA_PATTERNS):
            continue
        if any(pattern.match(piece) for pattern in patterns):
            continue
        if piece in english_pieces:
            found.append(piece)
    return found


@pytest.fixture
def floor(db):
    """A desk with something on every page: tickets, SLA clocks, an escalation, a note with a
    mention, notifications, an offer, agents in several states, a complaint."""
    from frontline.accounts.factories import TeamFactory

    aircon = TeamFactory(name="Aircon")
    ana = staff(Role.AGENT, teams=[aircon], username="ana", first_name="Ana", last_name="Reyes")
    ben = staff(Role.AGENT, teams=[aircon], username="ben", first_name="Ben", last_name="Cruz")
    sam = staff(Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Cruz")
    for user in (ana, ben):
        user.agent.capacity = {"voice": 1, "email": 5}
        user.agent.save()
    maria = CustomerFactory(
        first_name="Maria",
        last_name="Santos",
        salutation="Ms",
        language="fil",
        tier="gold",
        email="maria@example.test",
    )
    li = CustomerFactory(first_name="Li", last_name="Wei", language="zh-hans", email="li@example.test")
    ticket = ticket_create(
        actor=None,
        requester=maria,
        subject="Aircon not cooling",
        body_text="My aircon blows warm air.",
        team=aircon,
        channel="email",
        tags=["warranty"],
    )
    other = ticket_create(
        actor=None,
        requester=li,
        subject="Aircon not cooling",
        body_text="My aircon blows warm air.",
        team=aircon,
        channel="chat",
    )
    ticket_update(actor=ana, ticket=ticket, assignee=ana, priority="high")
    ticket_update(actor=ana, ticket=other, status="pending")
    now = datetime.now(UTC)
    for metric, state, due in (
        (SlaClock.Metric.FIRST_RESPONSE, SlaClock.State.RUNNING, now + timedelta(minutes=20)),
        (SlaClock.Metric.RESOLUTION, SlaClock.State.BREACHED, now - timedelta(hours=1)),
    ):
        SlaClock.objects.update_or_create(
            ticket=ticket,
            metric=metric,
            defaults={
                "state": state,
                "target_minutes": 60,
                "business_time": False,
                "at_risk_ratio": 0.8,
                "started_at": now - timedelta(hours=2),
                "elapsed": timedelta(0),
                "due_at": due,
                "at_risk_at": due - timedelta(minutes=30),
            },
        )
    chain = EscalationChain.objects.create(name="Aurora")
    EscalationStep.objects.create(
        chain=chain, position=1, delay=timedelta(minutes=30), action="notify_assignee"
    )
    escalation_start(ticket=ticket, chain=chain, actor=sam)
    note_add(actor=ana, ticket=ticket, body="@ben please call her")
    presence_set(actor=ben, user=ben, state="not_ready", reason="lunch")
    presence_set(actor=ana, user=ana, state="available")
    queue = Queue.objects.create(name="Hotline", channel="voice")
    interaction_enqueue(queue=queue, customer=maria, ticket=ticket)
    ComplaintReason.objects.get_or_create(code="product_defect", defaults={"name": "Product defect"})
    return {"ticket": ticket, "ana": ana, "ben": ben, "sam": sam}


def _pages(floor: dict) -> list[tuple[str, str]]:
    ticket = floor["ticket"]
    return [
        ("ben", "/desk/?inbox=all"),
        ("ben", "/desk/?inbox=all&q=aircon&channel=email&sort=sla"),
        ("ben", f"/desk/tickets/{ticket.pk}/"),
        ("ben", f"/desk/rail/?inbox=all&current={ticket.pk}"),
        ("ben", "/desk/notifications/"),
        ("ben", "/desk/notifications/panel/"),
        ("ben", "/desk/profile/"),
        ("ben", f"/desk/tickets/{ticket.pk}/remedies/"),
        ("ana", "/desk/offers/"),
        ("sam", "/desk/supervisor/"),
        ("sam", f"/desk/supervisor/agents/{floor['ben'].pk}/action/?do=state"),
        ("sam", f"/desk/supervisor/agents/{floor['ana'].pk}/action/?do=reassign"),
        ("sam", "/desk/supervisor/performance/"),
        ("sam", "/desk/supervisor/reports/"),
        ("sam", "/desk/supervisor/approvals/"),
        ("sam", "/desk/complaints/"),
    ]


def _render(client, user, path, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("language", ["fil", "zh-hans"])
def test_every_desk_page_is_translated(client, floor, language):
    catalog = "zh_Hans" if language == "zh-hans" else language
    problems = {}
    for username, path in _pages(floor):
        user = floor[username]
        english = _render(client, user, path, "en")
        translated = _render(client, user, path, language)
        left = _leftovers(english, translated, catalog)
        if left:
            problems[path] = left
    assert not problems, f"English left in the {language} pages: {problems}"


@pytest.mark.parametrize("language", ["fil", "zh-hans"])
def test_the_sign_in_page_and_the_bulk_confirmation_are_translated(client, floor, language):
    catalog = "zh_Hans" if language == "zh-hans" else language
    english = client.get("/desk/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    translated = client.get("/desk/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert not _leftovers(english, translated, catalog)
    data = {"ticket_ids": [floor["ticket"].pk], "action": "status", "status": "closed", "next": "/desk/"}
    renders = []
    for lang in ("en", language):
        floor["ana"].language = lang
        floor["ana"].save(update_fields=["language"])
        client.force_login(floor["ana"])
        renders.append(client.post("/desk/bulk/", data).content.decode())
    assert not _leftovers(renders[0], renders[1], catalog)


def test_the_check_finds_english_left_over():
    english = '<p>Reply sent.</p><span title="Due soon">x</span><p>zh-hans</p>'
    translated = '<p>Reply sent.</p><span title="Due soon">x</span><p>zh-hans</p>'
    assert _leftovers(english, translated, "fil") == ["Due soon", "Reply sent.", "zh-hans"]
