"""The demo company, Aurora Appliances, loaded through the same services the product uses.

Aurora is a Manila appliance retailer (refrigerators, washing machines, aircon, TVs, microwaves)
with three teams, fifteen staff, about 300 customers and 90 days of tickets in English, Tagalog and
Simplified Chinese. `load_demo` draws everything from one seeded random generator, writes it in one
transaction, and does nothing when the demo is already there (but add the chat widget's site to a
demo loaded before it had one).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from frontline.accounts.models import Role, Team, User
from frontline.accounts.selectors import user_role
from frontline.accounts.services import agent_profile_update, staff_create, team_create
from frontline.connectors.webchat.selectors import site_demo
from frontline.customers.models import Customer, Organization, Segment
from frontline.customers.services import customer_create, organization_create, segment_create
from frontline.demo.chat import chat_site_setup
from frontline.demo.conversations import (
    CHASERS,
    COMPLAINTS,
    GENERAL_NOTES,
    ON_HOLD_NOTES,
    SALES,
    SCENARIOS,
    SUPPORT,
    THANKS,
    UPDATES,
    Lines,
    Scenario,
    greeting,
    sign_off,
    spoken_date,
)
from frontline.demo.desk import desk_demo_setup
from frontline.demo.mail import mail_setup
from frontline.demo.people import EN, FIL, FIRST_ORIGINS, ZH, Person, draw_person, email_address, weighted
from frontline.demo.service import setup_service
from frontline.events import realtime
from frontline.events.models import Event
from frontline.knowledge.demo import help_center_seed
from frontline.plans.models import Plan, PlanVersion
from frontline.plans.services import plan_create, plan_version_activate, plan_version_draft
from frontline.tickets.models import Channel, Message, Ticket
from frontline.tickets.services import message_add, ticket_create, ticket_update

DEMO_PASSWORD = "frontline-demo"  # noqa: S105  (the published password of the demo logins)
COMPANY_NAME = "Aurora Appliances"
SEED = 2026
CUSTOMERS = 300
TICKETS = 2000
HISTORY_DAYS = 90
MANILA = ZoneInfo("Asia/Manila")
STAFF_DOMAIN = "aurora-appliances.example"
ADMIN_USERNAME = "admin"


class Writer(Protocol):
    """Where progress goes: a management command's stdout, sys.stdout, a StringIO."""

    def write(self, text: str, /) -> object: ...


# --- The company: teams and staff -------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    username: str
    role: str
    first_name: str
    last_name: str
    teams: tuple[str, ...] = ()
    languages: tuple[str, ...] = (EN, FIL)
    skills: dict[str, int] = field(default_factory=dict)
    cost_per_hour: str = "0"
    capacity: dict[str, int] = field(default_factory=dict)


TEAMS: tuple[tuple[str, str, bool], ...] = (
    (SALES, "Orders, deliveries, installation bookings, payments and product questions.", False),
    (SUPPORT, "Diagnosis and repair of refrigerators, washers, aircon, TVs and microwaves.", True),
    (COMPLAINTS, "Complaints, warranty claims, returns, replacements and refunds.", False),
)
TEAM_LEADS = {SALES: "supervisor1", COMPLAINTS: "supervisor1", SUPPORT: "supervisor2"}

_SALES_LOAD = {"email": 12, "chat": 4, "voice": 1}
_SUPPORT_LOAD = {"email": 8, "chat": 2, "voice": 1}
_COMPLAINTS_LOAD = {"email": 10, "chat": 3, "voice": 1}

STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", Role.ADMIN, "Carmela", "Ocampo", cost_per_hour="18.00"),
    StaffMember(
        "supervisor1", Role.SUPERVISOR, "Rowena", "Castillo", (SALES, COMPLAINTS),
        skills={"de_escalation": 5, "refunds": 5, "billing": 4}, cost_per_hour="14.50",
        capacity={"email": 6, "chat": 2, "voice": 1},
    ),
    StaffMember(
        "supervisor2", Role.SUPERVISOR, "Ramon", "Aquino", (SUPPORT,),
        skills={"refrigeration": 5, "aircon": 5, "laundry": 4}, cost_per_hour="14.50",
        capacity={"email": 6, "chat": 2, "voice": 1},
    ),
    StaffMember(
        "agent1", Role.AGENT, "Maria", "Santos", (SALES,),
        skills={"product_knowledge": 4, "installment_plans": 4, "logistics": 3}, cost_per_hour="6.50",
        capacity=_SALES_LOAD,
    ),
    StaffMember(
        "agent2", Role.AGENT, "Jerome", "Villanueva", (SALES,),
        skills={"product_knowledge": 3, "logistics": 4, "billing": 3}, cost_per_hour="6.00",
        capacity=_SALES_LOAD,
    ),
    StaffMember(
        "agent3", Role.AGENT, "Cheryl", "Tan", (SALES,), (EN, FIL, ZH),
        skills={"product_knowledge": 4, "billing": 4, "installment_plans": 3}, cost_per_hour="7.25",
        capacity=_SALES_LOAD,
    ),
    StaffMember(
        "agent4", Role.AGENT, "Paolo", "Reyes", (SALES, COMPLAINTS),
        skills={"logistics": 4, "returns": 3}, cost_per_hour="6.75", capacity=_SALES_LOAD,
    ),
    StaffMember(
        "agent5", Role.AGENT, "Rodel", "Mendoza", (SUPPORT,),
        skills={"refrigeration": 5, "laundry": 4, "aircon": 3}, cost_per_hour="8.00", capacity=_SUPPORT_LOAD,
    ),
    StaffMember(
        "agent6", Role.AGENT, "Kristine", "Bautista", (SUPPORT,),
        skills={"aircon": 5, "tv_audio": 3, "microwave": 3}, cost_per_hour="7.50", capacity=_SUPPORT_LOAD,
    ),
    StaffMember(
        "agent7", Role.AGENT, "Kenneth", "Lim", (SUPPORT,), (EN, ZH),
        skills={"tv_audio": 5, "microwave": 4, "refrigeration": 3}, cost_per_hour="7.75",
        capacity=_SUPPORT_LOAD,
    ),
    StaffMember(
        "agent8", Role.AGENT, "Arnel", "Dela Cruz", (SUPPORT,),
        skills={"laundry": 5, "refrigeration": 4}, cost_per_hour="7.00", capacity=_SUPPORT_LOAD,
    ),
    StaffMember(
        "agent9", Role.AGENT, "Angelica", "Ramos", (COMPLAINTS,),
        skills={"returns": 4, "warranty": 4, "de_escalation": 4}, cost_per_hour="6.75",
        capacity=_COMPLAINTS_LOAD,
    ),
    StaffMember(
        "agent10", Role.AGENT, "Vincent", "Chua", (COMPLAINTS,), (EN, FIL, ZH),
        skills={"warranty": 5, "refunds": 4}, cost_per_hour="7.50", capacity=_COMPLAINTS_LOAD,
    ),
    StaffMember(
        "agent11", Role.AGENT, "Joy", "Navarro", (COMPLAINTS,),
        skills={"returns": 3, "refunds": 4, "de_escalation": 5}, cost_per_hour="6.50",
        capacity=_COMPLAINTS_LOAD,
    ),
    StaffMember(
        "agent12", Role.AGENT, "Mark", "Soriano", (COMPLAINTS, SALES),
        skills={"billing": 4, "refunds": 3}, cost_per_hour="6.25", capacity=_COMPLAINTS_LOAD,
    ),
)  # fmt: skip

# --- What it sells, and who buys in bulk ------------------------------------------------------

PRODUCTS: dict[str, tuple[str, ...]] = {
    "refrigerator": (
        "Aurora FrostFree 2-Door 9 cu.ft. AR-2D260",
        "Aurora Inverter 2-Door 12 cu.ft. AR-2D340i",
        "Aurora Side-by-Side 20 cu.ft. AR-SBS560",
        "Aurora Single-Door 6 cu.ft. AR-1D170",
    ),
    "washing_machine": (
        "Aurora TopLoad 8 kg AW-TL80",
        "Aurora Twin Tub 7.5 kg AW-TT75",
        "Aurora FrontLoad Inverter 9 kg AW-FL90i",
        "Aurora Washer-Dryer 10/6 kg AW-WD106",
    ),
    "aircon": (
        "Aurora Split-Type Inverter 1.5 HP AC-SI15",
        "Aurora Split-Type Inverter 2.0 HP AC-SI20",
        "Aurora Window-Type 1.0 HP AC-W10",
        "Aurora Window-Type Inverter 1.5 HP AC-W15i",
    ),
    "tv": (
        'Aurora 32" HD Smart TV AT-32H',
        'Aurora 43" Full HD Smart TV AT-43F',
        'Aurora 55" 4K UHD Smart TV AT-55U',
        'Aurora 65" 4K QLED TV AT-65Q',
    ),
    "microwave": (
        "Aurora 20 L Microwave AM-20S",
        "Aurora 25 L Grill Microwave AM-25G",
        "Aurora 30 L Convection Microwave AM-30C",
    ),
}

