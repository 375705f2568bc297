"""Feedback reports: submitted to the leaders, read receipts, the leader's instruction (批示)
and the tasks that follow from it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from casebook.tracking.choices import Origin, Priority, Stage
from casebook.tracking.notify import notify
from casebook.tracking.services import task_create

from ..choices import (
    FeedbackStatus,
)
from ..models import FeedbackReceipt, FeedbackReport
from ._common import _text, station_leaders

#: Roles that may receive a feedback report besides the station's leaders.
FEEDBACK_ROLES = (Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ANALYST)


def feedback_recipient_choices(task):
    """Who a feedback report on ``task`` may go to: leaders and analysts of its station and
    leaders and supervisors of the bureau."""
    bureau = task.station.bureau
    return (
        User.objects.filter(is_active=True, roles__role__in=FEEDBACK_ROLES)
        .filter(unit__in=[task.station, *([bureau] if bureau else [])])
        .distinct()
        .order_by("unit__kind", "username")
    )


@transaction.atomic
def feedback_submit(
    *,
    actor,
    task,
    summary: str,
    findings: str,
    recommendations: str,
    departments: str = "",
    partners=(),
    recipients=(),
    assessments=(),
) -> FeedbackReport:
    """Report the analysis of ``task`` to the station leaders (always) and the chosen others."""
    if not policy.can(actor, Action.TASK_WORK, task):
        raise PermissionDenied
    errors = {}
    if task.stage not in (Stage.ANALYSING, Stage.FEEDBACK):
        raise ValidationError(_("Feedback is reported once the task is at the analysis stage."))
    for name, value, message in (
        ("summary", summary, _("Summarise the result.")),
        ("findings", findings, _("State what was found.")),
        ("recommendations", recommendations, _("Recommend what should be done.")),
    ):
        if len(_text(value)) < 2:
            errors[name] = [message]
    allowed = set(feedback_recipient_choices(task).values_list("pk", flat=True))
    chosen = {u.pk for u in recipients}
    if chosen - allowed:
        errors["recipients"] = [_("Some recipients cannot receive this report.")]
    task_assessments = set(task.assessments.values_list("pk", flat=True))
    assessments = list(assessments)
    if any(a.pk not in task_assessments for a in assessments):
        errors["assessments"] = [_("Choose assessments made for this task.")]
    partners = list(partners)
    if any(not p.is_active or p.bureau_id != task.station.parent_id for p in partners):
        errors["partners"] = [_("Choose departments of the bureau's register.")]
    people = {u.pk: u for u in [*station_leaders(task.station), *recipients]}
    people.pop(actor.pk, None)
    if not people and "recipients" not in errors:
        errors["recipients"] = [_("The station has no leader to report to: choose a recipient.")]
    if errors:
        raise ValidationError(errors)
    report = FeedbackReport.objects.create(
        task=task,
        station=task.station,
        author=actor,
        summary=_text(summary),
        findings=_text(findings),
        recommendations=_text(recommendations),
        departments=_text(departments)[:200],
    )
    report.assessments.set(assessments)
    report.partners.set(partners)
    FeedbackReceipt.objects.bulk_create(
        [FeedbackReceipt(report=report, user=u) for u in people.values()]
    )
    record_event(
        actor=actor,
        action="feedback.submit",
        obj=report,
        recipients="、".join(u.real_name for u in people.values())[:300],
        details={
            "task": task.pk,
            "assessments": [a.pk for a in assessments],
            "partners": [p.pk for p in partners],
        },
    )
    notify(
        people.values(),
        _("Feedback report on “%(title)s” from %(name)s awaits your instruction.")
        % {"title": task.title, "name": actor.real_name},
        url=report.get_absolute_url(),
        task=task,
        kind="feedback",
    )
    return report


@transaction.atomic
def feedback_read(*, actor, report: FeedbackReport) -> bool:
    """Record the first reading of a recipient (the read receipt). True when it was the first."""
    updated = FeedbackReceipt.objects.filter(
        report=report, user=actor, read_at__isnull=True
    ).update(read_at=timezone.now())
    if updated:
        record_event(actor=actor, action="feedback.read", obj=report)
    return bool(updated)


def can_acknowledge_feedback(user, report: FeedbackReport) -> bool:
    return policy.can(user, Action.TASK_ASSIGN, report.task) and user.pk != report.author_id


@transaction.atomic
def feedback_acknowledge(*, actor, report: FeedbackReport, instruction: str) -> FeedbackReport:
    """The leader's instruction (批示) on the report; acknowledging lets the task be archived."""
    report = FeedbackReport.objects.select_for_update().get(pk=report.pk)
    if not can_acknowledge_feedback(actor, report):
        raise PermissionDenied
    if report.status != FeedbackStatus.SUBMITTED:
        raise ValidationError(_("This report has already been acknowledged."))
    if len(_text(instruction)) < 1:
        raise ValidationError({"instruction": [_("Write your instruction (批示).")]})
    now = timezone.now()
    report.status = FeedbackStatus.ACKNOWLEDGED
    report.acknowledged_by, report.acknowledged_at = actor, now
    report.instruction = _text(instruction)
    report.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "instruction"])
    FeedbackReceipt.objects.filter(report=report, user=actor, read_at__isnull=True).update(
        read_at=now
    )
    record_event(
        actor=actor,
        action="feedback.acknowledge",
        obj=report,
        details={"instruction": report.instruction[:300]},
    )
    notify(
        [report.author, report.task.lead],
        _("%(name)s gave an instruction on your feedback report “%(title)s”.")
        % {"name": actor.real_name, "title": report.task.title},
        url=report.get_absolute_url(),
        task=report.task,
        kind="feedback",
    )
    return report


@transaction.atomic
def feedback_instruction_task(
    *, actor, report: FeedbackReport, title: str, lead, priority: str = Priority.NORMAL
):
    """Turn the leader's instruction into a new tracking task on the same subjects."""

    if report.status != FeedbackStatus.ACKNOWLEDGED:
        raise ValidationError(_("Acknowledge the report with an instruction first."))
    task = task_create(
        actor=actor,
        title=title,
        station=report.station,
        lead=lead,
        subjects=report.task.subjects.all(),
        origin=Origin.SUPERIOR,
        priority=priority,
        instructions=_("Leader's instruction on feedback report #%(pk)s: %(text)s")
        % {"pk": report.pk, "text": report.instruction},
    )
    report.follow_ups.add(task)
    record_event(
        actor=actor, action="feedback.instruction_task", obj=report, details={"task": task.pk}
    )
    return task


def acknowledged_feedback(task) -> bool:
    """A leader acknowledged a feedback report submitted since the task was last sent back (a
    task sent back for more work needs a new report)."""

    reports = task.feedback_reports.filter(status=FeedbackStatus.ACKNOWLEDGED)
    sent_back = (
        AuditEvent.objects.filter(
            object_type="tracking.task", object_id=str(task.pk), action="task.return"
        )
        .order_by("-seq")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if sent_back is not None:
        reports = reports.filter(submitted_at__gt=sent_back)
    return reports.exists()
