"""Background services survive the database (issue #11 item 2): the worker and the scheduler
ride out a lost connection, and /healthz tells when they stall."""

import io
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, transaction
from django.test import Client

from casebook.core import resilience
from casebook.core.health import SCHEDULER, WORKER, problems
from casebook.core.management.commands import casebook_worker
from casebook.core.models import Heartbeat
from casebook.core.services import heartbeat_record
from casebook.tracking.management.commands import run_scheduler

T0 = datetime.fromisoformat("2026-11-30T08:00:00+00:00")
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the back-off waits instead of sleeping; the connection is not really dropped (the
    test's own transaction holds it) but the drop is counted."""
    waits, drops = [], []
    monkeypatch.setattr(resilience.time, "sleep", waits.append)
    monkeypatch.setattr(resilience, "drop_connections", lambda: drops.append(1))
    return waits, drops


# --- the loops survive an outage --------------------------------------------------------------


@pytest.mark.django_db
def test_scheduler_survives_a_lost_connection_and_carries_on(no_sleep, monkeypatch):
    waits, drops = no_sleep
    job = mock.Mock()
    job.enqueue.side_effect = [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
        None,
    ]
    monkeypatch.setattr(run_scheduler, "frequent_jobs", lambda: [job])
    monkeypatch.setattr(run_scheduler, "periodic_jobs", lambda: [])
    with time_machine.travel(T0, tick=False):
        call_command("run_scheduler", once=True, stdout=io.StringIO())
    assert job.enqueue.call_count == 3  # two failed rounds, then the round that went through
    assert waits == [1.0, 2.0] and len(drops) == 2
    assert Heartbeat.objects.get(service=SCHEDULER).beat_at == T0


@pytest.mark.django_db
def test_scheduler_does_not_swallow_other_errors(no_sleep, monkeypatch):
    job = mock.Mock()
    job.enqueue.side_effect = ValueError("a bug, not an outage")
    monkeypatch.setattr(run_scheduler, "frequent_jobs", lambda: [job])
    monkeypatch.setattr(run_scheduler, "periodic_jobs", lambda: [])
    with pytest.raises(ValueError):
        call_command("run_scheduler", once=True)
    assert not Heartbeat.objects.exists()


def _worker(**options) -> casebook_worker.ResilientWorker:
    defaults = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
    }
    return casebook_worker.ResilientWorker(**{**defaults, **options})


@pytest.mark.django_db
def test_worker_survives_a_lost_connection_and_carries_on(no_sleep, monkeypatch):
    waits, drops = no_sleep
    calls = []

    def flaky_check():
        calls.append(1)
        if len(calls) <= 3:  # the server went away: three rounds fail on their first query
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(casebook_worker, "close_old_connections", flaky_check)
    with time_machine.travel(T0, tick=False):
        _worker().run()  # batch: returns once a round finds the queue empty
    assert waits == [1.0, 2.0, 4.0] and len(drops) == 3
    assert len(calls) == 4
    assert Heartbeat.objects.get(service=WORKER).beat_at == T0


@pytest.mark.django_db
def test_worker_back_off_is_bounded_and_resets_after_a_good_round(no_sleep, monkeypatch):
    waits, _ = no_sleep
    outcomes = iter([*[OperationalError("database is locked")] * 7, True, OperationalError("x")])

    def run_once():
        outcome = next(outcomes, False)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    worker = _worker()
    monkeypatch.setattr(worker, "run_once", run_once)
    worker.run()
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 1.0]


# --- retry of a job body on a busy database ------------------------------------------------------


def test_retry_when_busy_waits_out_a_locked_database(monkeypatch):
    waits = []
    monkeypatch.setattr(resilience.time, "sleep", waits.append)
    body = mock.Mock(side_effect=[OperationalError("database is locked")] * 2 + [7])
    assert resilience.retry_when_busy(body, 1, kind="x") == 7
    assert body.call_count == 3 and waits == [0.5, 1.0]
    body.assert_called_with(1, kind="x")


def test_retry_when_busy_gives_up_and_leaves_other_errors_alone(monkeypatch):
    monkeypatch.setattr(resilience.time, "sleep", lambda s: None)
    locked = mock.Mock(side_effect=OperationalError("database is locked"))
    with pytest.raises(OperationalError):
        resilience.retry_when_busy(locked, attempts=3)
    assert locked.call_count == 3
    broken = mock.Mock(side_effect=OperationalError("no such table: x"))
    with pytest.raises(OperationalError):
        resilience.retry_when_busy(broken)
    assert broken.call_count == 1


@pytest.mark.django_db
def test_retry_when_busy_never_repeats_half_a_transaction(monkeypatch):
    monkeypatch.setattr(resilience.time, "sleep", lambda s: None)
    locked = mock.Mock(side_effect=OperationalError("database is locked"))
    with transaction.atomic(), pytest.raises(OperationalError):
        resilience.retry_when_busy(locked)
    assert locked.call_count == 1


# --- /healthz ---------------------------------------------------------------------------------


def _beat(at: datetime) -> None:
    heartbeat_record(WORKER, now=at)
    heartbeat_record(SCHEDULER, now=at)


