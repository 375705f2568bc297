"""Self-summaries (五(二)4): the pre-filled figures equal a hand count over fixed data; a period
not yet ended or already closed is refused with nothing written; the leader comments; an
officer cannot read another officer's summary; overdue summaries are reminded once."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.intel.services import record_verify
from casebook.reports.models import FeedbackReport, UrgentReport
from casebook.reports.services.urgent import urgent_report_create
from casebook.staff import supervision_selectors as sel
from casebook.staff import supervision_services as svc
from casebook.staff.supervision_models import SummaryReminder, SummarySetting, WorkSummary
from casebook.testing.factories import PersonFactory, RecordFactory, TaskFactory
from casebook.tracking.choices import Stage
from casebook.tracking.models import Notification, TaskDeadline
from conftest import login

pytestmark = pytest.mark.django_db


def at(text: str):
    return time_machine.travel(datetime.fromisoformat(text + "+08:00"), tick=False)


@pytest.fixture
def october(crew):
    """Fixed work of 王民警 (officer) around October 2026, with what a hand count gives."""
    officer, leader = crew["officer"], crew["leader"]
    with at("2026-09-20T10:00:00"):
        person = PersonFactory(actor=leader, officers=[officer, crew["colleague"]])
        RecordFactory(actor=officer, subjects=[person])  # September: not counted
        old_task = TaskFactory(actor=leader, subjects=[person], lead=officer)  # open in October
    with at("2026-10-05T10:00:00"):
        task = TaskFactory(actor=leader, subjects=[person], lead=officer)
        TaskFactory(actor=leader, subjects=[person], lead=crew["colleague"])  # not theirs
        r1 = RecordFactory(actor=officer, subjects=[person])
        r2 = RecordFactory(actor=officer, subjects=[person], method="field_visit")
        RecordFactory(actor=officer, subjects=[person], method="field_visit")
        RecordFactory(actor=crew["colleague"], subjects=[person])  # not theirs
        urgent_report_create(actor=officer, text="现场发现聚集苗头", subject=person)
    with at("2026-10-06T10:00:00"):
        record_verify(actor=leader, record=r1, status="verified", note="电话核实")
        record_verify(actor=leader, record=r2, status="refuted", note="现场核实不符")
    # two feedback reports in October: one by the task's feedback deadline, one after it
    TaskDeadline.objects.filter(task=task, stage=Stage.FEEDBACK).update(
        due_at=datetime.fromisoformat("2026-10-20T18:00:00+08:00")
    )
    TaskDeadline.objects.filter(task=old_task, stage=Stage.FEEDBACK).update(
        due_at=datetime.fromisoformat("2026-10-10T18:00:00+08:00")
    )
    for t, when in ((task, "2026-10-15T09:00:00"), (old_task, "2026-10-12T09:00:00")):
        FeedbackReport.objects.create(  # the figures read them; their workflow is not tested here
            task=t,
            station=t.station,
            author=officer,
            summary="s",
            findings="f",
            recommendations="r",
            submitted_at=datetime.fromisoformat(when + "+08:00"),
        )
    with at("2026-11-02T10:00:00"):
        TaskFactory(actor=leader, subjects=[person], lead=officer)  # November: not counted
        RecordFactory(actor=officer, subjects=[person])
    return {"person": person}


def test_prefill_equals_the_hand_count(crew, october):
    period = sel.period_of(date(2026, 10, 1), "monthly")
    assert (period.start, period.end) == (date(2026, 10, 1), date(2026, 10, 31))
    figures = sel.period_figures(crew["officer"], period)
    assert figures["tasks_total"] == 2  # the September task still open, the October one
    assert figures["tasks_by_stage"][Stage.ASSIGNED] == 2
    assert figures["records"] == 3
    assert figures["records_by_verification"] == {
        "unverified": 1,
        "corroborated": 0,
        "verified": 1,
        "refuted": 1,
    }
    assert figures["visits"] == 2
    assert figures["feedback"] == 2
    assert figures["feedback_on_time"] == 1
    assert figures["feedback_late"] == 1
    assert figures["urgent_reports"] == UrgentReport.objects.filter(author=crew["officer"]).count()
    assert figures["urgent_reports"] == 1


def test_submitted_summary_keeps_the_figures_of_its_period(crew, october):
    with at("2026-11-03T09:00:00"):
        summary = svc.summary_submit(
            actor=crew["officer"],
            period_start=date(2026, 10, 1),
            text="本月走访两次，反馈一次超时。",
        )
    expected = sel.period_figures(crew["officer"], sel.period_of(date(2026, 10, 1), "monthly"))
    assert summary.figures == expected
    assert summary.station == crew["officer"].unit
    assert AuditEvent.objects.filter(action="summary.submit", object_id=str(summary.pk)).exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (date(2026, 11, 1), "has not ended yet"),  # the current period
        (date(2026, 12, 1), "has not ended yet"),  # a future one
        (date(2026, 9, 1), "is closed"),  # before the last complete period
        (date(2026, 10, 2), "first day of the period"),
    ],
)
def test_a_period_not_open_is_refused_and_nothing_written(crew, start, message):
    with (
        at("2026-11-03T09:00:00"),
        translation.override("en"),
        pytest.raises(ValidationError) as err,
    ):
        svc.summary_submit(actor=crew["officer"], period_start=start, text="总结")
    assert message in str(err.value)
    assert not WorkSummary.objects.exists()


def test_a_period_is_summarised_once_and_text_is_required(crew):
    with at("2026-11-03T09:00:00"), translation.override("en"):
        with pytest.raises(ValidationError, match="Write your summary"):
            svc.summary_submit(actor=crew["officer"], period_start=date(2026, 10, 1), text="  ")
        assert not WorkSummary.objects.exists()
        svc.summary_submit(actor=crew["officer"], period_start=date(2026, 10, 1), text="总结")
        with pytest.raises(ValidationError, match="already submitted"):
            svc.summary_submit(actor=crew["officer"], period_start=date(2026, 10, 1), text="再次")
    assert WorkSummary.objects.count() == 1


def test_quarterly_cadence_of_the_bureau(crew):
    svc.summary_cadence_set(actor=crew["bureau"], cadence="quarterly")
    assert SummarySetting.objects.get().cadence == "quarterly"
    with pytest.raises(PermissionDenied):
        svc.summary_cadence_set(actor=crew["leader"], cadence="monthly")
    with at("2026-11-03T09:00:00"), translation.override("en"):
        with pytest.raises(ValidationError, match="first day"):
            svc.summary_submit(actor=crew["officer"], period_start=date(2026, 8, 1), text="x")
        summary = svc.summary_submit(
            actor=crew["officer"], period_start=date(2026, 7, 1), text="第三季度总结"
        )
    assert (summary.period_end, summary.cadence) == (date(2026, 9, 30), "quarterly")


def test_leader_comments_and_officer_is_notified(crew):
    with at("2026-11-03T09:00:00"):
        summary = svc.summary_submit(
            actor=crew["officer"], period_start=date(2026, 10, 1), text="总结"
        )
    with pytest.raises(PermissionDenied):
        svc.summary_comment(actor=crew["other_leader"], summary=summary, comment="越权")
    with pytest.raises(PermissionDenied):
        svc.summary_comment(actor=crew["colleague"], summary=summary, comment="越权")
    svc.summary_comment(actor=crew["leader"], summary=summary, comment="走访扎实，反馈需及时。")
    summary.refresh_from_db()
    assert summary.status == "reviewed" and summary.reviewed_by == crew["leader"]
    assert Notification.objects.filter(user=crew["officer"], kind="summary").exists()


def test_scope_of_summaries(crew, client_for, org):
    with at("2026-11-03T09:00:00"):
        summary = svc.summary_submit(
            actor=crew["officer"], period_start=date(2026, 10, 1), text="本人总结正文"
        )
    visible = {
        key: sel.visible_summaries(crew[key]).filter(pk=summary.pk).exists()
        for key in ("officer", "colleague", "leader", "other_leader", "bureau", "supervisor")
    }
    assert visible == {
        "officer": True,
        "colleague": False,
        "leader": True,
        "other_leader": False,
        "bureau": True,
        "supervisor": True,
    }
    other_client, _user = client_for(Role.SUPERVISOR, org["other_bureau"])
    assert other_client.get(f"/staff/summaries/{summary.pk}/").status_code == 404
    colleague = login(Client(), crew["colleague"])
    response = colleague.get(f"/staff/summaries/{summary.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "本人总结正文" not in response.content.decode()
    leader = login(Client(), crew["leader"])
    response = leader.get(f"/staff/summaries/{summary.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "本人总结正文" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="read.work_summary", actor_id=crew["leader"].pk, object_id=str(summary.pk)
    ).exists()


def test_summary_page_prefills_and_submits(crew):
    client = login(Client(), crew["officer"])
    with at("2026-11-03T09:00:00"):
        page = client.get("/staff/summaries/new/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert 'value="2026-10-01"' in page.content.decode()
        bad = client.post(
            "/staff/summaries/new/",
            {"period_start": "2026-11-01", "text": "x"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert bad.status_code == 200 and "has not ended yet" in bad.content.decode()
        assert not WorkSummary.objects.exists()
        done = client.post(
            "/staff/summaries/new/",
            {"period_start": "2026-10-01", "text": "十月总结"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert done.status_code == 302
    assert WorkSummary.objects.get().text == "十月总结"


def test_overdue_summaries_are_reminded_once(crew):
    with at("2026-11-03T09:00:00"):
        svc.summary_submit(actor=crew["colleague"], period_start=date(2026, 10, 1), text="总结")
        assert svc.remind_overdue_summaries() == 0  # not yet due (7 days after the period)
    with at("2026-11-09T09:00:00"):
        reminded = svc.remind_overdue_summaries()
        again = svc.remind_overdue_summaries()
    assert again == 0
    officers = set(SummaryReminder.objects.values_list("officer_id", flat=True))
    assert crew["officer"].pk in officers and crew["colleague"].pk not in officers
    assert reminded == len(officers)
    assert Notification.objects.filter(user=crew["officer"], kind="summary").count() == 1
    assert Notification.objects.filter(user=crew["leader"], kind="summary").exists()
    assert timedelta(days=sel.SUMMARY_DUE_DAYS) == timedelta(days=7)
