"""Field visits to persons and inspections of places with their checklists; a failed point
becomes a rectification order with a follow-up task."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.subjects.choices import Kind
from casebook.tracking.choices import Origin, Priority, Stage
from casebook.tracking.services import _spread, task_create

from ..choices import (
    Channel,
    InfoAssessment,
    ItemResult,
    Method,
    RectificationStatus,
    SourceEvaluation,
)
from ..models import (
    ChecklistResult,
    InformationRecord,
    Rectification,
)
from .records import record_create

RECTIFY_DAYS = 15


@transaction.atomic
def field_visit(
    *,
    actor,
    subject,
    occurred_at: datetime,
    findings: str,
    present: str = "",
    condition: str = "",
    checklist: dict | None = None,
    task=None,
    rectify_days: int = RECTIFY_DAYS,
) -> InformationRecord:
    """A visit to a person or an inspection of a place. For places every active checklist
    point needs a result; a failed point creates a rectification order and a follow-up task."""

    checklist = checklist or {}
    errors = {}
    items = (
        list(subject.category.checklist.filter(is_active=True))
        if subject.kind == Kind.PLACE
        else []
    )
    for item in items:
        result, finding = checklist.get(item.pk, (None, ""))
        if result not in ItemResult.values:
            errors[f"item_{item.pk}"] = [_("Choose pass, fail or not applicable.")]
        elif result == ItemResult.FAIL and not (finding or "").strip():
            errors[f"item_{item.pk}"] = [_("Describe what failed.")]
    if not (findings or "").strip():
        errors["findings"] = [_("Summarise the visit.")]
    if task is not None and task.stage == Stage.ARCHIVED:
        errors["task"] = [_("The task is archived: a visit serves an open task.")]
    if not 1 <= rectify_days <= 180:
        errors["rectify_days"] = [_("Between 1 and 180 days.")]
    if errors:
        raise ValidationError(errors)
    observations = (
        {"present": present.strip(), "condition": condition.strip()}
        if subject.kind != Kind.PLACE
        else {}
    )
    record = record_create(
        actor=actor,
        subjects=[subject],
        method=Method.FIELD_VISIT,
        channel=Channel.OWN,
        occurred_at=occurred_at,
        content=findings,
        source_evaluation=SourceEvaluation.RELIABLE,
        info_assessment=InfoAssessment.DIRECT,
        task=task,
        observations=observations,
        address=getattr(getattr(subject, "place", None), "address", "")
        if subject.kind == Kind.PLACE
        else "",
    )
    failed = []
    for item in items:
        result, finding = checklist[item.pk]
        row = ChecklistResult.objects.create(
            record=record, item=item, result=result, finding=(finding or "").strip()
        )
        if result == ItemResult.FAIL:
            failed.append(row)
    for row in failed:
        _rectification(actor, subject, row, rectify_days)
    return record


def _rectification(actor, subject, row: ChecklistResult, days: int) -> Rectification:
    deadline = timezone.localdate() + timedelta(days=days)
    order = Rectification.objects.create(
        subject=subject,
        result=row,
        requirement=f"{row.item.label}：{row.finding}",
        deadline=deadline,
    )
    lead = actor if actor.unit.station == subject.station else subject.officers.first()
    end = timezone.now() + timedelta(days=days)
    order.follow_up = task_create(
        actor=None,
        title=(_("Rectification follow-up: %(item)s") % {"item": row.item.label})[:120],
        station=subject.station,
        lead=lead,
        subjects=[subject],
        origin=Origin.WARNING,
        priority=Priority.HIGH,
        deadlines=_spread(end),
        instructions=_("Check that “%(finding)s” is rectified by %(date)s.")
        % {"finding": row.finding, "date": deadline.isoformat()},
    )
    order.save(update_fields=["follow_up"])
    record_event(
        actor=actor,
        action="rectification.order",
        obj=subject,
        details={"order": order.pk, "deadline": deadline.isoformat(), "task": order.follow_up.pk},
    )
    return order


@transaction.atomic
def rectification_close(*, actor, order: Rectification, note: str) -> Rectification:
    if not policy.can(actor, Action.SUBJECT_VIEW, order.subject) or not policy.works_at_station(
        actor, order.subject.station
    ):
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say how the rectification was checked.")]})
    order.status, order.closed_at = RectificationStatus.DONE, timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(
        actor=actor,
        action="rectification.close",
        obj=order.subject,
        details={"order": order.pk, "note": note.strip()},
    )
    return order
