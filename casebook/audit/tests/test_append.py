"""Appending to the chain: what runs under the chain-head lock is only the append itself (read
the head, HMAC, insert, move the head); everything else is prepared before, and the bytes that
the hash covers are the same either way, so old chains keep verifying."""

import threading
from datetime import UTC, datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.audit import chain
from casebook.audit.models import AuditEvent, ChainHead
from casebook.audit.services import record_event
from casebook.crypto.keyring import load_keyring, reset_cache
from casebook.crypto.models import DataKey
from casebook.crypto.services import clear_key_cache

text = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**62),
    micro=st.integers(min_value=0, max_value=999_999),
    actor_id=st.none() | st.integers(min_value=1, max_value=2**40),
    name=text,
    purpose=text,
    details=st.dictionaries(text, json_values, max_size=5),
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_prepared_bytes_equal_the_canonical_bytes(
    seq, micro, actor_id, name, purpose, details, prev
):
    event = AuditEvent(
        seq=seq,
        occurred_at=datetime(2026, 11, 20, 2, 3, 4, micro, tzinfo=UTC),
        actor_id=actor_id,
        actor_name=name,
        actor_unit="城关派出所",
        action="read.subject",
        object_type="subjects.subject",
        object_id="12",
        object_repr="赵某",
        outcome="success",
        ip="10.1.2.3",
        request_id="req-1",
        channel="web",
        purpose=purpose,
        recipients="",
        details=details,
        prev_hash=prev,
    )
    with mock.patch.object(chain, "chain_mac", return_value=lambda data: b"\x01" * 32):
        prepared = chain.prepare(event)
    assert chain.canonical(event, prepared) == chain.canonical(event)
    assert chain.compute_hash(event, prepared) == "01" * 32


def _warm_up():
    """The first event creates the audit key; the figures below are of an ordinary append."""
    record_event(actor=None, actor_name="tester", action="test.warm")


@pytest.mark.django_db
def test_only_the_append_runs_under_the_lock():
    _warm_up()
    with CaptureQueriesContext(connection) as queries:
        event = record_event(
            actor=None, actor_name="tester", action="test.event", details={"ids": ["1", "2"]}
        )
    sql = [q["sql"] for q in queries.captured_queries]
    locked = next(i for i, s in enumerate(sql) if 'FROM "audit_chainhead"' in s)
    under_lock = [s for s in sql[locked:] if "SAVEPOINT" not in s]
    if connection.vendor == "postgresql":
        # the insert and the move of the head are one statement (a data-modifying CTE)
        assert len(under_lock) == 2, under_lock
        head_read, append = under_lock
        assert "FOR UPDATE" in head_read
        assert append.startswith('WITH appended AS (INSERT INTO "audit_auditevent"')
        assert 'UPDATE "audit_chainhead"' in append
    else:
        assert len(under_lock) == 3, under_lock
        head_read, insert, head_move = under_lock
        assert insert.startswith('INSERT INTO "audit_auditevent"')
        assert head_move.startswith('UPDATE "audit_chainhead"')
    assert head_read.startswith("SELECT")
    # the key was looked up before the lock, not under it
    assert not any("crypto_datakey" in s for s in sql[locked:])
    assert any("crypto_datakey" in s for s in sql[:locked])
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (event.seq, event.hash)
    stored = AuditEvent.objects.get(pk=event.pk)  # the row as written, read back
    assert (stored.seq, stored.hash, stored.details) == (event.seq, event.hash, event.details)
    assert (stored.action, stored.actor_name) == ("test.event", "tester")
    assert chain.verify().ok


@pytest.mark.django_db
def test_times_follow_the_chain_order():
    for i in range(5):
        record_event(actor=None, actor_name="tester", action="test.event", object_id=str(i))
    times = list(AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times)


@pytest.mark.django_db
def test_a_failed_hash_appends_nothing_and_leaves_the_head():
    _warm_up()
    before = ChainHead.objects.get(pk=1)
    with (
        mock.patch.object(chain, "compute_hash", side_effect=RuntimeError("hsm gone")),
        pytest.raises(RuntimeError),
    ):
        record_event(actor=None, actor_name="tester", action="test.event")
    after = ChainHead.objects.get(pk=1)
    assert (after.seq, after.hash) == (before.seq, before.hash)
    assert AuditEvent.objects.count() == before.seq
    record_event(actor=None, actor_name="tester", action="test.event")
    assert chain.verify().ok


@pytest.fixture
def keyring_file(settings, tmp_path):
    settings.CASEBOOK_MASTER_KEY = None
    settings.CASEBOOK_MASTER_KEY_FILE = tmp_path / "keys" / "master.key"
    settings.PRODUCTION = False
    reset_cache()
    clear_key_cache()
    yield settings.CASEBOOK_MASTER_KEY_FILE
    reset_cache()
    clear_key_cache()


@pytest.mark.django_db
def test_chain_survives_master_key_rotation_and_prune(keyring_file):
    """Rotation rewraps the chain key (same key, new wrapping): the process's cached key is
    keyed by the wrapping, so the next append unwraps the new one; after the old master key
    is pruned, appends and verification still work in a fresh process (empty caches)."""
    for i in range(3):
        record_event(actor=None, actor_name="tester", action="test.event", object_id=str(i))
    old_kid = load_keyring().active[0]
    call_command("rotate_master_key", stdout=StringIO())
    audit_key = DataKey.objects.get(system_purpose="audit")
    assert audit_key.master_kid != old_kid
    record_event(actor=None, actor_name="tester", action="test.after_rotation")
    call_command("rotate_master_key", "--prune", stdout=StringIO())
    assert old_kid not in load_keyring().kids
    reset_cache()
    clear_key_cache()  # as a freshly started process
    record_event(actor=None, actor_name="tester", action="test.after_prune")
    result = chain.verify()
    assert result.ok, result.message
    assert result.checked == AuditEvent.objects.count() >= 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_keep_one_chain():
    """Several connections appending at once (PostgreSQL: real row locks) leave one unbroken
    chain whose times never run backwards."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    try:
        _warm_up()
        errors = []

        def append(n):
            try:
                for i in range(15):
                    record_event(
                        actor=None, actor_name=f"t{n}", action="test.event", object_id=str(i)
                    )
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=append, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert AuditEvent.objects.count() == 1 + 6 * 15
        result = chain.verify()
        assert result.ok, result.message
        times = list(AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True))
        assert times == sorted(times)
    finally:
        # the audit table refuses TRUNCATE: let the test database's flush through (the
        # connection is closed after a transactional test, so the setting ends with it)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")


@pytest.mark.django_db
def test_an_undeclared_action_code_is_refused_and_nothing_written():
    from casebook.audit.labels import UnknownAction
    from casebook.audit.models import AuditEvent
    from casebook.audit.services import record_event

    before = AuditEvent.objects.count()
    with pytest.raises(UnknownAction):
        record_event(actor=None, action="subject.updte", actor_name="系统")
    assert AuditEvent.objects.count() == before


def test_every_code_used_in_the_code_is_declared():
    """Literal codes in the modules (action="…") are all in the registry."""
    import re
    from pathlib import Path

    from casebook.audit.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    used = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        used |= set(re.findall(r'\baction\s*=\s*"([a-z_]+\.[a-z_.]+)"', path.read_text("utf-8")))
    assert used, "the scan found no action codes"
    assert sorted(used - set(ACTION_LABELS)) == []
