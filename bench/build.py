"""Build a benchmark database: `frontline migrate`, then bulk-load a year of customer service.

    .venv/bin/python bench/build.py --db sqlite --tickets 100000 --messages 500000

Small tables (teams, staff, tags, organizations) go through Frontline's own services and the
API token is inserted with a secret the load generator knows. The big tables (customers and
their contact points, tickets and their tags, messages, search rows, events) are written
straight to the database, executemany on SQLite and COPY on PostgreSQL, after dropping the
tables' secondary indexes, constraints and triggers; those are re-created from the definitions
migrate wrote, and the schema is compared with the one before the load.

The secret, the id ranges and the search terms go to the database's manifest.json (see
databases.py), which the load generator reads.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import corpus
import orjson
import psycopg
from databases import FRONTLINE, BenchDatabase
from psycopg import sql

from frontline.core import textsearch

DAY = 86400.0
AGENTS = 40
FLUSH_ROWS = 20_000
OPEN_TICKET_SAMPLE = 5000

COLUMNS: dict[str, tuple[str, ...]] = {
    "customers_customer": (
        "id",
        "salutation",
        "first_name",
        "last_name",
        "organization_id",
        "user_id",
        "country",
        "region",
        "city",
        "language",
        "timezone",
        "age_band",
        "education",
        "tier",
        "lifetime_value",
        "created_at",
        "updated_at",
    ),
    "customers_contactpoint": (
        "id",
        "customer_id",
        "kind",
        "network",
        "value",
        "normalized",
        "is_primary",
        "created_at",
    ),
    "tickets_ticket": (
        "id",
        "subject",
        "status",
        "priority",
        "category",
        "product",
        "channel",
        "requester_id",
        "organization_id",
        "team_id",
        "assignee_id",
        "plan_version_id",
        "merged_into_id",
        "split_from_id",
        "created_at",
        "updated_at",
        "solved_at",
        "closed_at",
    ),
    "tickets_ticket_tags": ("id", "ticket_id", "tag_id"),
    "tickets_message": (
        "id",
        "ticket_id",
        "direction",
        "channel",
        "author_user_id",
        "author_customer_id",
        "body_text",
        "body_html",
        "external_id",
        "created_at",
    ),
    "tickets_searchentry": ("id", "ticket_id", "message_id", "text"),
    "events_event": (
        "id",
        "occurred_at",
        "actor_id",
        "actor_label",
        "verb",
        "target_type",
        "target_id",
        "before",
        "after",
    ),
}
BULK_TABLES = list(COLUMNS)


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


@contextmanager
def phase(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 1)
    log(f"{name}: {timings[name]:.1f} s")


# --- Reference data, through Frontline's services -------------------------------------------


@dataclass
class Reference:
    admin_id: int
    token: str
    team_ids: list[int]
    agents: list[tuple[int, str, list[int]]]  # (user id, username, team ids)
    tag_ids: list[int]
    organization_ids: list[int]
    tag_names: list[str] = field(default_factory=list)


def create_reference_data(rng: random.Random, organizations: int) -> Reference:
    import django

    django.setup()
    from django.db import connection, transaction

    from frontline.accounts import services as accounts
    from frontline.accounts.models import ApiToken, Role
    from frontline.accounts.selectors import token_digest
    from frontline.customers.services import organization_create
    from frontline.tickets.models import Tag

    with transaction.atomic():
        admin = accounts.staff_create(
            actor=None,
            username="bench-admin",
            email="bench-admin@example.test",
            password=None,
            role=Role.ADMIN,
            first_name="Bench",
            last_name="Admin",
        )
        teams = [accounts.team_create(actor=admin, name=name) for name in corpus.TEAM_NAMES]
        agents = []
        for number in range(AGENTS):
            user = accounts.staff_create(
                actor=admin,
                username=f"agent{number:02d}",
                email=f"agent{number:02d}@example.test",
                password=None,
                role=Role.AGENT,
                first_name=rng.choice(corpus.FIRST_NAMES),
                last_name=rng.choice(corpus.LAST_NAMES),
            )
            team_ids = [teams[number % len(teams)].pk]
            if number % 4 == 0:
                team_ids.append(teams[(number + 3) % len(teams)].pk)
            accounts.agent_profile_update(
                actor=admin, agent=user.agent, team_ids=team_ids, languages=["en", "fil"]
            )
            agents.append((user.pk, user.username, team_ids))
        tags = Tag.objects.bulk_create([Tag(name=name) for name in corpus.TAGS])
        organization_ids = [
            organization_create(
                actor=admin,
                name=f"{rng.choice(corpus.LAST_NAMES)} {rng.choice(corpus.BUSINESSES)} {n}",
                domain=f"org{n}.example.ph",
            ).pk
            for n in range(organizations)
        ]
        secret = "fl_bench_" + secrets.token_urlsafe(24)
        ApiToken.objects.create(
            user=admin,
            name="bench",
            prefix=secret[:10],
            digest=token_digest(secret),
            scope=ApiToken.Scope.WRITE,
        )
    connection.close()
    return Reference(
        admin_id=admin.pk,
        token=secret,
        team_ids=[team.pk for team in teams],
        agents=agents,
        tag_ids=[tag.pk for tag in tags],
        tag_names=[tag.name for tag in tags],
        organization_ids=organization_ids,
    )


def columns_from_models() -> dict[str, tuple[str, ...]]:
    """COLUMNS, plus any column a later migration added, filled with its model field's default.

    Keeps the builder working as the models grow; a new required column without a default stops
    the build with a message naming it.
    """
    from django.apps import apps
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            known = set(COLUMNS[table])
            description = connection.introspection.get_table_description(cursor, table)
            for column in (info.name for info in description if info.name not in known):
                field = next(f for f in models[table]._meta.concrete_fields if f.column == column)
                if field.default is NOT_PROVIDED and not field.null:
                    raise RuntimeError(f"build.py does not know how to fill the new column {table}.{column}")
                value = field.get_db_prep_save(field.get_default(), connection)
                EXTRA_VALUES.setdefault(table, []).append(value)
                COLUMNS[table] = (*COLUMNS[table], column)
                log(f"new column {table}.{column}: filled with its default {value!r}")
    connection.close()
    return COLUMNS


# Values appended to every row of a table, for columns found by columns_from_models().
EXTRA_VALUES: dict[str, list[Any]] = {}


# --- Loaders: the same rows into SQLite or PostgreSQL ------------------------------------------


class Loader(Protocol):
    def next_ids(self, tables: Sequence[str]) -> dict[str, int]: ...
    def prepare(self) -> None: ...
    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None: ...
    def finish(self, timings: dict[str, float]) -> None: ...
    def search_counts(self, terms: Sequence[str]) -> dict[str, int]: ...
    def close(self) -> None: ...


class SqliteLoader:
    """executemany with foreign keys and journaling off; FTS triggers off, then one 'rebuild'."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.schema_before = self._schema()
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1048576",
            "temp_store=MEMORY",
        ):
            self.connection.execute(f"PRAGMA {pragma}")
        self.indexes: list[tuple[str, str]] = []
        self.triggers: list[tuple[str, str]] = []

    def _schema(self) -> list[tuple[str, ...]]:
        return sorted(
            self.connection.execute(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
                " WHERE name NOT LIKE 'sqlite_%'"
            ).fetchall()
        )

    def next_ids(self, tables: Sequence[str]) -> dict[str, int]:
        return {
            table: self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]  # noqa: S608
            for table in tables
        }

    def _objects(self, kind: str) -> list[tuple[str, str]]:
        marks = ", ".join("?" for _ in BULK_TABLES)
        return self.connection.execute(
            "SELECT name, sql FROM sqlite_master"  # noqa: S608  (placeholders only)
            f" WHERE type = ? AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY name",
            [kind, *BULK_TABLES],
        ).fetchall()

    def prepare(self) -> None:
        self.indexes, self.triggers = self._objects("index"), self._objects("trigger")
        for name, _ in self.triggers:
            self.connection.execute(f'DROP TRIGGER "{name}"')
        for name, _ in self.indexes:
            self.connection.execute(f'DROP INDEX "{name}"')
        self.connection.execute("BEGIN")

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = COLUMNS[table]
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",  # noqa: S608
            rows,
        )

    def finish(self, timings: dict[str, float]) -> None:
        execute = self.connection.execute
        execute("COMMIT")
        with phase("indexes", timings):
            for _, statement in self.indexes:
                execute(statement)
        with phase("full-text index (FTS5 rebuild + optimize)", timings):
            execute("INSERT INTO tickets_search_fts(tickets_search_fts) VALUES ('rebuild')")
            execute("INSERT INTO tickets_search_fts(tickets_search_fts) VALUES ('optimize')")
            for _, statement in self.triggers:
                execute(statement)
        with phase("foreign key check", timings):
            problems = execute("PRAGMA foreign_key_check").fetchmany(5)
            if problems:
                raise RuntimeError(f"foreign keys broken after the load: {problems}")
        with phase("ANALYZE", timings):
            execute("ANALYZE")
        execute("PRAGMA journal_mode=WAL")
        if self._schema() != self.schema_before:
            raise RuntimeError("the schema after the load differs from the one migrate made")
        log("schema after the load is identical to the one migrate made")

    def search_counts(self, terms: Sequence[str]) -> dict[str, int]:
        counts = {}
        for term in terms:
            match = textsearch.fts5_match(textsearch.parse_query(term))
            counts[term] = self.connection.execute(
                "SELECT count(DISTINCT ticket_id) FROM tickets_searchentry WHERE id IN"
                " (SELECT rowid FROM tickets_search_fts WHERE tickets_search_fts MATCH ?)",
                [match],
            ).fetchone()[0]
        return counts

    def close(self) -> None:
        self.connection.close()


