"""manage.py load_demo from casebook.site: the modules' demo steps run in layer order, and the
tasks that tracking creates are walked through the later stages by intel, analysis and reports
(tracking imports none of them), each reaching the stage planned for it; a second run adds
nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casebook.analysis.models import RiskAssessment
from casebook.intel.choices import Verification
from casebook.intel.models import InformationRecord
from casebook.reports.choices import FeedbackStatus
from casebook.reports.models import FeedbackReport
from casebook.tracking.choices import STAGES, Stage
from casebook.tracking.demo import DEMO_ORIGINS, planned_stage
from casebook.tracking.models import Task


def _beyond(task, stage) -> bool:
    return STAGES.index(task.stage) > STAGES.index(stage)


def _counts() -> dict:
    return {
        "tasks": Task.objects.count(),
        "records": InformationRecord.objects.count(),
        "assessments": RiskAssessment.objects.count(),
        "feedback": FeedbackReport.objects.count(),
    }


@pytest.mark.django_db
def test_demo_tasks_reach_every_stage_through_the_modules_above_tracking():
    out = io.StringIO()
    call_command("load_demo", "--quiet-logins", stdout=out)
    tasks = list(Task.objects.filter(origin__in=DEMO_ORIGINS).order_by("pk"))
    assert len(tasks) > 20
    assert {t.stage for t in tasks} == set(Stage.values)  # every stage has a task to show
    for task in tasks:
        assert task.stage == planned_stage(task), task.pk
        records = InformationRecord.objects.filter(task=task)
        if _beyond(task, Stage.COLLECTING):  # intel's step: a verified record of the lead
            assert records.filter(verification=Verification.VERIFIED, created_by=task.lead).exists()
        else:
            assert not records.exists()
        assert task.assessments.exists() == _beyond(task, Stage.ANALYSING)  # analysis' step
        feedback = task.feedback_reports.first()
        assert (feedback is not None) == (task.stage in (Stage.FEEDBACK, Stage.ARCHIVED))
        if task.stage == Stage.ARCHIVED:  # reports' step: acknowledged, then archived
            assert feedback.status == FeedbackStatus.ACKNOWLEDGED
    assigned = [t for t in tasks if t.stage == Stage.ASSIGNED]
    # accepting (签收) starts the collection, so a task still assigned is not accepted yet
    assert assigned and {t.accepted_at is None for t in assigned} == {True}
    assert "Demo tasks fed back" in out.getvalue()

    before = _counts()
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert _counts() == before
    assert [t.stage for t in Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by("pk")] == [
        t.stage for t in tasks
    ]


@pytest.mark.django_db
def test_load_demo_is_refused_in_production_and_writes_nothing(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert _counts() == {"tasks": 0, "records": 0, "assessments": 0, "feedback": 0}
