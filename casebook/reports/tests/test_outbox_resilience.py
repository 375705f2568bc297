"""The urgent-report outbox on a busy database: no message is sent inside a transaction, a write
lock held by someone else does not fail the delivery job, and /healthz reports messages stuck in
the outbox with a count only."""

import importlib
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client

from casebook.core.health import SCHEDULER, WORKER, problems
from casebook.core.services import heartbeat_record
from casebook.reports import channels, services
from casebook.reports.choices import Channel, DeliveryStatus
from casebook.reports.models import Delivery
from casebook.reports.tasks import deliver_urgent_reports

ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def queued(crew, person, monkeypatch):
    """An urgent report whose e-mail to the station leader waits in the outbox (the delivery
    job that would be kicked after commit is held back)."""
    monkeypatch.setattr(services.urgent, "_kick_delivery", lambda: None)
    report = services.urgent_report_create(actor=crew["officer"], text="紧急情况", subject=person)
    email = report.deliveries.get(channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.PENDING
    return email


@pytest.fixture
def sqlite_flushable():
    """A transactional test on SQLite ends with a flush, which the audit table's append-only
    trigger refuses: empty the table with the trigger lifted, then put the trigger back."""
    yield
    audit = importlib.import_module("casebook.audit.migrations.0002_chain_head_and_triggers")
    with connection.cursor() as cursor:
        for sql in audit.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditevent")
        for sql in audit.SQLITE_FORWARD:
            cursor.execute(sql)


@pytest.mark.django_db
def test_messages_are_sent_outside_any_transaction(queued, monkeypatch):
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen = []
    real_send = channels.send

    def send(delivery, subject, body):
        seen.append(len(connection.atomic_blocks) - depth)
        real_send(delivery, subject, body)

    monkeypatch.setattr(channels, "send", send)
    assert services.deliver_pending() == (1, 0)
    assert seen == [0]  # no transaction (nor savepoint) of the outbox's own around the send
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.SENT and queued.attempts == 1
    assert services.deliver_pending() == (0, 0)  # claimed once: never sent twice


@pytest.mark.django_db
def test_a_failed_send_stays_queued_with_its_back_off(queued, monkeypatch):
    def refuse(delivery, subject, body):
        raise channels.ChannelError("mail server refused")

    monkeypatch.setattr(channels, "send", refuse)
    now = queued.next_attempt_at + timedelta(seconds=1)
    with time_machine.travel(now, tick=False):
        assert services.deliver_pending() == (0, 1)
        assert services.deliver_pending() == (0, 0)  # not due again before its back-off
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.PENDING and queued.attempts == 1
    assert queued.last_error == "mail server refused"
    assert queued.next_attempt_at == now + timedelta(seconds=30)


@pytest.mark.skipif(
    not ON_SQLITE, reason="SQLite's database-wide write lock; PostgreSQL locks rows"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_busy_sqlite_does_not_fail_the_delivery_job(sqlite_flushable, queued):
    name = connection.settings_dict["NAME"]
    if name.startswith("file:") and "mode=memory" in name and "cache=shared" not in name:
        pytest.skip("a private in-memory database cannot be opened by a second connection")
    locked, release = threading.Event(), threading.Event()

    def hold_write_lock():
        other = sqlite3.connect(name, uri=name.startswith("file:"), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE reports_delivery SET last_error = last_error")
            locked.set()
            release.wait(timeout=10)
            time.sleep(1.0)  # the lock outlives the job's first attempt
            other.execute("COMMIT")
        finally:
            other.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    try:
        assert locked.wait(timeout=5)
        # The lock is real: one pass over the outbox without the retry fails at once …
        with pytest.raises(OperationalError, match="locked"):
            services.deliver_pending()
        release.set()
        # … the job waits it out and delivers.
        assert deliver_urgent_reports.call() == 1
    finally:
        release.set()
        holder.join(timeout=15)
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.SENT
    assert mail.outbox[-1].to == ["li@test.cn"]


@pytest.mark.django_db
def test_healthz_reports_a_stuck_outbox_with_a_count_only(queued, crew, person):
    client = Client()
    with time_machine.travel(queued.created_at + timedelta(minutes=11), tick=False):
        heartbeat_record(WORKER)
        heartbeat_record(SCHEDULER)
        assert problems() == ["outbox: 1 urgent messages queued for more than 600 s"]
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.content.decode()
    assert body.startswith("degraded\noutbox: 1 ")
    for secret in ("紧急情况", person.name, crew["leader"].real_name, "li@test.cn"):
        assert secret not in body
    Delivery.objects.filter(pk=queued.pk).update(status=DeliveryStatus.SENT)
    with time_machine.travel(queued.created_at + timedelta(minutes=11), tick=False):
        assert problems() == []
