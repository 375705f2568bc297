"""The SQLite triggers that keep the full-text index of subjects in sync, created again.

Adding a NOT NULL column to subjects_subject (0006 visit_cycle_days, 0008 version) makes Django
rebuild the table on SQLite, which drops its triggers: from then on new and renamed subjects
were missing from the index and name, pinyin and alias search found nothing. The triggers are
restored and the index is rebuilt from the table. PostgreSQL's index is unaffected."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_ai AFTER INSERT ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_ad AFTER DELETE ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS subjects_fts_au AFTER UPDATE OF search_text "
    "ON subjects_subject BEGIN "
    "INSERT INTO subjects_fts(subjects_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO subjects_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild')",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("subjects", "0008_subject_version")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
