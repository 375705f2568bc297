"""Full-text search over subjects' search text: FTS5 with the trigram tokenizer on SQLite
(kept in sync by triggers), a pg_trgm GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE subjects_fts USING fts5(search_text, content='subjects_subject', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER subjects_fts_ai AFTER INSERT ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER subjects_fts_ad AFTER DELETE ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER subjects_fts_au AFTER UPDATE OF search_text ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO subjects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS subjects_fts_ai", "DROP TRIGGER IF EXISTS subjects_fts_ad",
                  "DROP TRIGGER IF EXISTS subjects_fts_au", "DROP TABLE IF EXISTS subjects_fts"]
PG = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
      "CREATE INDEX subjects_search_trgm ON subjects_subject USING gin (search_text gin_trgm_ops)"]
PG_REVERSE = ["DROP INDEX IF EXISTS subjects_search_trgm"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": PG}.get(vendor, []):
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("subjects", "0002_default_categories")]
    operations = [migrations.RunPython(forward, reverse)]