#: name, email domain, members see each other's tickets, notes
ORGANIZATIONS: tuple[tuple[str, str, bool, str], ...] = (
    ("Bayanihan Residences Condominium Corp.", "bayanihan-residences.example", True,
     "The admin office files tickets for unit owners' aircon and appliances."),
    ("Sampaguita Property Management", "sampaguita-pm.example", True,
     "Manages 12 apartment buildings in Pasig and Mandaluyong."),
    ("Pacific Harbor Hotel Manila", "pacificharbor-hotel.example", True,
     "220 rooms: TVs, minibar refrigerators and split-type aircon."),
    ("Mabuhay Canteen Group", "mabuhay-canteen.example", False,
     "Eight canteens; chest freezers and refrigerators."),
    ("Tanglaw Learning Center", "tanglaw-learning.example", True,
     "School: classroom aircon, serviced every summer break."),
    ("Golden Lotus Trading", "goldenlotus-trading.example", False,
     "Binondo wholesaler; buys TVs and microwaves for resale in the provinces."),
    ("Isla Fresh Cold Storage", "islafresh.example", False,
     "Cold storage in Cebu; priority on refrigeration repairs."),
    ("Kalayaan BPO Services", "kalayaan-bpo.example", True,
     "Office pantries on four floors in Taguig."),
    ("Bahay Kubo Dormitories", "bahaykubo-dorms.example", False,
     "Student dormitories near U-Belt, Manila."),
    ("Cebu Sunrise Apartelle", "cebusunrise.example", True,
     "Serviced apartments; washers and aircon in every unit."),
)  # fmt: skip

SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("VIP customers", "tier in (gold, platinum)", "Gold and platinum customers, served under the VIP plan."),
    ("Gold Philippines", "tier = gold and country = PH", "Gold customers in the Philippines."),
    ("Chinese-speaking customers", "language = zh-hans", "Customers who write to us in Simplified Chinese."),
    ("Overseas customers", "country != PH", "Customers in China, Taiwan and Singapore."),
    ("High lifetime value", "lifetime_value >= 200000", "Bought PHP 200,000 or more from us."),
)


def _weekly(weekdays: str, saturday: str | None, sunday: str | None) -> dict[str, list[str]]:
    days = {day: weekdays.split("-") for day in ("mon", "tue", "wed", "thu", "fri")}
    if saturday:
        days["sat"] = saturday.split("-")
    if sunday:
        days["sun"] = sunday.split("-")
    return days


def _plan_settings(*, chat_until: str, first_response: dict[str, int], remedy_limit: int) -> dict[str, Any]:
    return {
        "timezone": "Asia/Manila",
        "languages": [EN, FIL, ZH],
        "hours": {
            Channel.EMAIL.value: _weekly("08:00-20:00", "09:00-18:00", None),
            Channel.WEB_FORM.value: _weekly("08:00-20:00", "09:00-18:00", None),
            Channel.CHAT.value: _weekly(f"08:00-{chat_until}", f"09:00-{chat_until}", "10:00-18:00"),
            Channel.VOICE.value: _weekly("08:00-20:00", "09:00-18:00", None),
        },
        "holidays": ["2025-12-25", "2025-12-30", "2026-01-01", "2026-04-02", "2026-04-03"],
        "first_response_minutes": first_response,
        "resolution_hours": {"urgent": 24, "high": 48, "normal": 120, "low": 240},
        "goals": [
            {"kpi": "csat", "target": 0.9},
            {"kpi": "first_response_within_target", "target": 0.85},
            {"kpi": "first_contact_resolution", "target": 0.7},
        ],
        "remedy_limits": {"currency": "PHP", "agent": remedy_limit, "supervisor": remedy_limit * 5},
    }


STANDARD_TARGETS = {"urgent": 30, "high": 60, "normal": 240, "low": 480}
VIP_TARGETS = {"urgent": 15, "high": 30, "normal": 60, "low": 240}

# --- When and how customers get in touch ------------------------------------------------------

CHANNELS: tuple[tuple[str, int], ...] = (
    (Channel.EMAIL.value, 35),
    (Channel.CHAT.value, 30),
    (Channel.VOICE.value, 20),
    (Channel.WEB_FORM.value, 15),
)
OVERSEAS_CHANNELS: tuple[tuple[str, int], ...] = (
    (Channel.EMAIL.value, 50),
    (Channel.CHAT.value, 30),
    (Channel.VOICE.value, 5),
    (Channel.WEB_FORM.value, 15),
)
LIVE_CHANNELS = frozenset({Channel.CHAT.value, Channel.VOICE.value})
#: Manila hours in which agents work (Monday to Saturday) and the hotline takes calls
WORKING_HOURS = (8, 20)
AGENT_KINDS = frozenset({"reply", "resolution", "note", "hold_note"})
#: relative volume Monday..Sunday, and per hour of the day in Manila
DAY_WEIGHTS = (1.0, 0.95, 0.95, 0.9, 0.9, 0.6, 0.4)
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 3, 6, 9, 10, 10, 7, 9, 10, 9, 8, 6, 5, 5, 4, 3, 1.5, 0.6,
)  # fmt: skip
PRIORITIES = (Ticket.Priority.LOW, Ticket.Priority.NORMAL, Ticket.Priority.HIGH, Ticket.Priority.URGENT)


