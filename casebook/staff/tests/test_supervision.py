"""Supervision (八(二)): a supervisor plans and records an inspection; each finding opens a
rectification with an owner and a deadline (a finding without an owner refuses the whole
record); a rectification closes only with evidence; scope (a supervisor sees only the stations
they supervise); complaints followed to an outcome; the read-only audit view of the supervised
units, every read logged; the quarterly report, sealed and recognised by verify_export."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfWriter

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from casebook.reports.documents import verify
from casebook.reports.selectors import issued_document
from casebook.staff import services as training
from casebook.staff import supervision_selectors as sel
from casebook.staff import supervision_services as svc
from casebook.staff.supervision_models import (
    Complaint,
    Finding,
    Inspection,
    Rectification,
    SupervisionReport,
)
from casebook.staff.supervision_report import build
from casebook.testing.factories import PersonFactory
from casebook.tracking.models import Notification
from conftest import login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 10)


def at(text: str):
    return time_machine.travel(datetime.fromisoformat(text + "+08:00"), tick=False)


def a_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def outsider(make_user, org):
    """A supervisor of another bureau."""
    return make_user(Role.SUPERVISOR, org["other_bureau"], real_name="外局督察")


@pytest.fixture
def planned(crew, org):
    with at("2026-11-09T09:00:00"):
        return svc.inspection_plan(
            actor=crew["supervisor"],
            station=org["a"],
            planned_for=TODAY,
            scope="跟踪记录档案规范性",
        )


def record(crew, inspection, findings):
    with at("2026-11-10T15:00:00"):
        return svc.inspection_record(
            actor=crew["supervisor"],
            inspection=inspection,
            conducted_on=TODAY,
            checked="抽查跟踪任务 5 件、信息记录 20 条",
            conclusion="总体规范，个别记录核实不及时",
            rating="adequate",
            findings=findings,
        )


def test_a_finding_becomes_a_rectification_that_closes_only_with_evidence(crew, planned):
    record(
        crew,
        planned,
        [
            {
                "text": "两条信息记录超过七天未核实",
                "owner": crew["officer"],
                "deadline": date(2026, 11, 30),
            }
        ],
    )
    planned.refresh_from_db()
    assert (planned.status, planned.rating) == ("done", "adequate")
    rectification = Rectification.objects.get()
    assert rectification.finding.inspection == planned
    assert (rectification.owner, rectification.deadline) == (crew["officer"], date(2026, 11, 30))
    assert rectification.station_id == planned.station_id
    assert Notification.objects.filter(user=crew["officer"], kind="supervision").exists()

    with translation.override("en"), pytest.raises(ValidationError, match="only with evidence"):
        svc.rectification_close(actor=crew["officer"], rectification=rectification, evidence=" ")
    with pytest.raises(PermissionDenied):  # neither the owner nor the station's leader
        svc.rectification_close(
            actor=crew["colleague"], rectification=rectification, evidence="已整改"
        )
    with translation.override("en"), pytest.raises(ValidationError, match="PDF or a JPEG"):
        svc.rectification_close(
            actor=crew["officer"],
            rectification=rectification,
            evidence="已整改",
            file_bytes=b"GIF89a not accepted",
        )
    rectification.refresh_from_db()
    assert rectification.state == "open" and rectification.evidence == ""

    svc.rectification_close(
        actor=crew["officer"],
        rectification=rectification,
        evidence="两条记录已电话核实并更新",
        file_bytes=a_pdf(),
        file_name="核实记录.pdf",
    )
    rectification.refresh_from_db()
    assert rectification.state == "closed" and rectification.closed_by == crew["officer"]
    assert b"%PDF" not in bytes(rectification.evidence_file)  # encrypted at rest
    assert AuditEvent.objects.filter(action="supervision.rectification_close").exists()
    with translation.override("en"), pytest.raises(ValidationError, match="already closed"):
        svc.rectification_close(actor=crew["leader"], rectification=rectification, evidence="x")

    client = login(Client(), crew["supervisor"])
    download = client.get(f"/staff/rectifications/{rectification.pk}/evidence/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_a_finding_without_an_owner_refuses_the_whole_record(crew, planned):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        record(
            crew,
            planned,
            [
                {"text": "有主", "owner": crew["officer"], "deadline": date(2026, 11, 30)},
                {"text": "无主", "owner": None, "deadline": date(2026, 11, 30)},
            ],
        )
    assert "needs an owner" in str(err.value)
    planned.refresh_from_db()
    assert planned.status == "planned" and planned.rating == ""
    assert not Finding.objects.exists() and not Rectification.objects.exists()


@pytest.mark.parametrize(
    ("finding", "message"),
    [
        ({"text": "x", "deadline": date(2026, 11, 1)}, "must be in the future"),
        ({"text": "x", "deadline": None}, "Give a deadline"),
        ({"text": "", "deadline": date(2026, 11, 30)}, "Describe the finding"),
    ],
)
def test_bad_findings_are_refused(crew, planned, finding, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        record(crew, planned, [{**finding, "owner": crew["officer"]}])
    assert not Rectification.objects.exists()


def test_owner_of_another_station_is_refused(crew, planned):
    with translation.override("en"), pytest.raises(ValidationError, match="inspected station"):
        record(
            crew,
            planned,
            [{"text": "x", "owner": crew["other_officer"], "deadline": date(2026, 11, 30)}],
        )


def test_plan_and_record_are_refused_outside_supervision(crew, org, outsider, planned):
    with at("2026-11-09T09:00:00"):
        with pytest.raises(PermissionDenied):
            svc.inspection_plan(actor=outsider, station=org["a"], planned_for=TODAY, scope="越权")
        with pytest.raises(PermissionDenied):
            svc.inspection_plan(
                actor=crew["leader"], station=org["a"], planned_for=TODAY, scope="非督察"
            )
        with translation.override("en"), pytest.raises(ValidationError, match="in the past"):
            svc.inspection_plan(
                actor=crew["supervisor"],
                station=org["a"],
                planned_for=date(2026, 11, 1),
                scope="过去",
            )
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="before it happens"),
        at("2026-11-09T09:00:00"),
    ):
        svc.inspection_record(
            actor=crew["supervisor"],
            inspection=planned,
            conducted_on=TODAY,
            checked="x",
            conclusion="y",
            rating="good",
        )
    assert Inspection.objects.count() == 1


def test_inspection_of_a_subjects_tracking(crew, org):
    person = PersonFactory(actor=crew["leader"], officers=[crew["officer"]])
    with at("2026-11-09T09:00:00"):
        inspection = svc.inspection_plan(
            actor=crew["supervisor"],
            station=org["a"],
            subject=person,
            planned_for=TODAY,
            scope="该对象的走访频次",
        )
        assert inspection.target == "subject"
        with translation.override("en"), pytest.raises(ValidationError, match="subject of this"):
            svc.inspection_plan(
                actor=crew["supervisor"],
                station=org["b"],
                subject=person,
                planned_for=TODAY,
                scope="站点不符",
            )


def test_scope_supervisor_sees_only_what_they_supervise(crew, org, outsider, planned):
    record(
        crew, planned, [{"text": "问题", "owner": crew["officer"], "deadline": date(2026, 11, 30)}]
    )
    rectification = Rectification.objects.get()
    assert list(sel.visible_inspections(crew["supervisor"])) == [planned]
    assert list(sel.visible_inspections(outsider)) == []
    assert list(sel.visible_rectifications(outsider)) == []
    assert list(sel.visible_inspections(crew["other_leader"])) == []  # station B's leader
    assert list(sel.visible_inspections(crew["leader"])) == [planned]
    assert list(sel.visible_rectifications(crew["officer"])) == [rectification]  # the owner
    assert list(sel.visible_rectifications(crew["colleague"])) == []

    other = login(Client(), outsider)
    for url in (
        f"/staff/inspections/{planned.pk}/",
        f"/staff/rectifications/{rectification.pk}/",
        f"/staff/rectifications/{rectification.pk}/evidence/",
    ):
        assert other.get(url).status_code == 404, url
    colleague = login(Client(), crew["colleague"])
    assert colleague.get(f"/staff/rectifications/{rectification.pk}/").status_code == 404
    # officers open the supervision page for the rectifications they own, and see only those
    mine = login(Client(), crew["officer"]).get("/staff/supervision/").content.decode()
    assert f"/staff/rectifications/{rectification.pk}/" in mine
    theirs = colleague.get("/staff/supervision/")
    assert theirs.status_code == 200
    assert f"/staff/rectifications/{rectification.pk}/" not in theirs.content.decode()
    assert f"/staff/inspections/{planned.pk}/" not in theirs.content.decode()
    assert login(Client(), crew["auditor"]).get("/staff/supervision/").status_code == 403
    # the station leader reads the inspection but records nothing in it
    leader = login(Client(), crew["leader"])
    assert leader.get(f"/staff/inspections/{planned.pk}/").status_code == 200
    refused = leader.post(
        f"/staff/inspections/{planned.pk}/",
        {"finding": "越权", "owner": crew["officer"].pk, "deadline": "2026-12-30"},
    )
    assert refused.status_code == 403
    assert Finding.objects.count() == 1


def test_record_page_refuses_a_finding_without_owner(crew, planned):
    client = login(Client(), crew["supervisor"])
    with at("2026-11-10T15:00:00"):
        page = client.post(
            f"/staff/inspections/{planned.pk}/",
            {
                "conducted_on": "2026-11-10",
                "checked": "抽查",
                "conclusion": "基本规范",
                "rating": "good",
                "finding": "记录不全",
                "owner": "",
                "deadline": "2026-11-30",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert page.status_code == 200
    assert "needs an owner" in page.content.decode()
    planned.refresh_from_db()
    assert planned.status == "planned" and not Finding.objects.exists()


def test_complaint_followed_to_an_outcome(crew, outsider):
    with at("2026-11-09T09:00:00"):
        with pytest.raises(PermissionDenied):
            svc.complaint_register(
                actor=outsider,
                officer=crew["officer"],
                received_on=TODAY,
                source="public",
                account="态度生硬",
            )
        with translation.override("en"), pytest.raises(ValidationError, match="future"):
            svc.complaint_register(
                actor=crew["supervisor"],
                officer=crew["officer"],
                received_on=TODAY,
                source="public",
                account="态度生硬",
            )
        complaint = svc.complaint_register(
            actor=crew["supervisor"],
            officer=crew["officer"],
            received_on=date(2026, 11, 8),
            source="public",
            complainant="群众甲",
            account="走访时态度生硬",
        )
    assert Complaint.objects.get().account == "走访时态度生硬"
    raw = Complaint.objects.values_list("account", flat=True).get()
    assert "态度" not in raw  # encrypted at rest
    with translation.override("en"), pytest.raises(ValidationError, match="with an outcome"):
        svc.complaint_update(actor=crew["supervisor"], complaint=complaint, status="closed")
    svc.complaint_update(actor=crew["supervisor"], complaint=complaint, status="investigating")
    svc.complaint_update(
        actor=crew["supervisor"],
        complaint=complaint,
        status="closed",
        outcome="partly",
        outcome_note="谈话提醒，改进走访方式",
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("closed", "partly")
    assert list(sel.complaints_about(crew["officer"])) == [complaint]
    # the officer complained about does not read it; their leader does; another station not
    assert not sel.visible_complaints(crew["officer"]).exists()
    assert sel.visible_complaints(crew["leader"]).exists()
    assert not sel.visible_complaints(crew["other_leader"]).exists()
    assert (
        login(Client(), crew["officer"]).get(f"/staff/complaints/{complaint.pk}/").status_code
        == 404
    )


def test_audit_log_of_supervised_units_read_only_and_logged(crew, outsider, make_user, org):
    stranger = make_user(Role.TRACKING_OFFICER, org["c"], real_name="外局民警")
    record_event(actor=crew["officer"], action="test.event", details={"n": 1})
    record_event(actor=stranger, action="test.event", details={"n": 2})
    events = sel.supervised_audit_events(crew["supervisor"])
    actors = set(events.values_list("actor_id", flat=True))
    assert crew["officer"].pk in actors and stranger.pk not in actors
    assert not sel.supervised_audit_events(crew["leader"]).exists()

    client = login(Client(), crew["supervisor"])
    page = client.get("/staff/supervision/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert crew["officer"].real_name in body and "外局民警" not in body
    assert AuditEvent.objects.filter(
        action="supervision.audit_view", actor_id=crew["supervisor"].pk
    ).exists()
    # read only: the audit administrator's functions stay closed to the supervisor
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/verify/").status_code == 403
    assert login(Client(), crew["leader"]).get("/staff/supervision/audit/").status_code == 403


def test_quarterly_report_pdf_and_excel_sealed(crew, org, planned):
    record(
        crew,
        planned,
        [{"text": "核实不及时", "owner": crew["officer"], "deadline": date(2026, 11, 30)}],
    )
    client = login(Client(), crew["supervisor"])
    with at("2026-12-02T10:00:00"):
        xlsx = client.get(
            "/staff/supervision/report/",
            {"station": org["a"].pk, "year": 2026, "quarter": 4, "fmt": "xlsx"},
        )
        pdf = client.get(
            "/staff/supervision/report/",
            {"station": org["a"].pk, "year": 2026, "quarter": 4, "fmt": "pdf"},
        )
    assert xlsx.status_code == 200 and pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(xlsx.content))
    text = " ".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    )
    assert "核实不及时" in text and "甲派出所" in text
    assert SupervisionReport.objects.count() == 2
    for content in (xlsx.content, pdf.content):
        seal = verify(content)
        assert issued_document(seal.digest) is not None
    # station B's leader cannot issue station A's report
    other = login(Client(), crew["other_leader"])
    refused = other.get(
        "/staff/supervision/report/",
        {"station": org["a"].pk, "year": 2026, "quarter": 4, "fmt": "pdf"},
    )
    assert refused.status_code == 200 and not refused.content.startswith(b"%PDF")
    assert SupervisionReport.objects.count() == 2


def test_quarterly_report_counts_the_training_of_the_station(crew, org):
    with at("2026-10-20T10:00:00"):
        course = training.course_create(
            actor=crew["leader"], title="信息安全与保密", category="security", hours="4"
        )
        session = training.session_create(
            actor=crew["leader"],
            course=course,
            unit=org["a"],
            held_on=date(2026, 10, 20),
            place="城关派出所会议室",
            trainer="周教官",
            pass_mark=60,
        )
        training.attendance_record(
            actor=crew["leader"], session=session, officer=crew["officer"], score=80
        )
        training.attendance_record(
            actor=crew["leader"], session=session, officer=crew["colleague"], score=50
        )
    with translation.override("en"):
        document = build(org["a"], 2026, 4, reader=crew["supervisor"])
        other = build(org["b"], 2026, 4, reader=crew["supervisor"])
    table = next(t for t in document.tables if t.title == "Training")
    assert table.rows == [
        ["2026年10月20日", "信息安全与保密", table.rows[0][2], "4.0", "周教官", "2", "1"]
    ]
    assert all(t.title != "Training" for t in other.tables)
    assert any("No training" in note for note in other.notes)
