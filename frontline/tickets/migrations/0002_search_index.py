"""The full-text index behind tickets_searchentry: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE tickets_search_fts USING fts5("
    " text, content='tickets_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER tickets_searchentry_ai AFTER INSERT ON tickets_searchentry BEGIN"
    " INSERT INTO tickets_search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER tickets_searchentry_ad AFTER DELETE ON tickets_searchentry BEGIN"
    " INSERT INTO tickets_search_fts(tickets_search_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER tickets_searchentry_au AFTER UPDATE OF text ON tickets_searchentry BEGIN"
    " INSERT INTO tickets_search_fts(tickets_search_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO tickets_search_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO tickets_search_fts(tickets_search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tickets_searchentry_au",
    "DROP TRIGGER IF EXISTS tickets_searchentry_ad",
    "DROP TRIGGER IF EXISTS tickets_searchentry_ai",
    "DROP TABLE IF EXISTS tickets_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX tickets_searchentry_tsv ON tickets_searchentry USING GIN (to_tsvector('simple', text))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS tickets_searchentry_tsv"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