def _status_for_age(rng: random.Random, age: timedelta) -> str:
    """Old tickets are closed; recent ones are still being worked on."""
    days = age / timedelta(days=1)
    table: tuple[tuple[str, int], ...]
    if days > 21:
        table = (("closed", 85), ("solved", 11), ("on_hold", 2), ("pending", 2))
    elif days > 7:
        table = (("closed", 45), ("solved", 40), ("pending", 7), ("on_hold", 5), ("open", 3))
    elif days > 3:
        table = (("solved", 45), ("pending", 20), ("open", 15), ("on_hold", 10), ("closed", 10))
    elif days > 1:
        table = (("open", 30), ("pending", 25), ("solved", 25), ("on_hold", 10), ("new", 10))
    else:
        table = (("new", 50), ("open", 30), ("pending", 15), ("on_hold", 5))
    return weighted(rng, table)


#: the status changes, after the conversation, that bring an open ticket to its final status
STATUS_STEPS: dict[str, tuple[str, ...]] = {
    "new": (),
    "open": (),
    "pending": ("pending",),
    "on_hold": ("on_hold",),
    "solved": ("solved",),
    "closed": ("solved", "closed"),
}


def conversation_shape(rng: random.Random, status: str) -> list[str]:
    """The kinds of message a ticket that ends in `status` has, in order, 1 to 6 of them.

    'opening', 'follow', 'chaser', 'thanks' come from the customer; 'reply' and 'resolution' from the
    agent; 'note' and 'hold_note' are internal. A new ticket has no agent reply (one would open it).
    """
    if status == "new":
        return ["opening", "chaser"] if rng.random() < 0.3 else ["opening"]
    total = weighted(rng, ((2, 25), (3, 25), (4, 22), (5, 15), (6, 13)))
    tail = ["hold_note"] if status == "on_hold" else []
    # A solved case was acknowledged before it was resolved: opening, reply, resolution at least.
    least_core = 3 if status in ("solved", "closed") else 2
    total = max(total, least_core + len(tail))
    note_odds: tuple[tuple[int, int], ...] = ((0, 55), (1, 33), (2, 12)) if total >= 5 else ((0, 70), (1, 30))
    notes = min(weighted(rng, note_odds), total - least_core - len(tail))
    core = total - notes - len(tail)
    ending: list[str] = []
    if status in ("solved", "closed"):
        ending = ["resolution", "thanks"] if core >= 4 and rng.random() < 0.5 else ["resolution"]
    exchange = ["reply" if i % 2 == 0 else "follow" for i in range(core - 1 - len(ending))]
    if status in ("pending", "on_hold") and exchange[-1] == "follow":
        exchange.pop()  # the agent asked something last; the customer has not answered yet
        notes += 1
    kinds = ["opening", *exchange]
    for _ in range(notes):
        kinds.insert(rng.randint(2, len(kinds)), "note")  # after the first reply, before any resolution
    return kinds + ending + tail


# --- Drawing the tickets ----------------------------------------------------------------------


@dataclass
class Staff:
    """The loaded staff, as the ticket generator needs them."""

    teams: dict[str, Team]
    #: team name -> its agents, each with a share of the team's work (their first team gets most of theirs)
    members: dict[str, list[tuple[User, int]]]
    leads: dict[str, User]
    languages: dict[int, tuple[str, ...]]


@dataclass(frozen=True)
class Step:
    kind: str
    direction: str
    text: str
    at: datetime
    actor: User | None
    channel: str


@dataclass(frozen=True)
class TicketDraft:
    requester: Customer
    scenario: Scenario
    subject: str
    channel: str
    priority: str
    product: str
    team: Team
    assignee: User | None
    tags: tuple[str, ...]
    created_at: datetime
    status: str
    steps: tuple[Step, ...]


def _created_at(rng: random.Random, now: datetime) -> datetime:
    """A moment in the last HISTORY_DAYS, busier on weekdays and in Manila business hours."""
    today = now.astimezone(MANILA).date()
    while True:
        days_ago = rng.randrange(HISTORY_DAYS)
        day = today - timedelta(days=days_ago)
        growth = 0.85 + 0.15 * (1 - days_ago / HISTORY_DAYS)  # the business is growing a little
        if rng.random() > DAY_WEIGHTS[day.weekday()] * growth:
            continue
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=MANILA
        )
        if local < now - timedelta(minutes=30):
            return local.astimezone(UTC)