@pytest.mark.django_db
def test_healthz_is_ok_while_the_heartbeats_are_fresh():
    _beat(T0)
    with time_machine.travel(T0 + timedelta(seconds=299), tick=False):
        response = Client().get("/healthz")  # public: no login
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_reports_a_stalled_worker():
    _beat(T0)
    heartbeat_record(SCHEDULER, now=T0 + timedelta(seconds=290))
    with time_machine.travel(T0 + timedelta(seconds=301), tick=False):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content.decode().splitlines() == [
        "degraded",
        "worker: last heartbeat 301 s ago (limit 300 s)",
    ]


@pytest.mark.django_db
def test_healthz_reports_services_that_never_started():
    response = Client().get("/healthz")
    assert response.status_code == 503
    lines = response.content.decode().splitlines()
    assert lines[0] == "degraded"
    assert {line.split(":")[0] for line in lines[1:]} == {"worker", "scheduler"}


@pytest.mark.django_db
def test_healthz_thresholds_come_from_settings(settings):
    settings.CASEBOOK_HEALTH_WORKER_STALE_SECONDS = 60
    settings.CASEBOOK_HEALTH_SCHEDULER_STALE_SECONDS = 0  # not checked (cron installations)
    heartbeat_record(WORKER, now=T0)
    with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
        assert problems() == []
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert problems() == ["worker: last heartbeat 61 s ago (limit 60 s)"]


@pytest.mark.django_db
def test_healthz_reports_jobs_nobody_runs():
    from django_tasks_db.models import DBTaskResult, get_date_max

    with time_machine.travel(T0, tick=False):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="casebook.tracking.tasks.escalate_deadlines",
            backend_name="default",
            run_after=get_date_max(),
        )
        DBTaskResult.objects.create(  # scheduled for later: not late
            args_kwargs={"args": [], "kwargs": {}},
            task_path="casebook.tracking.tasks.escalate_deadlines",
            backend_name="default",
            run_after=T0 + timedelta(hours=2),
        )
    _beat(T0 + timedelta(seconds=590))
    with time_machine.travel(T0 + timedelta(seconds=599), tick=False):
        assert problems() == []
    with time_machine.travel(T0 + timedelta(seconds=601), tick=False):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert "jobs: 1 ready for more than 600 s" in response.content.decode()


@pytest.mark.django_db
def test_healthz_says_down_when_the_database_is_unreachable(monkeypatch):
    from casebook.core import views

    def unreachable(now=None):
        raise OperationalError("connection refused")

    # Patched where the view looks the name up (``from .health import problems``).
    monkeypatch.setattr(views, "problems", unreachable)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"down\ndatabase: unreachable"


@pytest.mark.django_db
def test_healthz_only_answers_get():
    assert Client().post("/healthz").status_code == 405


# --- a real worker process, a real PostgreSQL restart -------------------------------------------


def _url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture
def pg_flushable():
    """The flush after a transactional test TRUNCATEs the audit table, which its trigger
    refuses; let it through for this session (it ends with the test's connection)."""
    yield
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_process_survives_a_database_restart(pg_flushable, tmp_path):
    """The worker runs against a copy of the test database; every session it holds is killed
    the way a server restart kills them; a job enqueued afterwards still runs and the process
    is still there."""
    import psycopg
    from django.db import connections
    from django_tasks_db.models import DBTaskResult, get_date_max
    from psycopg import sql

    table = sql.Identifier(DBTaskResult._meta.db_table)
    template = connections["default"].settings_dict["NAME"]
    name = f"cb_worker_{uuid.uuid4().hex[:8]}"
    connections.close_all()  # a template database must have no sessions
    admin = psycopg.connect(_url("postgres"), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    db = psycopg.connect(_url(name), autocommit=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CASEBOOK_", "SECRET_KEY"))},
        "DATABASE_URL": _url(name),
        "CASEBOOK_TESTING": "0",  # the real database task backend
        "CASEBOOK_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [sys.executable, str(MANAGE), "casebook_worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def wait_for(query: str, args=(), timeout: float = 12.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = db.execute(query, args).fetchone()
            if row:
                return row
            assert worker.poll() is None, log.seek(0) or log.read()
            time.sleep(0.1)
        log.seek(0)
        raise AssertionError(f"timed out waiting for: {query}\n{log.read()}")

    try:
        wait_for("SELECT 1 FROM core_heartbeat WHERE service = 'worker'")
        killed = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
        assert killed, "the worker held no session to kill"
        time.sleep(0.5)  # it notices on its next poll
        job = uuid.uuid4()
        db.execute(
            sql.SQL(
                "INSERT INTO {} (id, status, enqueued_at, args_kwargs, priority, task_path,"
                " worker_ids, queue_name, backend_name, run_after, exception_class_path,"
                " traceback) VALUES (%s, 'READY', now(), %s, 0, %s, '[]', 'default', 'default',"
                " %s, '', '')"
            ).format(table),
            (
                job,
                '{"args": [], "kwargs": {}}',
                "casebook.tracking.tasks.escalate_deadlines",
                get_date_max(),
            ),
        )
        status = wait_for(
            sql.SQL(
                "SELECT status FROM {} WHERE id = %s AND status IN ('SUCCESSFUL', 'FAILED')"
            ).format(table),
            (job,),
        )
        log.seek(0)
        output = log.read()
        assert status == ("SUCCESSFUL",), output
        assert worker.poll() is None, output
        # Either the loop met the dead connection ("database unavailable … retrying") or
        # Django's connection health check (CONN_HEALTH_CHECKS) replaced it first: both are
        # recoveries. The retry loop itself is tested above with a failing database.
        assert "Traceback" not in output
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        db.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