class PostgresLoader:
    """COPY with the tables' foreign keys, unique constraints and secondary indexes dropped."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url)
        self.cursor = self.connection.cursor()
        self.cursor.execute("SET maintenance_work_mem = '1GB'")
        self.cursor.execute("SET synchronous_commit = off")
        self.schema_before = self._schema()
        self.constraints: list[tuple[str, str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def _schema(self) -> list[tuple[str, ...]]:
        self.cursor.execute(
            "SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            " UNION ALL SELECT 'index', tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public'"
        )
        return sorted(self.cursor.fetchall())

    def next_ids(self, tables: Sequence[str]) -> dict[str, int]:
        ids = {}
        for table in tables:
            self.cursor.execute(
                sql.SQL("SELECT coalesce(max(id), 0) + 1 FROM {}").format(sql.Identifier(table))
            )
            ids[table] = self.cursor.fetchone()[0]  # type: ignore[index]
        return ids

    def prepare(self) -> None:
        self.cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype, conname",
            [BULK_TABLES],
        )
        self.constraints = self.cursor.fetchall()
        self.cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = pg_index.indexrelid)"
            " ORDER BY 1",
            [BULK_TABLES],
        )
        self.indexes = self.cursor.fetchall()
        for table, name, _, _ in self.constraints:  # foreign keys ('f') sort before uniques ('u')
            self.cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        for name, _ in self.indexes:
            self.cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))

    def write(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
        )
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self, timings: dict[str, float]) -> None:
        execute = self.cursor.execute
        with phase("indexes (incl. the GIN full-text index)", timings):
            for _, statement in self.indexes:
                execute(statement)
        with phase("constraints", timings):
            for table, name, _, definition in sorted(self.constraints, key=lambda c: c[2], reverse=True):
                execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)  # type: ignore[arg-type]  # from pg_get_constraintdef
                )
            for table in BULK_TABLES:
                execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {}))"
                    ).format(sql.Identifier(table)),
                    [table],
                )
        self.connection.commit()
        with phase("VACUUM ANALYZE", timings):
            self.connection.autocommit = True
            execute("VACUUM (ANALYZE)")
        if self._schema() != self.schema_before:
            raise RuntimeError("the schema after the load differs from the one migrate made")
        log("schema after the load is identical to the one migrate made")

    def search_counts(self, terms: Sequence[str]) -> dict[str, int]:
        counts = {}
        for term in terms:
            self.cursor.execute(
                "SELECT count(DISTINCT ticket_id) FROM tickets_searchentry"
                " WHERE to_tsvector('simple', text) @@ to_tsquery('simple', %s)",
                [textsearch.tsquery(textsearch.parse_query(term))],
            )
            counts[term] = self.cursor.fetchone()[0]  # type: ignore[index]
        return counts

    def close(self) -> None:
        self.connection.close()


# --- The generated year ---------------------------------------------------------------------


class Rows:
    """Per-table row buffers, written to the loader in batches."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.buffers: dict[str, list[tuple[Any, ...]]] = {table: [] for table in BULK_TABLES}
        self.counts: dict[str, int] = dict.fromkeys(BULK_TABLES, 0)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        buffer = self.buffers[table]
        extra = EXTRA_VALUES.get(table)
        buffer.append((*row, *extra) if extra else row)
        if len(buffer) >= FLUSH_ROWS:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else BULK_TABLES:
            if self.buffers[name]:
                self.loader.write(name, self.buffers[name])
                self.counts[name] += len(self.buffers[name])
                self.buffers[name] = []


