"""Read logging, continued (SECURITY.md L1, L2): the dashboards, warnings, risk assessments, the
task list and stage board, urgent and feedback reports, photo and attachment downloads each
leave exactly one audit event per response — who, which objects (ids, capped), the channel, the
source address and request id — and never the values shown (ID numbers, phones, coordinates,
report texts). Out of scope: 404 and no event. Sibling of tests/test_reads.py."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casebook.accounts.roles import Role
from casebook.analysis.models import Warning, WarningRule
from casebook.analysis.services import Rating, assessment_create
from casebook.audit import reads
from casebook.audit.models import AuditEvent
from casebook.intel import services as intel
from casebook.reports import services as reports
from casebook.subjects import services as subjects
from casebook.subjects.models import Category
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services as tracking
from casebook.tracking.choices import Stage
from conftest import login

ID_NUMBER = make_id(seq="871")
PHONE = "13912345679"
LAT, LNG = Decimal("30.274511"), Decimal("120.155187")
URGENT_TEXT = "对象扬言报复邻居"
FINDINGS = "近期与涉毒人员往来密切"
NOW = timezone.make_aware(timezone.datetime(2026, 11, 20, 10, 0))
SECRETS = (ID_NUMBER, PHONE, str(LAT), str(LNG), "30.2745", URGENT_TEXT, FINDINGS)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def people(org, make_user):
    return {
        "leader": make_user(Role.STATION_LEADER, org["a"], real_name="李所长"),
        "officer": make_user(Role.TRACKING_OFFICER, org["a"], real_name="王民警"),
        "outsider": make_user(Role.TRACKING_OFFICER, org["b"], real_name="外所民警"),
        "outside_leader": make_user(Role.STATION_LEADER, org["b"], real_name="外所所长"),
        "bureau": make_user(Role.BUREAU_LEADER, org["bureau"], real_name="局长"),
    }


def _image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(org, people):
    leader, officer = people["leader"], people["officer"]
    person = subjects.subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="prior_offender"),
        name="赵建国",
        station=org["a"],
        legal_basis_ref="江公(城)立字〔2026〕12号",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        officers=[officer],
        detail={"data_subject_category": "convicted", "id_number": ID_NUMBER, "phones": PHONE},
    )
    subjects.photo_set(actor=leader, subject=person, data=_image())
    task = tracking.task_create(
        actor=leader, title="核查近期动向", station=org["a"], lead=officer, subjects=[person]
    )
    task = tracking.task_accept(actor=officer, task=task)  # on to collecting at once
    record = intel.record_create(
        actor=officer,
        subjects=[person],
        method="field_visit",
        channel="own",
        occurred_at=NOW - timedelta(hours=2),
        content="走访见本人在家",
        source_evaluation="A",
        info_assessment="1",
        address="江州市城关区解放路88号",
        latitude=LAT,
        longitude=LNG,
        task=task,
    )
    intel.record_verify(actor=officer, record=record, status="verified", note="当面核实")
    attachment = intel.attachment_add(actor=officer, record=record, name="现场.png", data=_image())
    task = tracking.task_advance(actor=officer, task=task, to_stage=Stage.ORGANISING)
    task = tracking.task_advance(actor=officer, task=task, to_stage=Stage.ANALYSING)
    factor = person.category.risk_factors.filter(is_active=True).first()
    assessment = assessment_create(
        actor=officer, subject=person, task=task, ratings=[Rating(factor, [record])]
    )
    feedback = reports.feedback_submit(
        actor=officer,
        task=task,
        summary="对象情况总体稳定",
        findings=FINDINGS,
        recommendations="维持管控",
        assessments=[assessment],
    )
    urgent = reports.urgent_report_create(actor=officer, text=URGENT_TEXT, subject=person)
    warning = Warning.objects.create(  # as the rules job raises them
        rule=WarningRule.objects.get(bureau__code="T", code="new_risk_info"),
        subject=person,
        station=org["a"],
        key=f"test:{person.pk}",
        reason="新的风险信息",
    )
    return {
        "person": person,
        "task": task,
        "record": record,
        "attachment": attachment,
        "assessment": assessment,
        "feedback": feedback,
        "urgent": urgent,
        "warning": warning,
    }


def head() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def reads_after(mark: int):
    return list(AuditEvent.objects.filter(seq__gt=mark, action__startswith="read.").order_by("seq"))


def consult(client, subject, purpose="走访前核实"):
    client.post(f"/subjects/{subject.pk}/consult/", {"purpose": purpose})


# (name, user, url, action, the event's ids: keys of ``world``)
PAGES = [
    ("station dashboard", "leader", "/analysis/dashboard/", "read.dashboard", ["person"]),
    ("bureau dashboard", "bureau", "/analysis/bureau/", "read.dashboard", []),
    ("warnings", "leader", "/analysis/warnings/", "read.warning_list", ["warning"]),
    (
        "assessment",
        "leader",
        "/analysis/assessments/{assessment}/",
        "read.assessment",
        ["assessment"],
    ),
    (
        "assessment form",
        "leader",
        "/analysis/subjects/{person}/assess/",
        "read.assessment_form",
        ["person"],
    ),
    ("task list", "leader", "/tasks/?queue=station", "read.task_list", ["task"]),
    ("my tasks", "officer", "/tasks/", "read.task_list", ["task"]),
    ("stage board", "leader", "/tasks/board/", "read.task_board", ["task"]),
    ("reports inbox", "leader", "/reports/", "read.reports_inbox", ["urgent"]),
    ("feedback report", "leader", "/reports/feedback/{feedback}/", "read.feedback", ["feedback"]),
    ("urgent report", "leader", "/reports/urgent/{urgent}/", "read.urgent", ["urgent"]),
    ("photo", "leader", "/subjects/{person}/photo/", "read.photo", ["person"]),
    ("attachment", "leader", "/attachments/{attachment}/", "read.attachment", ["attachment"]),
    ("thumbnail", "leader", "/attachments/{attachment}/thumb/", "read.attachment", ["attachment"]),
]


def _url(url: str, world) -> str:
    return url.format(**{k: v.pk for k, v in world.items()})


@pytest.mark.django_db
class TestOneEventPerPage:
    @pytest.mark.parametrize(
        ("name", "who", "url", "action", "ids"), PAGES, ids=[p[0] for p in PAGES]
    )
    def test_page(self, people, world, name, who, url, action, ids):
        user = people[who]
        client = login(Client(), user)
        consult(client, world["person"])
        mark = head()
        response = client.get(_url(url, world), REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200, name
        events = reads_after(mark)
        assert [e.action for e in events] == [action]
        event = events[0]
        want = sorted(str(world[key].pk) for key in ids)
        assert sorted(event.details["ids"]) == want
        assert event.details["count"] == len(want)
        assert event.actor_id == user.pk and event.actor_name == user.real_name
        assert event.channel == "web" and event.ip == "10.1.2.3"
        assert event.request_id == response["X-Request-ID"]
        if len(want) == 1:
            assert event.object_id == want[0]
        stored = json.dumps(
            [event.details, event.object_repr, event.purpose], ensure_ascii=False, default=str
        )
        for secret in SECRETS:
            assert secret not in stored, (name, secret)

    def test_dashboard_names_the_warnings_and_reports_it_shows(self, people, world):
        client = login(Client(), people["leader"])
        mark = head()
        client.get("/analysis/dashboard/")
        (event,) = reads_after(mark)
        assert event.details["warnings"]["ids"] == [str(world["warning"].pk)]
        assert event.details["urgent_reports"]["ids"] == [str(world["urgent"].pk)]
        assert event.details["board"] == "station"

    def test_lists_name_the_subjects_they_show(self, people, world):
        client = login(Client(), people["leader"])
        person = str(world["person"].pk)
        for url in ("/analysis/warnings/", "/tasks/?queue=station"):
            mark = head()
            client.get(url)
            (event,) = reads_after(mark)
            assert event.details["subjects"]["ids"] == [person], url
            assert event.details["search"]["results"] == 1

    def test_feedback_and_assessment_name_subject_and_records(self, people, world):
        client = login(Client(), people["leader"])
        mark = head()
        client.get(f"/reports/feedback/{world['feedback'].pk}/")
        client.get(f"/analysis/assessments/{world['assessment'].pk}/")
        feedback, assessment = reads_after(mark)
        assert feedback.details["subjects"]["ids"] == [str(world["person"].pk)]
        assert feedback.details["assessments"]["ids"] == [str(world["assessment"].pk)]
        assert assessment.details["records"]["ids"] == [str(world["record"].pk)]

    def test_photo_event_carries_the_stated_purpose(self, people, world):
        client = login(Client(), people["leader"])
        consult(client, world["person"], "核实身份")
        mark = head()
        assert client.get(f"/subjects/{world['person'].pk}/photo/").status_code == 200
        (event,) = reads_after(mark)
        assert event.purpose == "核实身份" and event.details["fields"] == ["photo"]

    def test_photo_without_purpose_is_refused_and_logs_no_read(self, people, world):
        client = login(Client(), people["leader"])
        mark = head()
        assert client.get(f"/subjects/{world['person'].pk}/photo/").status_code == 403
        assert reads_after(mark) == []

    def test_thumbnail_is_marked(self, people, world):
        client = login(Client(), people["leader"])
        mark = head()
        client.get(f"/attachments/{world['attachment'].pk}/")
        client.get(f"/attachments/{world['attachment'].pk}/thumb/")
        full, thumb = reads_after(mark)
        assert full.details["thumbnail"] is False and thumb.details["thumbnail"] is True
        assert full.details["records"]["ids"] == [str(world["record"].pk)]


@pytest.mark.django_db
class TestOutOfScope:
    @pytest.mark.parametrize(
        "url",
        [
            "/analysis/assessments/{assessment}/",
            "/reports/feedback/{feedback}/",
            "/reports/urgent/{urgent}/",
            "/subjects/{person}/photo/",
            "/attachments/{attachment}/",
            "/attachments/{attachment}/thumb/",
        ],
    )
    def test_detail_is_404_and_logs_no_read(self, people, world, url):
        client = login(Client(), people["outsider"])
        mark = head()
        response = client.get(_url(url, world))
        assert response.status_code == 404
        assert reads_after(mark) == []
        assert "赵建国" not in response.content.decode("utf-8", "replace")

    @pytest.mark.parametrize(
        ("who", "url"),
        [
            ("outside_leader", "/analysis/dashboard/"),
            ("outside_leader", "/analysis/warnings/"),
            ("outside_leader", "/tasks/?queue=station"),
            ("outside_leader", "/tasks/board/"),
            ("outside_leader", "/reports/"),
        ],
    )
    def test_lists_of_another_station_show_and_log_none_of_ours(self, people, world, who, url):
        client = login(Client(), people[who])
        mark = head()
        response = client.get(url)
        assert response.status_code == 200
        assert "赵建国" not in response.content.decode()
        (event,) = reads_after(mark)
        assert event.details["ids"] == [] and event.details["count"] == 0
        ours = {str(world[k].pk) for k in ("person", "task", "warning", "urgent")}
        for value in event.details.values():
            if isinstance(value, dict) and "ids" in value:
                assert not set(value["ids"]) & ours, (url, value)


@pytest.mark.django_db
def test_a_dashboard_that_cannot_be_logged_is_not_shown(people, world, monkeypatch):
    """L4: the event cannot be written, so the page fails and shows nothing."""

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(reads, "record_event", broken)
    client = login(Client(), people["leader"])
    client.raise_request_exception = False
    for url in ("/analysis/dashboard/", "/analysis/warnings/", "/tasks/?queue=station"):
        response = client.get(url)
        assert response.status_code == 500, url
        assert "赵建国" not in response.content.decode(), url


@pytest.mark.django_db
def test_audit_log_viewing_is_itself_logged(org, make_user):
    """L1 'access to the audit log itself': one audit.view event per page, with the filters."""
    auditor = make_user(Role.AUDIT_ADMIN, org["bureau"], real_name="审计员")
    client = login(Client(), auditor)
    mark = head()
    assert client.get("/audit/", {"action": "auth.login"}).status_code == 200
    viewed = list(AuditEvent.objects.filter(seq__gt=mark))
    assert [e.action for e in viewed] == ["audit.view"]
    assert viewed[0].details["filters"] == {"action": "auth.login"}
    assert viewed[0].actor_id == auditor.pk


@pytest.mark.django_db
def test_officer_is_refused_the_audit_log_and_it_is_not_logged_as_viewed(people):
    client = login(Client(), people["officer"])
    mark = head()
    assert client.get("/audit/").status_code == 403
    assert not AuditEvent.objects.filter(seq__gt=mark, action="audit.view").exists()