def _gap(rng: random.Random, kind: str, channel: str, scenario: Scenario) -> timedelta:
    """How long after the previous message this kind of message comes."""
    live = channel in LIVE_CHANNELS
    if kind == "reply":
        minutes = rng.uniform(1, 8) if live else rng.uniform(15, 360)
    elif kind == "follow":
        minutes = rng.uniform(1, 10) if live else rng.uniform(45, 1800)
    elif kind == "resolution":
        needs_a_visit = scenario.team == SUPPORT or scenario.category in (
            "warranty",
            "delivery",
            "installation",
        )
        minutes = rng.uniform(1 * 1440, 5 * 1440) if needs_a_visit else rng.uniform(30, 1440)
    elif kind == "thanks":
        minutes = rng.uniform(5, 600)
    elif kind == "chaser":
        minutes = rng.uniform(120, 1440)
    else:  # notes
        minutes = rng.uniform(3, 180)
    return timedelta(minutes=minutes)


def _working_hours(rng: random.Random, at: datetime) -> datetime:
    """`at`, or the start of the next working period (plus a little) if the desk is closed then."""
    local = at.astimezone(MANILA)
    opens, closes = WORKING_HOURS
    if local.weekday() != 6 and opens <= local.hour < closes:
        return at
    day = local.date() if local.hour < opens else local.date() + timedelta(days=1)
    if day.weekday() == 6:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, opens, tzinfo=MANILA)
    # The overnight backlog is worked through during the morning.
    return (start + timedelta(minutes=rng.uniform(5, 240))).astimezone(UTC)


def _next_business_day(day: date, days: int) -> date:
    day += timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day


SERIAL_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _placeholders(rng: random.Random, product: str, created_at: datetime, language: str) -> dict[str, str]:
    local = created_at.astimezone(MANILA)
    return {
        "product": product,
        "order": f"AA-{local.year}-{rng.randint(10000, 99999)}",
        "date": spoken_date(_next_business_day(local.date(), rng.randint(1, 4)), language),
        "serial": f"{rng.choice(SERIAL_LETTERS)}{rng.randint(10, 99)}{rng.randint(1000000, 9999999)}",
    }


def _outbound(text: str, customer: Customer, agent: User, channel: str) -> str:
    is_chat = channel == Channel.CHAT
    hello = greeting(customer.language, customer.salutation, customer.last_name, is_chat)
    if is_chat:
        return f"{hello} {text}"
    return f"{hello}\n\n{text}\n\n{sign_off(customer.language, agent.first_name)}"


def _inbound(rng: random.Random, text: str, customer: Customer, channel: str) -> str:
    if channel in (Channel.EMAIL, Channel.WEB_FORM) and rng.random() < 0.5:
        return f"{text}\n\n{customer.first_name}"
    return text


def _pick(items: tuple[str, ...], index: int, spare: tuple[str, ...]) -> str:
    return items[index] if index < len(items) else spare[(index - len(items)) % len(spare)]