def stamper(vendor: str) -> Callable[[float], str]:
    """Epoch seconds to the text each database stores (Django's own format on SQLite)."""

    def stamp(epoch: float) -> str:
        moment = datetime.fromtimestamp(epoch, UTC)
        if moment.microsecond == 0:  # str() would drop the fraction; keep one text form
            moment = moment.replace(microsecond=1)
        return str(moment.replace(tzinfo=None)) if vendor == "sqlite" else str(moment)

    return stamp


STATUS_BY_AGE = [  # (age limit in days, statuses, weights)
    (2, ["new", "open", "pending", "on_hold", "solved"], [30, 40, 20, 5, 5]),
    (14, ["new", "open", "pending", "on_hold", "solved", "closed"], [5, 30, 25, 5, 25, 10]),
    (1e9, ["open", "pending", "on_hold", "solved", "closed"], [8, 4, 3, 15, 70]),
]
CHANNELS = (["email", "chat", "voice", "sms", "social", "web_form"], [45, 20, 10, 5, 10, 10])
PRIORITIES = (["low", "normal", "high", "urgent"], [15, 60, 20, 5])
TEAM_WEIGHTS = [25, 15, 12, 10, 9, 8, 7, 6, 5, 3]


def generate(
    rows: Rows,
    reference: Reference,
    *,
    tickets: int,
    messages: int,
    seed: int,
    vendor: str,
    first_ids: dict[str, int],
) -> dict[str, Any]:
    """Write customers, tickets, messages, search rows and events; returns facts for the manifest."""
    rng = random.Random(seed)
    texts = corpus.TextGenerator(rng)
    stamp = stamper(vendor)
    now = time.time()
    year_ago = now - 365 * DAY

    # Customers, each with an email address; a third belong to an organization.
    customer_count = max(50, tickets // 4)
    first_customer = first_ids["customers_customer"]
    customer_language: list[str] = []
    customer_organization: list[int | None] = []
    contact_id = first_ids["customers_contactpoint"]
    for n in range(customer_count):
        customer_id = first_customer + n
        language = texts.language()
        first, last = rng.choice(corpus.FIRST_NAMES), rng.choice(corpus.LAST_NAMES)
        organization = rng.choice(reference.organization_ids) if rng.random() < 0.3 else None
        region, city = rng.choice(corpus.CITIES)
        joined = stamp(rng.uniform(year_ago - 365 * DAY, now))
        customer_language.append(language)
        customer_organization.append(organization)
        rows.add(
            "customers_customer",
            (
                customer_id,
                rng.choice(["", "Mr", "Ms", "Mrs", "Dr"]),
                first,
                last,
                organization,
                None,
                "PH",
                region,
                city,
                {"en": "en", "tl": "fil", "zh": "zh-hans"}[language],
                "Asia/Manila",
                "",
                "",
                rng.choices(["standard", "silver", "gold", "platinum"], [70, 15, 10, 5])[0],
                f"{rng.uniform(0, 50000):.2f}",
                joined,
                joined,
            ),
        )
        email = f"{first}.{last}.{customer_id}@example.ph".lower()
        rows.add("customers_contactpoint", (contact_id, customer_id, "email", "", email, email, True, joined))
        contact_id += 1
    rows.flush()

    # When each ticket was opened and when each of its messages arrived.
    created = sorted(rng.uniform(year_ago, now - 60) for _ in range(tickets))
    message_counts = [1 if messages >= tickets else 0] * tickets
    for _ in range(messages - sum(message_counts)):
        message_counts[rng.randrange(tickets)] += 1
    timeline: list[tuple[float, int, int]] = []
    last_activity = []
    for index, opened in enumerate(created):
        timeline.append((opened, index, 0))
        at, count = opened, message_counts[index]
        mean_gap = min(DAY / 2, (now - opened) * 0.9 / max(count, 1))
        for k in range(1, count):
            at = min(at + rng.expovariate(1.0) * mean_gap, now - 1)
            timeline.append((at, index, k))
        last_activity.append(at)
    timeline.sort()

    agents_by_team: dict[int, list[tuple[int, str]]] = {}
    for user_id, username, team_ids in reference.agents:
        for team_id in team_ids:
            agents_by_team.setdefault(team_id, []).append((user_id, username))
    all_agents = [(user_id, username) for user_id, username, _ in reference.agents]

    first_ticket = first_ids["tickets_ticket"]
    message_id = first_ids["tickets_message"]
    search_id = first_ids["tickets_searchentry"]
    event_id = first_ids["events_event"]
    link_id = first_ids["tickets_ticket_tags"]
    ticket_language = [""] * tickets
    ticket_channel = [""] * tickets
    ticket_requester = [0] * tickets
    ticket_agent: list[tuple[int, str]] = [(0, "")] * tickets
    open_tickets = []
    for at, index, k in timeline:
        ticket_id = first_ticket + index
        if k == 0:
            requester_index = rng.randrange(customer_count)
            requester = first_customer + requester_index
            language = customer_language[requester_index]
            team_id = rng.choices(reference.team_ids, TEAM_WEIGHTS)[0] if rng.random() < 0.95 else None
            age_days = (now - last_activity[index]) / DAY
            statuses, weights = next((s, w) for limit, s, w in STATUS_BY_AGE if age_days < limit)
            status = rng.choices(statuses, weights)[0]
            updated = last_activity[index]
            if status in ("solved", "closed"):
                updated = min(updated + rng.uniform(0, DAY), now - 1)
            agents = agents_by_team.get(team_id, all_agents) if team_id else all_agents
            agent = rng.choice(agents)
            assignee = None if status == "new" and rng.random() < 0.7 else agent[0]
            channel = rng.choices(*CHANNELS)[0]
            priority = rng.choices(*PRIORITIES)[0]
            subject = texts.subject(language)
            category = rng.choice(corpus.CATEGORIES)
            product = rng.choice(corpus.PRODUCTS)
            ticket_language[index], ticket_channel[index] = language, channel
            ticket_requester[index], ticket_agent[index] = requester, agent
            if status != "closed":
                open_tickets.append(ticket_id)
            rows.add(
                "tickets_ticket",
                (
                    ticket_id,
                    subject,
                    status,
                    priority,
                    category,
                    product,
                    channel,
                    requester,
                    customer_organization[requester_index],
                    team_id,
                    assignee,
                    None,
                    None,
                    None,
                    stamp(at),
                    stamp(updated),
                    stamp(updated) if status in ("solved", "closed") else None,
                    stamp(updated) if status == "closed" else None,
                ),
            )
            tag_names = []
            for tag_index in rng.sample(
                range(len(reference.tag_ids)), rng.choices([0, 1, 2, 3], [50, 30, 15, 5])[0]
            ):
                rows.add("tickets_ticket_tags", (link_id, ticket_id, reference.tag_ids[tag_index]))
                tag_names.append(reference.tag_names[tag_index])
                link_id += 1
            rows.add("tickets_searchentry", (search_id, ticket_id, None, textsearch.index_text(subject)))
            search_id += 1
            snapshot = {
                "subject": subject,
                "status": "new",
                "priority": priority,
                "category": category,
                "product": product,
                "channel": channel,
                "team": team_id,
                "assignee": assignee,
                "requester": requester,
                "tags": sorted(tag_names),
            }
            rows.add(
                "events_event",
                (event_id, stamp(at), None, "system", "ticket.created", "ticket", ticket_id, "{}",
                 orjson.dumps(snapshot).decode()),
            )  # fmt: skip
            event_id += 1
            if not message_counts[index]:
                continue
            direction = "inbound"
        else:
            direction = rng.choices(["inbound", "outbound", "note"], [45, 45, 10])[0]
        channel = ticket_channel[index]
        body = texts.body(ticket_language[index] if rng.random() < 0.9 else None)
        if direction == "inbound":
            author_user, author_customer, actor_label = None, ticket_requester[index], "system"
        else:
            (author_user, actor_label), author_customer = ticket_agent[index], None
        external_id = (
            f"<{message_id}.{seed}@mail.example.ph>" if channel == "email" and direction == "inbound" else ""
        )
        rows.add(
            "tickets_message",
            (message_id, ticket_id, direction, channel, author_user, author_customer, body, "", external_id,
             stamp(at)),
        )  # fmt: skip
        rows.add("tickets_searchentry", (search_id, ticket_id, message_id, textsearch.index_text(body)))
        after = {"message": message_id, "direction": direction, "channel": channel}
        rows.add(
            "events_event",
            (event_id, stamp(at), author_user, actor_label, "message.added", "ticket", ticket_id, "{}",
             orjson.dumps(after).decode()),
        )  # fmt: skip
        message_id += 1
        search_id += 1
        event_id += 1
    rows.flush()
    return {
        "customer_ids": [first_customer, first_customer + customer_count - 1],
        "ticket_ids": [first_ticket, first_ticket + tickets - 1],
        "open_ticket_ids": sorted(rng.sample(open_tickets, min(OPEN_TICKET_SAMPLE, len(open_tickets)))),
    }


# --- The whole build ------------------------------------------------------------------------


def recreate(database: BenchDatabase) -> None:
    database.directory.mkdir(parents=True, exist_ok=True)
    database.manifest_path.unlink(missing_ok=True)
    if database.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            database.sqlite_path.with_name(database.sqlite_path.name + suffix).unlink(missing_ok=True)
        return
    with psycopg.connect(f"{database.pg_server.rstrip('/')}/postgres", autocommit=True) as connection:
        name = sql.Identifier(database.pg_name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def database_size(database: BenchDatabase) -> int:
    if database.vendor == "sqlite":
        return database.sqlite_path.stat().st_size
    with psycopg.connect(database.url) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


def build(database: BenchDatabase, *, seed: int) -> dict[str, Any]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    log(f"{database.name}: {database.tickets:,} tickets, {database.messages:,} messages")
    with phase("create database + migrate", timings):
        recreate(database)
        subprocess.run(
            [str(FRONTLINE), "migrate", "--no-input", "-v", "0"], env=database.environment(), check=True
        )
    environment = database.environment()
    os.environ.clear()
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    rng = random.Random(seed)
    with phase("reference data (services)", timings):
        organizations = max(5, min(500, database.tickets // 200))
        reference = create_reference_data(rng, organizations)
        columns_from_models()
    loader: Loader = (
        SqliteLoader(str(database.sqlite_path))
        if database.vendor == "sqlite"
        else PostgresLoader(database.url)
    )
    try:
        first_ids = loader.next_ids(BULK_TABLES)
        loader.prepare()
        rows = Rows(loader)
        with phase("generate + insert rows", timings):
            facts = generate(
                rows,
                reference,
                tickets=database.tickets,
                messages=database.messages,
                seed=seed,
                vendor=database.vendor,
                first_ids=first_ids,
            )
        log("rows: " + ", ".join(f"{table} {count:,}" for table, count in rows.counts.items()))
        loader.finish(timings)
        search_counts = loader.search_counts(corpus.SEARCH_TERMS)
    finally:
        loader.close()
    timings["total"] = round(time.perf_counter() - started, 1)
    log(f"built {database.name} in {timings['total']:.0f} s ({timings['total'] / 60:.1f} min)")
    log("tickets matching each search term: " + ", ".join(f"{t} {n:,}" for t, n in search_counts.items()))
    manifest = {
        "database": database.name,
        "vendor": database.vendor,
        "tickets": database.tickets,
        "messages": database.messages,
        "seed": seed,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": timings,
        "size_bytes": database_size(database),
        "rows": rows.counts,
        "token": reference.token,
        "team_ids": reference.team_ids,
        "tag_names": reference.tag_names,
        "search_terms": search_counts,
        **facts,
    }
    database.write_manifest(manifest)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--pg-server", default=BenchDatabase("postgres", 0, 0).pg_server)
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.messages < 0:
        parser.error("--tickets must be at least 1 and --messages at least 0")
    build(BenchDatabase(args.db, args.tickets, args.messages, args.pg_server), seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
