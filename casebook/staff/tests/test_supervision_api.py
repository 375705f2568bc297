"""/api/v1/staff/ summaries and supervision: the same services and rules as the pages —
out-of-scope objects answer 404, bad input answers problem details with nothing written."""

from datetime import datetime

import pytest
import time_machine
from django.test import Client

from casebook.accounts.roles import Role
from casebook.staff.supervision_models import (
    Complaint,
    Finding,
    Inspection,
    Rectification,
    WorkSummary,
)
from conftest import login

pytestmark = pytest.mark.django_db


def at(text: str):
    return time_machine.travel(datetime.fromisoformat(text + "+08:00"), tick=False)


def api(user) -> Client:
    client = login(Client(raise_request_exception=False), user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_inspection_finding_rectification_through_the_api(crew, org, make_user):
    supervisor = api(crew["supervisor"])
    with at("2026-11-10T09:00:00"):
        made = post(
            supervisor,
            "/api/v1/staff/inspections/",
            {"station": org["a"].pk, "planned_for": "2026-11-10", "scope": "档案规范性"},
        )
        assert made.status_code == 201, made.content
        pk = made.json()["id"]
        body = {
            "conducted_on": "2026-11-10",
            "checked": "抽查",
            "conclusion": "基本规范",
            "rating": "adequate",
            "findings": [{"text": "记录不全", "deadline": "2026-11-30"}],
        }
        refused = post(supervisor, f"/api/v1/staff/inspections/{pk}/record/", body)
        assert refused.status_code == 400
        assert refused["Content-Type"].startswith("application/problem+json")
        assert "needs an owner" in refused.content.decode()
        assert Inspection.objects.get().status == "planned" and not Finding.objects.exists()
        body["findings"][0]["owner"] = crew["officer"].username
        done = post(supervisor, f"/api/v1/staff/inspections/{pk}/record/", body)
        assert done.status_code == 200 and done.json()["status"] == "done"
    rectification = Rectification.objects.get()
    outsider = api(make_user(Role.SUPERVISOR, org["other_bureau"]))
    assert outsider.get(f"/api/v1/staff/inspections/{pk}/").status_code == 404
    assert outsider.get("/api/v1/staff/rectifications/").json()["count"] == 0
    officer = api(crew["officer"])
    url = f"/api/v1/staff/rectifications/{rectification.pk}/close/"
    assert post(officer, url, {"evidence": ""}).status_code == 400
    assert api(crew["colleague"]).post(url, {"evidence": "x"}).status_code == 404
    closed = post(officer, url, {"evidence": "已补全记录"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_summaries_through_the_api(crew):
    officer = api(crew["officer"])
    with at("2026-11-03T09:00:00"):
        future = post(
            officer, "/api/v1/staff/summaries/", {"period_start": "2026-11-01", "text": "x"}
        )
        assert future.status_code == 400 and not WorkSummary.objects.exists()
        made = post(
            officer, "/api/v1/staff/summaries/", {"period_start": "2026-10-01", "text": "十月"}
        )
        assert made.status_code == 201
    pk = made.json()["id"]
    assert made.json()["figures"]["records"] == 0
    assert api(crew["colleague"]).get(f"/api/v1/staff/summaries/{pk}/").status_code == 404
    leader = api(crew["leader"])
    assert leader.get(f"/api/v1/staff/summaries/{pk}/").status_code == 200
    commented = post(leader, f"/api/v1/staff/summaries/{pk}/comment/", {"comment": "阅"})
    assert commented.status_code == 200 and commented.json()["status"] == "reviewed"


def test_complaints_through_the_api(crew, org, make_user):
    supervisor = api(crew["supervisor"])
    stranger = make_user(Role.TRACKING_OFFICER, org["c"])
    with at("2026-11-10T09:00:00"):
        unknown = post(
            supervisor,
            "/api/v1/staff/complaints/",
            {
                "officer": stranger.username,
                "received_on": "2026-11-09",
                "source": "public",
                "account": "x",
            },
        )
        assert unknown.status_code == 400 and not Complaint.objects.exists()
        made = post(
            supervisor,
            "/api/v1/staff/complaints/",
            {
                "officer": crew["officer"].username,
                "received_on": "2026-11-09",
                "source": "public",
                "account": "态度生硬",
            },
        )
    assert made.status_code == 201
    assert "account" not in made.json()  # the account is read on the page, logged
    pk = made.json()["id"]
    closing = post(supervisor, f"/api/v1/staff/complaints/{pk}/follow/", {"status": "closed"})
    assert closing.status_code == 400
    assert api(crew["officer"]).get(f"/api/v1/staff/complaints/{pk}/").status_code == 404


def test_schema_lists_the_endpoints(crew):
    schema = api(crew["leader"]).get("/api/schema/", HTTP_ACCEPT="application/json").content
    for path in (
        b"/api/v1/staff/summaries/",
        b"/api/v1/staff/inspections/{id}/record/",
        b"/api/v1/staff/rectifications/{id}/close/",
        b"/api/v1/staff/complaints/{id}/follow/",
    ):
        assert path in schema, path