def draft_ticket(
    rng: random.Random, staff: Staff, requester: Customer, now: datetime, created_at: datetime
) -> TicketDraft:
    """One ticket: its scenario, people, status and messages, with times that fit before `now`."""
    scenario = weighted(rng, [(s, s.weight) for s in SCENARIOS])
    language = requester.language if requester.language in scenario.lines else EN
    lines: Lines = scenario.lines[language]
    product = rng.choice(PRODUCTS[rng.choice(scenario.product_kinds)])
    values = _placeholders(rng, product, created_at, language)
    channels = CHANNELS if requester.country == "PH" else OVERSEAS_CHANNELS
    if not WORKING_HOURS[0] <= created_at.astimezone(MANILA).hour < WORKING_HOURS[1]:
        channels = tuple((name, weight) for name, weight in channels if name != Channel.VOICE)
    channel = weighted(rng, channels)
    status = _status_for_age(rng, now - created_at)

    priority = weighted(rng, list(zip(PRIORITIES, scenario.priorities, strict=True)))
    if requester.tier == "platinum" and priority in (Ticket.Priority.LOW, Ticket.Priority.NORMAL):
        priority = PRIORITIES[PRIORITIES.index(priority) + 1]

    team = staff.teams[scenario.team]
    members = staff.members[scenario.team]
    speakers = [(user, share) for user, share in members if language in staff.languages[user.pk]]
    assignee: User | None = weighted(rng, speakers if speakers and rng.random() < 0.85 else members)
    if status == "new" and rng.random() < 0.5:
        assignee = None  # still waiting in the team's queue

    tags = list(scenario.tags)
    if requester.tier in ("gold", "platinum"):
        tags.append("vip")
    if scenario.key == "product_inquiry" and rng.random() < 0.4:
        tags.append("installment")
    if scenario.key == "delivery_late" and requester.region != "Metro Manila":
        tags.append("provincial-delivery")
    if rng.random() < 0.08:
        tags.append("repeat-contact")

    kinds = conversation_shape(rng, status)
    at = created_at
    times = [at]
    step_channels = [channel]
    for kind in kinds[1:]:
        gap = _gap(rng, kind, step_channels[-1], scenario)
        at += gap
        if kind in AGENT_KINDS:
            at = _working_hours(rng, at)
        # A chat or call picked up again hours later goes on by email.
        resumed = step_channels[-1] in LIVE_CHANNELS and gap > timedelta(hours=2)
        step_channels.append(Channel.EMAIL.value if resumed else step_channels[-1])
        times.append(at)
    room = now - timedelta(minutes=2) - created_at
    if times[-1] - created_at > room:  # a recent ticket: the same conversation, faster
        factor = room / (times[-1] - created_at)
        times = [created_at + (time - created_at) * factor for time in times]

    steps: list[Step] = []
    replies = follows = 0
    for kind, at, step_channel in zip(kinds, times, step_channels, strict=True):
        if kind in ("note", "hold_note"):
            assert assignee is not None  # only worked tickets get notes
            pool = ON_HOLD_NOTES if kind == "hold_note" else scenario.notes + GENERAL_NOTES
            author = staff.leads[scenario.team] if rng.random() < 0.15 else assignee
            steps.append(Step(kind, Message.Direction.NOTE, rng.choice(pool), at, author, step_channel))
        elif kind in ("reply", "resolution"):
            assert assignee is not None
            if kind == "reply":
                body = _pick(lines.replies, replies, UPDATES[language])
                replies += 1
            else:
                body = lines.resolution
            text = _outbound(body.format(**values), requester, assignee, step_channel)
            steps.append(Step(kind, Message.Direction.OUTBOUND, text, at, assignee, step_channel))
        else:
            if kind == "opening":
                body = rng.choice(lines.openings)
            elif kind == "follow":
                body = _pick(lines.follow_ups, follows, CHASERS[language])
                follows += 1
            elif kind == "chaser":
                body = rng.choice(CHASERS[language])
            else:
                body = rng.choice(THANKS[language])
            text = _inbound(rng, body.format(**values), requester, step_channel)
            steps.append(Step(kind, Message.Direction.INBOUND, text, at, None, step_channel))

    return TicketDraft(
        requester=requester,
        scenario=scenario,
        subject=rng.choice(lines.subjects).format(**values),
        channel=channel,
        priority=priority,
        product=product,
        team=team,
        assignee=assignee,
        tags=tuple(tags),
        created_at=created_at,
        status=status,
        steps=tuple(steps),
    )


# --- Loading ----------------------------------------------------------------------------------


def _create_staff() -> Staff:
    users: dict[str, User] = {}
    for member in STAFF:
        user = staff_create(
            actor=None,
            username=member.username,
            email=f"{member.username}@{STAFF_DOMAIN}",
            password=DEMO_PASSWORD,
            role=member.role,
            first_name=member.first_name,
            last_name=member.last_name,
            language=EN,
            timezone_name="Asia/Manila",
        )
        if member.role == Role.ADMIN:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        users[member.username] = user
    admin = users[ADMIN_USERNAME]
    teams = {
        name: team_create(
            actor=admin,
            name=name,
            description=description,
            is_private=is_private,
            lead=users[TEAM_LEADS[name]],
        )
        for name, description, is_private in TEAMS
    }
    for member in STAFF:
        agent_profile_update(
            actor=admin,
            agent=users[member.username].agent,
            team_ids=[teams[name].pk for name in member.teams],
            languages=list(member.languages),
            capacity=dict(member.capacity),
            cost_per_hour=Decimal(member.cost_per_hour),
            skills=dict(member.skills) or None,
        )
    # Agents with their groups prefetched, so assigning tickets does not look the role up each time.
    agents = {
        user.username: user
        for user in User.objects.filter(groups__name=Role.AGENT).prefetch_related("groups")
    }
    members = {
        name: [
            (agents[m.username], 3 if m.teams[0] == name else 1)
            for m in STAFF
            if m.role == Role.AGENT and name in m.teams
        ]
        for name, _, _ in TEAMS
    }
    return Staff(
        teams=teams,
        members=members,
        leads={name: users[username] for name, username in TEAM_LEADS.items()},
        languages={users[m.username].pk: m.languages for m in STAFF},
    )


def _create_organizations(admin: User) -> list[Organization]:
    return [
        organization_create(actor=admin, name=name, domain=domain, shares_tickets=shares, notes=notes)
        for name, domain, shares, notes in ORGANIZATIONS
    ]


