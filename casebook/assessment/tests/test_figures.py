"""Each figure equals a hand count over fixed data."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.analysis.models import RiskAssessment
from casebook.assessment import figures
from casebook.assessment.models import FigureSnapshot
from casebook.assessment.periods import Quarter
from casebook.assessment.services import recompute_figures
from casebook.audit.services import record_event
from casebook.intel.models import ChecklistResult, InformationRecord
from casebook.reports.models import UrgentReport
from casebook.subjects.models import ChecklistItem
from casebook.testing.factories import RecordFactory, TaskFactory
from casebook.tracking.models import TaskDeadline

Q4 = Quarter(2026, 4)
NOW = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
IN_Q = timezone.make_aware(datetime(2026, 11, 5, 9, 0))

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(officer, subject, **fields):
    record = RecordFactory(actor=officer, subjects=[subject])
    InformationRecord.objects.filter(pk=record.pk).update(recorded_at=IN_Q, **fields)
    return record


def test_accuracy_hand_count(crew, subject, org):
    officer, colleague = crew["officer"], crew["colleague"]
    for state in ("verified", "corroborated", "refuted", "unverified", "verified"):
        _record(officer, subject, verification=state)
    _record(colleague, subject, verification="refuted")
    old = _record(officer, subject, verification="refuted")
    InformationRecord.objects.filter(pk=old.pk).update(recorded_at=IN_Q - timedelta(days=90))

    values = figures.compute(Q4, [org["a"].pk], NOW)
    a = org["a"].pk
    assert values[(a, officer.pk, "accuracy")] == (3, 4)  # 3 verified/corroborated of 4 settled
    assert values[(a, colleague.pk, "accuracy")] == (0, 1)
    assert values[(a, None, "accuracy")] == (3, 5)
    rows = figures.rows_for("accuracy", Q4, station_id=a, officer_id=officer.pk)
    assert rows.count() == 4 and rows.filter(counted=True).count() == 3


def test_record_completeness_hand_count(crew, subject, org):
    officer = crew["officer"]
    _record(officer, subject, address="解放路1号")  # complete
    _record(officer, subject, address="")  # no place
    visit = _record(officer, subject, address="解放路2号", method="field_visit")  # no checklist
    good_visit = _record(officer, subject, address="解放路3号", method="field_visit")
    bad_visit = _record(officer, subject, address="解放路4号", method="field_visit")
    item = ChecklistItem.objects.create(
        category=subject.category, section="消防", text="消防通道", text_en="Fire exits"
    )
    ChecklistResult.objects.create(
        record=good_visit, item=item, result="fail", finding="消防通道堵塞"
    )
    ChecklistResult.objects.create(record=bad_visit, item=item, result="fail", finding="")
    assert visit.pk
    values = figures.compute(Q4, [org["a"].pk], NOW)
    assert values[(org["a"].pk, officer.pk, "record_complete")] == (2, 5)


def test_deadlines_met_from_the_audit_trail(crew, subject, org):
    officer = crew["officer"]
    task = TaskFactory(subjects=[subject], lead=officer)
    TaskDeadline.objects.filter(task=task).delete()
    due1 = IN_Q
    due2 = IN_Q + timedelta(days=5)
    TaskDeadline.objects.create(task=task, stage="assigned", due_at=due1)
    TaskDeadline.objects.create(task=task, stage="collecting", due_at=due2)
    TaskDeadline.objects.create(task=task, stage="analysing", due_at=NOW + timedelta(days=3))
    with time_machine.travel(due1 - timedelta(hours=1), tick=False):  # left "assigned" in time
        record_event(
            actor=officer,
            action="task.transition",
            obj=task,
            details={"from": "assigned", "to": "collecting"},
        )
    with time_machine.travel(due2 + timedelta(hours=1), tick=False):  # left "collecting" late
        record_event(
            actor=officer,
            action="task.transition",
            obj=task,
            details={"from": "collecting", "to": "organising"},
        )
    values = figures.compute(Q4, [org["a"].pk], NOW)
    # the analysing deadline lies in the future: not yet counted
    assert values[(org["a"].pk, officer.pk, "deadlines_met")] == (1, 2)


def test_analysis_confirmed_and_overrides(crew, subject, org):
    analyst = crew["officer"]
    common = {
        "subject": subject,
        "assessor": analyst,
        "score": 10,
        "explanation": "x",
        "status": "approved",
    }
    first = RiskAssessment.objects.create(level=1, suggested_level=1, **common)
    second = RiskAssessment.objects.create(level=1, suggested_level=2, override_reason="", **common)
    third = RiskAssessment.objects.create(
        level=3, suggested_level=2, override_reason="已发生威胁行为", **common
    )
    for n, a in enumerate((first, second, third)):
        RiskAssessment.objects.filter(pk=a.pk).update(assessed_at=IN_Q + timedelta(days=n))
    values = figures.compute(Q4, [org["a"].pk], NOW)
    a = org["a"].pk
    # first → kept by second (confirmed); second → revised by third; third has no follow-up
    assert values[(a, analyst.pk, "analysis_confirmed")] == (1, 2)
    assert values[(a, analyst.pk, "overrides_reasoned")] == (1, 2)


def test_urgent_acknowledged_within_window(crew, subject, org):
    officer, leader = crew["officer"], crew["leader"]
    common = {"station": org["a"], "author": officer, "text": "情况紧急", "created_at": IN_Q}
    UrgentReport.objects.create(
        ack_due_at=IN_Q + timedelta(minutes=15),
        acknowledged_by=leader,
        acknowledged_at=IN_Q + timedelta(minutes=5),
        status="acknowledged",
        **common,
    )
    UrgentReport.objects.create(
        ack_due_at=IN_Q + timedelta(minutes=15),
        acknowledged_by=leader,
        acknowledged_at=IN_Q + timedelta(minutes=50),
        status="acknowledged",
        **common,
    )
    UrgentReport.objects.create(ack_due_at=IN_Q + timedelta(minutes=15), **common)  # never
    values = figures.compute(Q4, [org["a"].pk], NOW)
    assert values[(org["a"].pk, officer.pk, "urgent_acknowledged")] == (1, 3)


def test_snapshots_written_by_the_job_and_replaced(crew, subject, org):
    _record(crew["officer"], subject, verification="verified")
    recompute_figures([Q4], [org["a"].pk])
    recompute_figures([Q4], [org["a"].pk])  # recomputing replaces, never doubles
    snap = FigureSnapshot.objects.get(period="2026Q4", officer=crew["officer"], code="accuracy")
    assert (snap.numerator, snap.denominator) == (1, 1)
    assert FigureSnapshot.objects.filter(period="2026Q4", code="accuracy").count() == 2


STATES = st.sampled_from(["verified", "corroborated", "refuted", "unverified"])


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.booleans(), STATES), max_size=6))
def test_accuracy_matches_any_mix(crew, subject, org, rows):
    InformationRecord.objects.all().delete()
    people = {True: crew["officer"], False: crew["colleague"]}
    for who, state in rows:
        _record(people[who], subject, verification=state)
    values = figures.compute(Q4, [org["a"].pk], NOW)
    for who, officer in people.items():
        mine = [s for w, s in rows if w == who and s != "unverified"]
        expected = (sum(s != "refuted" for s in mine), len(mine))
        assert values.get((org["a"].pk, officer.pk, "accuracy"), (0, 0)) == expected
