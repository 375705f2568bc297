"""Backups and restore drills (issue #14 item 3; SECURITY.md D7), on SQLite and PostgreSQL alike:
``make test`` runs this module on both databases."""

import json
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from casebook.audit.models import AuditEvent
from casebook.crypto.keyring import (
    load_keyring,
    new_entry,
    parse_keyring,
    reset_cache,
)
from casebook.retention import backup
from casebook.retention.backup_format import BackupError, DecryptingReader
from casebook.subjects.models import PersonDetail
from casebook.testing.factories import PersonFactory

# pg_dump reads committed data only, and SQLite's backup API cannot copy a connection inside an
# open write transaction: these tests commit, and the test database is flushed afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def flush_past_the_audit_triggers():
    """The audit table refuses DELETE and TRUNCATE (triggers): for the test database's flush
    after each test only, lift them, flush, and put them back, exactly as migration 0002 made
    them."""
    from importlib import import_module

    from django.db import connection

    triggers = import_module("casebook.audit.migrations.0002_chain_head_and_triggers")
    ops = connection.ops
    original = type(ops).execute_sql_flush

    def flush_once(sql_list):
        del ops.execute_sql_flush  # one flush only
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            else:
                for statement in triggers.SQLITE_REVERSE:
                    cursor.execute(statement)
        try:
            original(ops, sql_list)
        finally:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET session_replication_role = origin")
                else:
                    for statement in triggers.SQLITE_FORWARD:
                        cursor.execute(statement)

    yield
    ops.execute_sql_flush = flush_once


@pytest.fixture(autouse=True)
def english_messages():
    """The refusals are asserted on their English text (the Chinese catalogue is compiled)."""
    with translation.override("en"):
        yield


@pytest.fixture
def places(settings, tmp_path):
    settings.CASEBOOK_BACKUP_DIR = tmp_path / "backups"
    settings.CASEBOOK_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    (tmp_path / "media" / "attachments").mkdir(parents=True)
    (tmp_path / "media" / "attachments" / "a.bin").write_bytes(b"cb1:intl:1:ciphertext")
    return tmp_path


@pytest.fixture
def person(org):
    return PersonFactory(station=org["a"])


def _plaintext_of(path: Path) -> bytes:
    with path.open("rb") as fh:
        reader = DecryptingReader(fh, keyring=load_keyring(), expected_installation_id=None)
        return reader.read()


def test_backup_then_drill_passes_and_reports(places, person):
    result = backup.backup_create()
    assert result.path.exists() and result.path.stat().st_mode & 0o077 == 0
    assert result.counts["audit_auditevent"] >= 1
    raw = result.path.read_bytes()
    plain = _plaintext_of(result.path)
    # Needles long enough not to turn up by chance in megabytes of ciphertext (a 3-byte one,
    # such as one Chinese character, does about once in ten runs). The table name is in the
    # plaintext on both engines (pg_dump compresses table data, so the name is not there).
    assert person.name.encode() not in raw  # encrypted
    assert b"audit_auditevent" in plain and b"audit_auditevent" not in raw
    for _kid, key in load_keyring().entries:  # never the master key, in any encoding
        assert key not in plain
        assert (
            backup.b64url_encode(key).encode() not in plain
            if hasattr(backup, "b64url_encode")
            else True
        )
    drill = backup.restore_drill(result.path, report_dir=places / "reports")
    assert drill.ok, drill.checks
    assert drill.checks["audit_chain"]["ok"] and drill.checks["audit_chain"]["events"] >= 1
    assert drill.checks["row_counts"]["ok"] and drill.checks["row_counts"]["rows"] > 0
    assert drill.checks["encrypted_sample"]["decrypted"] >= 1
    assert drill.checks["archive"]["files"] >= 3  # database, media file, checkpoints
    report = json.loads(drill.report_path.read_text())
    assert report["ok"] is True
    assert AuditEvent.objects.filter(action="backup.restore_drill", outcome="success").exists()


def test_the_live_database_is_untouched_by_a_drill(places, person):
    result = backup.backup_create()
    PersonFactory(station=person.station)  # the live database moves on
    before = PersonDetail.objects.count()
    drill = backup.restore_drill(result.path, report_dir=places / "reports")
    assert drill.ok  # the copy matches the backup's counts, not today's
    assert PersonDetail.objects.count() == before


def test_truncated_backup_fails_and_nothing_is_restored(places, person):
    result = backup.backup_create()
    data = result.path.read_bytes()
    cut = places / "cut.cbbak"
    cut.write_bytes(data[: len(data) - 100])
    drill = backup.restore_drill(cut, report_dir=places / "reports")
    assert not drill.ok and "truncated" in drill.error
    assert drill.checks == {}  # no scratch database was made or checked
    with pytest.raises(CommandError, match="truncated"):
        call_command("restore_drill", str(cut), report_dir=places / "reports")


def test_altered_byte_fails_authentication(places, person):
    result = backup.backup_create()
    data = bytearray(result.path.read_bytes())
    data[len(data) // 2] ^= 1
    bad = places / "bad.cbbak"
    bad.write_bytes(bytes(data))
    drill = backup.restore_drill(bad, report_dir=places / "reports")
    assert not drill.ok and "altered" in drill.error


def test_other_master_key_is_refused(places, person, settings):
    result = backup.backup_create()
    settings.CASEBOOK_MASTER_KEY = new_entry()
    reset_cache()
    try:
        with pytest.raises(BackupError, match="master key"), result.path.open("rb") as fh:
            DecryptingReader(fh, keyring=load_keyring(), expected_installation_id=None)
    finally:
        settings.CASEBOOK_MASTER_KEY = None
        reset_cache()


def test_same_key_id_with_other_bytes_is_refused(places, person, settings):
    result = backup.backup_create()
    kid = load_keyring().active[0]
    other = new_entry().split(":", 1)[1]
    with pytest.raises(BackupError, match="cannot be opened"), result.path.open("rb") as fh:
        DecryptingReader(
            fh,
            keyring=parse_keyring(f"{kid}:{other}", source="test"),
            expected_installation_id=None,
        )


def test_backup_of_another_installation_is_refused(places, person, monkeypatch):
    result = backup.backup_create()
    monkeypatch.setattr(backup, "installation_id", lambda: "f" * 32)
    drill = backup.restore_drill(result.path, report_dir=places / "reports")
    assert not drill.ok and "another installation" in drill.error
    assert AuditEvent.objects.filter(action="backup.restore_drill", outcome="failure").exists()


def test_not_a_backup_is_refused(places, db):
    junk = places / "junk.cbbak"
    junk.write_bytes(b"PK\x03\x04 not a backup")
    drill = backup.restore_drill(junk, report_dir=places / "reports")
    assert not drill.ok and "not a Casebook backup" in drill.error


def test_prune_deletes_only_backups_past_their_age(places, person, settings):
    settings.CASEBOOK_BACKUP_MAX_AGE_DAYS = 35
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        old = backup.backup_create()
    recent = backup.backup_create()
    call_command("backup", prune_only=True)
    assert not old.path.exists() and recent.path.exists()
    assert AuditEvent.objects.filter(action="backup.prune").exists()


def test_backup_command_writes_a_file(places, person):
    call_command("backup")
    files = list((places / "backups").glob("casebook-*.cbbak"))
    assert len(files) == 1
    with files[0].open("rb") as fh:
        reader = DecryptingReader(fh, keyring=load_keyring(), expected_installation_id=None)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            names = [m.name for m in tar]
    assert names[-1] == "manifest.json" and "media/attachments/a.bin" in names
