"""PostgreSQL roles (SECURITY.md L3, issue #11 item 11): the application's runtime role owns no
table, so it can neither switch the audit trigger off nor UPDATE, DELETE or TRUNCATE the audit
log — refused by privileges before any trigger runs."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from casebook.audit.management.commands.db_roles import grants_sql, setup_sql
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only"
)


@pytest.fixture
def runtime_role(db):
    """A fresh runtime role with the grants applied; CREATE ROLE rolls back with the test."""
    name = f"cb_runtime_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{name}"')
    call_command("db_roles", "--apply-grants", "--runtime", name, stdout=io.StringIO())
    record_event(actor=None, actor_name="test", action="demo.load")
    return name


def as_role(role: str, sql: str):
    """Run ``sql`` as ``role`` in a savepoint; return the rows, or raise the database error."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else None


@needs_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "UPDATE audit_auditevent SET action = 'forged'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
        "CREATE TABLE casebook_intruder (id int)",
    ],
)
def test_runtime_role_cannot_touch_the_audit_log(runtime_role, statement):
    before = list(AuditEvent.objects.order_by("pk").values_list("pk", "action", "hash"))
    with pytest.raises(DatabaseError) as exc:
        as_role(runtime_role, statement)
    message = str(exc.value).lower()
    assert "permission denied" in message or "must be owner" in message, message
    assert list(AuditEvent.objects.order_by("pk").values_list("pk", "action", "hash")) == before


@needs_postgresql
def test_runtime_role_reads_appends_and_works_on_other_tables(runtime_role):
    count = as_role(runtime_role, "SELECT count(*) FROM audit_auditevent")[0][0]
    assert count == AuditEvent.objects.count() > 0
    with transaction.atomic(), connection.cursor() as cursor:  # the application's own append
        cursor.execute(f'SET LOCAL ROLE "{runtime_role}"')
        record_event(actor=None, actor_name="runtime", action="demo.load")
    assert AuditEvent.objects.count() == count + 1
    assert as_role(runtime_role, "UPDATE audit_chainhead SET id = id") is None
    assert as_role(runtime_role, "DELETE FROM django_session") is None


def test_sql_names_only_plain_identifiers():
    assert 'CREATE ROLE "casebook_owner" LOGIN' in setup_sql("casebook", "casebook_owner", "cb")
    grants = grants_sql("cb")
    assert 'GRANT SELECT, INSERT ON "audit_auditevent" TO "cb";' in grants
    assert "UPDATE" not in grants.split('REVOKE ALL ON "audit_auditevent"')[1]
    with pytest.raises(CommandError):
        grants_sql('cb"; DROP TABLE audit_auditevent; --')
