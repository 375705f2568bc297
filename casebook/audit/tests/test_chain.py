"""The audit chain: append-only in the database, and every kind of tampering detected."""

import json
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.accounts.services import user_create
from casebook.audit import chain
from casebook.audit.models import AuditEvent, ChainHead
from casebook.audit.services import record_event


@pytest.fixture
def events(org):
    for i in range(8):
        record_event(
            actor=None, actor_name="tester", action="test.event", object_id=str(i), details={"i": i}
        )
    return list(AuditEvent.objects.order_by("seq"))


class attacker:  # noqa: N801 - reads as a sentence: `with attacker():`
    """Raw SQL with the append-only triggers out of the way, as a DBA with full rights could."""

    def __enter__(self):
        self.cursor = connection.cursor()
        if connection.vendor == "postgresql":
            self.cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            self.cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            self.cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
        return self.cursor

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            self.cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        # On SQLite the DROP TRIGGER is rolled back with the test's transaction.
        return False


def _seq(events, n):
    return events[n - 1].seq


@pytest.mark.django_db
def test_intact_chain_verifies(events):
    result = chain.verify()
    assert result.ok, result.message
    assert result.checked == AuditEvent.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_database_refuses_update_and_delete(events, statement):
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="test.event").count() == 8


@pytest.mark.django_db
def test_altered_row_detected(events):
    target = _seq(events, 4)
    with attacker() as cur:
        cur.execute("UPDATE audit_auditevent SET object_repr = 'forged' WHERE seq = %s", [target])
    result = chain.verify()
    assert not result.ok
    assert result.broken_seq == target
    assert "altered" in result.message or "篡改" in result.message


@pytest.mark.django_db
def test_deleted_row_detected(events):
    target = _seq(events, 3)
    with attacker() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq = %s", [target])
    result = chain.verify()
    assert not result.ok and result.broken_seq == target


@pytest.mark.django_db
def test_inserted_row_detected(events):
    """A forged event renumbered into the middle breaks the chain at the insertion point."""
    target = _seq(events, 5)
    with attacker() as cur:
        cur.execute("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq >= %s", [target])
        cur.execute("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq >= %s", [target + 1000])
        row = events[3]
        cur.execute(
            "INSERT INTO audit_auditevent (seq, occurred_at, actor_id, actor_name, actor_unit, "
            "action, object_type, object_id, object_repr, outcome, ip, request_id, channel, "
            "purpose, recipients, details, prev_hash, hash) VALUES "
            "(%s, %s, NULL, 'ghost', '', 'test.event', '', '', '', 'success', '', '', '', '', '', "
            "%s, %s, %s)",
            [target, row.occurred_at, json.dumps({}), row.hash, "f" * 64],
        )
    result = chain.verify()
    assert not result.ok and result.broken_seq == target


@pytest.mark.django_db
def test_reordered_rows_detected(events):
    a, b = _seq(events, 5), _seq(events, 6)
    with attacker() as cur:
        cur.execute("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [a])
        cur.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a, b])
        cur.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [b])
    result = chain.verify()
    assert not result.ok and result.broken_seq == a


@pytest.mark.django_db
def test_tail_cut_detected_by_head(events):
    last = _seq(events, 8)
    with attacker() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [last - 1])
    result = chain.verify()
    assert not result.ok and result.broken_seq == last - 1


@pytest.mark.django_db
def test_tail_cut_with_forged_head_detected_by_checkpoint(events, settings, tmp_path):
    settings.CASEBOOK_AUDIT_CHECKPOINT_DIR = tmp_path
    cp = chain.make_checkpoint()
    keep = cp["seq"] - 2
    with attacker() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
    kept = AuditEvent.objects.get(seq=keep)
    ChainHead.objects.filter(pk=1).update(seq=keep, hash=kept.hash)  # the attacker's cover-up
    assert chain.verify().ok  # without the checkpoint the cut cannot be seen…
    result = chain.verify(cp)  # …with it, it is
    assert not result.ok and "cut" in result.message.lower() or "截" in result.message


@pytest.mark.django_db
def test_forged_checkpoint_refused(events, settings, tmp_path):
    settings.CASEBOOK_AUDIT_CHECKPOINT_DIR = tmp_path
    cp = dict(chain.make_checkpoint())
    cp["seq"] = cp["seq"] - 1
    assert not chain.verify(cp).ok


@pytest.mark.django_db
def test_audit_verify_command_exit_code_names_event(events, settings, tmp_path, capsys):
    settings.CASEBOOK_AUDIT_CHECKPOINT_DIR = tmp_path
    call_command("audit_checkpoint")
    call_command("audit_verify", "--checkpoint", str(tmp_path / "checkpoints.jsonl"))
    assert "OK" in capsys.readouterr().out
    target = _seq(events, 2)
    with attacker() as cur:
        cur.execute("UPDATE audit_auditevent SET ip = '6.6.6.6' WHERE seq = %s", [target])
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    assert exc.value.code == 1
    assert f"#{target}" in capsys.readouterr().err


@pytest.mark.django_db
def test_audit_failure_fails_closed(org):
    """SECURITY.md L4: if the event cannot be written, the change does not happen."""
    with (
        mock.patch("casebook.audit.chain.compute_hash", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        user_create(
            actor=None,
            username="777777",
            real_name="失败",
            unit=org["a"],
            password="a long enough passphrase",
            roles={Role.TRACKING_OFFICER},
        )
    assert not User.objects.filter(username="777777").exists()


@pytest.mark.django_db
def test_log_injection_neutralised(org):
    event = record_event(
        actor=None,
        actor_name="evil\r\nadmin logged in",
        action="auth.login",
        outcome="failure",
        details={"x\n": "a\rb"},
    )
    event.refresh_from_db()
    assert "\n" not in event.actor_name and "\r" not in event.actor_name
    assert event.actor_name == "evil\\x0d\\x0aadmin logged in"
    assert event.details == {"x\\x0a": "a\\x0db"}


@pytest.mark.django_db
def test_event_fields(org, make_user):
    """SECURITY.md L2: who (id + name copy), when, what, object, outcome, ip, request id."""
    user = make_user(Role.STATION_LEADER)
    from casebook.core import request_context

    with request_context.bind(request_context.RequestContext("req-12345678", "10.1.2.3", "web")):
        event = record_event(actor=user, action="test.read", obj=org["a"], purpose="核查")
    assert (event.actor_id, event.actor_name, event.actor_unit) == (
        user.pk,
        user.real_name,
        "甲派出所",
    )
    assert (event.object_type, event.object_id) == ("core.unit", str(org["a"].pk))
    assert (event.ip, event.request_id, event.purpose) == ("10.1.2.3", "req-12345678", "核查")


def test_audit_verify_exits_non_zero_in_a_process(tmp_path):
    """The command's exit status, as an operator's script would see it (fresh database)."""
    env = {
        "CASEBOOK_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    for _ in range(2):  # each checkpoint is itself an audited event
        subprocess.run([*run, "audit_checkpoint"], env=env, check=True, capture_output=True)
    ok = subprocess.run([*run, "audit_verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    import sqlite3

    db = sqlite3.connect(tmp_path / "db.sqlite3")
    db.execute("DROP TRIGGER audit_auditevent_no_delete")
    db.execute("DELETE FROM audit_auditevent WHERE seq = 1")
    db.commit()
    db.close()
    broken = subprocess.run([*run, "audit_verify"], env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "#1" in broken.stderr
