"""Feedback reports (结果反馈): from a task's analysis to the station's leaders, with read
receipts, the leader's instruction (批示) that can become tasks, and the archive guard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from casebook.audit.models import AuditEvent
from casebook.reports import services
from casebook.reports.models import FeedbackReport
from casebook.tracking import services as tracking
from casebook.tracking.choices import Stage
from casebook.tracking.models import Notification, Task
from conftest import login


def submit(task, actor, **extra):
    return services.feedback_submit(
        actor=actor,
        task=task,
        summary=extra.pop("summary", "对象近期情况稳定"),
        findings=extra.pop("findings", "走访两次，未见异常往来"),
        recommendations=extra.pop("recommendations", "维持现有管控，按期走访"),
        **extra,
    )


@pytest.mark.django_db
class TestSubmit:
    def test_goes_to_station_leaders_with_receipts_notice_and_audit(self, analysing_task, crew):
        report = submit(
            analysing_task,
            crew["officer"],
            recipients=[crew["bureau"]],
            assessments=analysing_task.assessments.all(),
            departments="治安大队",
        )
        receivers = set(report.receipts.values_list("user__real_name", flat=True))
        assert receivers == {"李所长", "局长"}
        assert not report.receipts.filter(read_at__isnull=False).exists()
        assert report.assessments.count() == 1
        assert Notification.objects.filter(user=crew["leader"], url=report.get_absolute_url())
        event = AuditEvent.objects.get(action="feedback.submit", object_id=str(report.pk))
        assert "李所长" in event.recipients and event.actor_id == crew["officer"].pk

    def test_someone_not_working_the_task_is_refused(self, analysing_task, crew):
        with pytest.raises(PermissionDenied):
            submit(analysing_task, crew["other_officer"])
        with pytest.raises(PermissionDenied):
            submit(analysing_task, crew["analyst"])
        assert not FeedbackReport.objects.exists()

    def test_before_the_analysis_stage_is_refused(self, analysing_task, crew):
        task = tracking.task_return(actor=crew["officer"], task=analysing_task, reason="补充核实")
        assert task.stage == Stage.ORGANISING
        with pytest.raises(ValidationError):
            submit(task, crew["officer"])
        assert not FeedbackReport.objects.exists()

    def test_empty_fields_and_foreign_recipients_name_the_fields(self, analysing_task, crew):
        with pytest.raises(ValidationError) as exc:
            submit(
                analysing_task,
                crew["officer"],
                summary=" ",
                recommendations="",
                recipients=[crew["other_leader"]],
            )
        assert set(exc.value.error_dict) == {"summary", "recommendations", "recipients"}
        assert not FeedbackReport.objects.exists()


@pytest.mark.django_db
class TestLeader:
    def test_read_receipt_on_first_opening_by_a_recipient_only(self, analysing_task, crew):
        report = submit(analysing_task, crew["officer"])
        officer = login(Client(), crew["officer"])
        page = officer.get(report.get_absolute_url())
        assert "对象近期情况稳定" in page.content.decode()
        receipt = report.receipts.get(user=crew["leader"])
        assert receipt.read_at is None  # the author opening it is no receipt
        leader = login(Client(), crew["leader"])
        page = leader.get(report.get_absolute_url())
        receipt.refresh_from_db()
        assert receipt.read_at is not None
        assert 'data-testid="ack-form"' in page.content.decode()
        leader.get(report.get_absolute_url())
        assert AuditEvent.objects.filter(action="feedback.read").count() == 1

    def test_awaiting_reports_on_the_leaders_home_page(self, analysing_task, crew):
        report = submit(analysing_task, crew["officer"])
        home = login(Client(), crew["leader"]).get("/").content.decode()
        assert 'data-testid="home-feedback"' in home and report.get_absolute_url() in home
        services.feedback_acknowledge(actor=crew["leader"], report=report, instruction="阅")
        home = login(Client(), crew["leader"]).get("/").content.decode()
        assert 'data-testid="home-feedback"' not in home

    def test_outsider_gets_404_and_no_data(self, analysing_task, crew):
        report = submit(analysing_task, crew["officer"])
        other = login(Client(), crew["other_officer"])
        page = other.get(report.get_absolute_url())
        assert page.status_code == 404
        assert "对象近期情况稳定" not in page.content.decode()
        assert other.post(f"/reports/feedback/{report.pk}/acknowledge/").status_code == 404

    def test_instruction_acknowledges_and_tells_the_officer(self, analysing_task, crew):
        report = submit(analysing_task, crew["officer"])
        leader = login(Client(), crew["leader"])
        response = leader.post(
            f"/reports/feedback/{report.pk}/acknowledge/",
            {"instruction": "同意，继续落实稳控措施"},
            follow=True,
        )
        report.refresh_from_db()
        assert report.status == "acknowledged" and report.acknowledged_by == crew["leader"]
        assert report.instruction == "同意，继续落实稳控措施"
        assert "同意，继续落实稳控措施" in response.content.decode()
        assert Notification.objects.filter(user=crew["officer"], url=report.get_absolute_url())
        with pytest.raises(ValidationError):
            services.feedback_acknowledge(actor=crew["leader"], report=report, instruction="再批")

    def test_author_and_empty_instruction_are_refused(self, analysing_task, crew):
        report = submit(analysing_task, crew["officer"])
        with pytest.raises(PermissionDenied):
            services.feedback_acknowledge(actor=crew["officer"], report=report, instruction="好")
        with pytest.raises(ValidationError):
            services.feedback_acknowledge(actor=crew["leader"], report=report, instruction=" ")
        report.refresh_from_db()
        assert report.status == "submitted"

    def test_instruction_becomes_a_task_on_the_same_subjects(self, analysing_task, crew, person):
        report = submit(analysing_task, crew["officer"])
        services.feedback_acknowledge(
            actor=crew["leader"], report=report, instruction="一周内再走访一次"
        )
        leader = login(Client(), crew["leader"])
        leader.post(
            f"/reports/feedback/{report.pk}/task/",
            {"title": "落实批示：再走访", "lead": crew["officer"].pk, "priority": "high"},
        )
        task = Task.objects.get(title="落实批示：再走访")
        assert list(task.subjects.all()) == [person]
        assert task.priority == "high" and "一周内再走访一次" in task.instructions
        assert list(report.follow_ups.all()) == [task]


@pytest.mark.django_db
class TestArchiveGuard:
    def test_no_archive_before_an_acknowledged_report(self, analysing_task, crew):
        task = tracking.task_advance(
            actor=crew["officer"], task=analysing_task, to_stage=Stage.FEEDBACK
        )
        with pytest.raises(ValidationError) as exc:
            tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        assert "feedback" in str(exc.value).lower() or "反馈" in str(exc.value)
        report = submit(task, crew["officer"])
        with pytest.raises(ValidationError):  # submitted is not enough
            tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        services.feedback_acknowledge(actor=crew["leader"], report=report, instruction="同意归档")
        task = tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        assert task.stage == Stage.ARCHIVED

    def test_a_task_sent_back_needs_a_new_report(self, analysing_task, crew):
        task = tracking.task_advance(
            actor=crew["officer"], task=analysing_task, to_stage=Stage.FEEDBACK
        )
        old = submit(task, crew["officer"])
        services.feedback_acknowledge(actor=crew["leader"], report=old, instruction="同意")
        task = tracking.task_return(actor=crew["officer"], task=task, reason="补充研判")
        task = tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.FEEDBACK)
        with pytest.raises(ValidationError):  # the old acknowledgement no longer counts
            tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        new = submit(task, crew["officer"], summary="补充研判后情况稳定")
        services.feedback_acknowledge(actor=crew["leader"], report=new, instruction="同意归档")
        task = tracking.task_advance(actor=crew["officer"], task=task, to_stage=Stage.ARCHIVED)
        assert task.stage == Stage.ARCHIVED
