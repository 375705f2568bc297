"""The audit log's CSV export: no cell is a formula (OWASP CSV injection) and a login an hour
old confirms the password before the export (SECURITY.md S6)."""

import csv
import io
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from casebook.accounts.roles import Role
from casebook.accounts.tests.stepup import REAUTH, age_login, confirm
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from conftest import login

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
EXPORT = "/audit/export/?purpose=%E5%91%A8%E5%AE%A1%E6%9F%A5"  # 周审查
EVIL_NAME = "=cmd|' /C calc'!A0"
EVIL_PURPOSE = '@SUM(1+1)*cmd|" /C calc"!A0'


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.django_db
def test_audit_csv_neutralises_formulas_in_every_column(make_user):
    auditor = make_user(Role.AUDIT_ADMIN)
    record_event(actor=None, actor_name=EVIL_NAME, action="auth.login", outcome="failure")
    record_event(
        actor=None,
        actor_name="-2+3",
        action="test.read",
        object_repr="+86 138 0000 0000",
        purpose=EVIL_PURPOSE,
        recipients='=HYPERLINK("http://evil.example")',
    )
    with time_machine.travel(START, tick=False):
        rows = _rows(login(Client(), auditor).get(EXPORT))
    header = rows[0]
    by_name = {r[header.index("actor_name")]: r for r in rows[1:]}
    assert "'" + EVIL_NAME in by_name
    row = by_name["'-2+3"]
    assert row[header.index("object_repr")] == "'+86 138 0000 0000"
    assert row[header.index("purpose")] == "'" + EVIL_PURPOSE
    assert row[header.index("recipients")] == '\'=HYPERLINK("http://evil.example")'
    assert row[header.index("seq")].isdigit()
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


@pytest.mark.django_db
def test_stale_login_confirms_before_the_audit_export(make_user):
    auditor = make_user(Role.AUDIT_ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), auditor)
        age_login(client, clock, 60)
        stale = client.get(EXPORT)
        assert stale.status_code == 302 and stale["Location"].startswith(REAUTH)
        assert parse_qs(urlsplit(stale["Location"]).query)["next"] == [EXPORT]
        assert not AuditEvent.objects.filter(action="audit.export").exists()
        back = confirm(client, auditor, stale["Location"])
        assert back["Location"] == EXPORT
        response = client.get(EXPORT)
        assert response.status_code == 200 and len(_rows(response)) > 1
    assert AuditEvent.objects.filter(action="audit.export", actor_id=auditor.pk).count() == 1


@pytest.mark.django_db
def test_who_may_not_export_the_audit_log_still_may_not(make_user):
    officer = login(Client(), make_user(Role.TRACKING_OFFICER))
    assert officer.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()