def _create_customers(
    rng: random.Random, count: int, organizations: list[Organization], admin: User
) -> list[Customer]:
    emails: set[str] = set()
    phones: set[str] = set()
    customers = []
    for index in range(count):
        person: Person = draw_person(rng, index, emails, phones)
        organization = None
        addresses = [person.email]
        if person.place.country == "PH" and index >= 3 and rng.random() < 0.18:
            organization = rng.choice(organizations)
            work = email_address(rng, person.first_name, person.last_name, organization.domain, emails)
            addresses = [work, person.email] if rng.random() < 0.3 else [work]
        elif rng.random() < 0.08:
            addresses.append(email_address(rng, person.first_name, person.last_name, "mail.example", emails))
        customers.append(
            customer_create(
                actor=admin,
                emails=addresses,
                phones=[person.phone] if rng.random() < 0.92 else [],
                salutation=person.salutation,
                first_name=person.first_name,
                last_name=person.last_name,
                organization=organization,
                country=person.place.country,
                region=person.place.region,
                city=person.place.city,
                language=person.language,
                timezone=person.place.timezone,
                age_band=person.age_band,
                education=person.education,
                tier=person.tier,
                lifetime_value=person.lifetime_value,
            )
        )
    return customers


def _create_segments_and_plans(admin: User, now: datetime) -> dict[str, Segment]:
    segments = {
        name: segment_create(actor=admin, name=name, rule=rule, description=description)
        for name, rule, description in SEGMENTS
    }
    standard = plan_create(
        actor=admin,
        name="Aurora customer service plan",
        description="How Aurora Appliances serves every customer: hours, response targets, remedies, goals.",
        precedence=100,
    )
    first = plan_version_draft(
        actor=admin,
        plan=standard,
        summary="First plan: channel hours, response targets and remedy limits.",
        settings=_plan_settings(chat_until="20:00", first_response=STANDARD_TARGETS, remedy_limit=1000),
    )
    plan_version_activate(actor=admin, version=first, at=now - timedelta(days=HISTORY_DAYS + 30))
    second = plan_version_draft(
        actor=admin,
        plan=standard,
        summary="Chat open until 10 PM: a third of chats arrived after 8 PM.",
        settings=_plan_settings(chat_until="22:00", first_response=STANDARD_TARGETS, remedy_limit=1000),
    )
    plan_version_activate(actor=admin, version=second, at=now - timedelta(days=30))
    vip = plan_create(
        actor=admin,
        name="VIP service plan",
        description="Faster answers and higher remedy limits for gold and platinum customers.",
        segment=segments["VIP customers"],
        precedence=10,
    )
    vip_first = plan_version_draft(
        actor=admin,
        plan=vip,
        summary="VIP targets: first answer within the hour, supervisors may give up to PHP 15,000.",
        settings=_plan_settings(chat_until="22:00", first_response=VIP_TARGETS, remedy_limit=3000),
    )
    plan_version_activate(actor=admin, version=vip_first, at=now - timedelta(days=HISTORY_DAYS + 10))
    return segments


def _write_ticket(draft: TicketDraft, now: datetime) -> Ticket:
    opening, *rest = draft.steps
    ticket = ticket_create(
        # A phone call is logged by the agent who took it; other channels arrive by themselves.
        actor=draft.assignee if draft.channel == Channel.VOICE else None,
        requester=draft.requester,
        subject=draft.subject,
        body_text=opening.text,
        channel=draft.channel,
        priority=draft.priority,
        category=draft.scenario.category,
        product=draft.product,
        team=draft.team,
        assignee=draft.assignee,
        tags=draft.tags,
        created_at=draft.created_at,
    )
    for step in rest:
        message_add(
            actor=step.actor,
            ticket=ticket,
            direction=step.direction,
            body_text=step.text,
            channel=step.channel,
            created_at=step.at,
        )
    # Status changes keep their time in the past: solved an hour after the last message, closed
    # (as the auto-close after solving would) three days later, never after the load itself.
    last = draft.steps[-1].at
    for status, delay in zip(
        STATUS_STEPS[draft.status], (timedelta(hours=1), timedelta(days=3)), strict=False
    ):
        at = min(last + delay, now)
        ticket = ticket_update(actor=draft.assignee, ticket=ticket, status=status, at=at)
        last = at
    return ticket


def demo_counts() -> dict[str, int]:
    """How much of everything the database holds."""
    return {
        "teams": Team.objects.count(),
        "agents": User.objects.filter(groups__name=Role.AGENT).count(),
        "supervisors": User.objects.filter(groups__name=Role.SUPERVISOR).count(),
        "admins": User.objects.filter(groups__name=Role.ADMIN).count(),
        "organizations": Organization.objects.count(),
        "customers": Customer.objects.count(),
        "segments": Segment.objects.count(),
        "plans": Plan.objects.count(),
        "plan_versions": PlanVersion.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
    }


