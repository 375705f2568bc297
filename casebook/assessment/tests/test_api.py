"""/api/v1/assessment/: the same rules as the pages."""

from datetime import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casebook.assessment import services
from casebook.assessment.models import SpotCheck
from casebook.intel.models import InformationRecord
from casebook.testing.factories import RecordFactory
from conftest import login

NOW = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
IN_Q = timezone.make_aware(datetime(2026, 11, 5, 9, 0))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def records(crew, subject):
    for officer in (crew["officer"], crew["colleague"], crew["officer"]):
        r = RecordFactory(actor=officer, subjects=[subject])
        InformationRecord.objects.filter(pk=r.pk).update(recorded_at=IN_Q, verification="verified")


def test_draw_and_check_through_the_api(crew, org, records):
    api = login(Client(), crew["leader"])
    bad = api.post(
        "/api/v1/assessment/spot-checks/",
        {"station": org["a"].pk, "period": "2026Q4", "kind": "records", "size": 7},
        content_type="application/json",
    )
    assert bad.status_code == 400 and not SpotCheck.objects.exists()
    made = api.post(
        "/api/v1/assessment/spot-checks/",
        {"station": org["a"].pk, "period": "2026Q4", "kind": "records", "size": 2, "seed": 7},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["reproducible"] is True and len(body["items"]) == 2
    item = body["items"][0]["id"]
    checked = api.post(
        f"/api/v1/assessment/spot-checks/{body['id']}/check/",
        {"item": item, "result": "discrepancy", "note": "回访不符"},
        content_type="application/json",
    )
    assert checked.status_code == 200
    assert any(i["result"] == "discrepancy" for i in checked.json()["items"])
    officer = login(Client(), crew["officer"])
    assert officer.get(f"/api/v1/assessment/spot-checks/{body['id']}/").status_code == 404
    denied = officer.post(
        "/api/v1/assessment/spot-checks/",
        {"station": org["a"].pk, "period": "2026Q4", "kind": "records", "size": 2},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_assessments_and_objection_through_the_api(crew, org, records):
    services.assessment_draft(actor=crew["leader"], station=org["a"], period="2026Q4")
    officer = login(Client(), crew["officer"])
    listed = officer.get("/api/v1/assessment/assessments/").json()["results"]
    assert [a["officer"] for a in listed] == [crew["officer"].username]
    mine = listed[0]["id"]
    early = officer.post(
        f"/api/v1/assessment/assessments/{mine}/objection/",
        {"objection": "不同意"},
        content_type="application/json",
    )
    assert early.status_code == 400  # not scored yet
    a = services.assessment_score(
        actor=crew["leader"],
        assessment=services.Assessment.objects.get(pk=mine),
        grade="competent",
        reasons="完成任务",
    )
    done = officer.post(
        f"/api/v1/assessment/assessments/{a.pk}/objection/",
        {"objection": "不同意抽查结论"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "objected"
    colleague = login(Client(), crew["colleague"])
    assert colleague.get(f"/api/v1/assessment/assessments/{a.pk}/").status_code == 404
    figures = login(Client(), crew["leader"]).get("/api/v1/assessment/figures/?period=2026Q4")
    assert figures.status_code == 200 and figures.json()["count"] > 0
    assert (
        login(Client(), crew["leader"]).get("/api/v1/assessment/figures/?period=Q9").status_code
        == 400
    )