def is_loaded() -> bool:
    return User.objects.filter(username=ADMIN_USERNAME).exists()


def load_demo(scale: float = 1.0, stdout: Writer | None = None) -> dict[str, int]:
    """Load the demo company unless it is there; returns the counts of what the database then holds.

    `scale` multiplies the number of customers (300) and tickets (2,000); staff, teams,
    organizations, segments and plans are always the same. All or nothing: one transaction.
    """
    if scale <= 0:
        raise ValueError("scale must be greater than 0")

    started = time.monotonic()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"{message}\n")

    rng = random.Random(SEED)
    now = timezone.now().replace(microsecond=0)
    customer_count = max(len(FIRST_ORIGINS), round(CUSTOMERS * scale))
    ticket_count = max(len(FIRST_ORIGINS), round(TICKETS * scale))

    # History is not news: nobody is watching these events live, so they are not announced.
    with realtime.paused(), transaction.atomic():
        # Inside the transaction, so that two loads started together cannot both pass this check.
        if is_loaded():
            # Demos loaded before the chat widget's site existed get it now; otherwise nothing is written.
            _site, added = chat_site_setup(admin=User.objects.filter(username=ADMIN_USERNAME).first())
            say(
                f"The demo company is already loaded (user {ADMIN_USERNAME!r} exists): "
                + ("only its chat widget site was set up." if added else "nothing to do.")
            )
            return demo_counts()
        say(f"Loading the demo company, {COMPANY_NAME}: {customer_count} customers, {ticket_count} tickets.")
        staff = _create_staff()
        admin = User.objects.get(username=ADMIN_USERNAME)
        organizations = _create_organizations(admin)
        customers = _create_customers(rng, customer_count, organizations, admin)
        _create_segments_and_plans(admin, now)
        say(f"  staff, teams, customers, segments and plans ({time.monotonic() - started:.1f} s)")

        # Some customers write far more often than others.
        activity = [rng.lognormvariate(0, 0.9) for _ in customers]
        times = sorted(_created_at(rng, now) for _ in range(ticket_count))
        drafts = []
        for index, created_at in enumerate(times):
            # The first tickets go to the first customers, who between them write in every language.
            pinned = index < len(FIRST_ORIGINS)
            requester = customers[index] if pinned else rng.choices(customers, weights=activity)[0]
            drafts.append(draft_ticket(rng, staff, requester, now, created_at))
        for done, draft in enumerate(drafts, start=1):
            _write_ticket(draft, now)
            if done % 500 == 0:
                say(f"  {done} of {ticket_count} tickets ({time.monotonic() - started:.1f} s)")
        counts = demo_counts()
        say(f"  committing ({counts['events']} events to announce once committed)")
    # After the history is committed: new contacts are measured, routed and escalated, old ones not.
    setup_service(admin=admin, teams=staff.teams, leads=staff.leads)
    help_center_seed(actor=admin)
    chat_site_setup(admin=admin)
    mail_setup(admin=admin)
    desk_demo_setup()
    say(
        "  hours, SLA policies, escalation chains, the on-call roster, queues, the help center and the"
        " chat widget's site"
    )
    counts = demo_counts()
    say(
        f"Loaded {counts['tickets']} tickets with {counts['messages']} messages for "
        f"{counts['customers']} customers in {time.monotonic() - started:.1f} s."
    )
    return counts


def login_summary(base_url: str = "http://127.0.0.1:8000") -> str:
    """The demo logins and where to use them, as a small table."""
    rows = [("username", "password", "role", "teams")]
    for username in (ADMIN_USERNAME, "supervisor1", "agent1"):
        user = User.objects.filter(username=username).prefetch_related("groups", "agent__teams").first()
        if user is None:
            continue
        teams = ", ".join(team.name for team in user.agent.teams.all()) or "-"
        rows.append((username, DEMO_PASSWORD, user_role(user) or "-", teams))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["", "Demo logins (supervisor2 and agent2 .. agent12 use the same password):", ""]
    for row in rows:
        lines.append(
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    lines += [
        "",
        f"  Desk:     {base_url}/desk/  (agents and supervisors)",
        f"  Admin:    {base_url}/admin/  (admin)",
        f"  Help:     {base_url}/help/   Portal: {base_url}/portal/  (customers)",
        *(
            [f"  Chat:     {base_url}/chat/demo/  (the chat widget on a demo page; answer in the desk)"]
            if site_demo() is not None
            else []
        ),
        f"  API docs: {base_url}/api/v1/docs  (sign in at /admin/ first, or use a token:",
        "            .venv/bin/frontline create_api_token agent1 --scope write)",
        "",
    ]
    return "\n".join(lines)
