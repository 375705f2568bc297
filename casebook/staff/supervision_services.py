"""Every write of summaries and supervision: permission, validation, the write and its audit
event in one transaction; notifications after commit (``tracking.notify``)."""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action, can
from casebook.accounts.models import User
from casebook.audit.services import record_event
from casebook.core import uploads
from casebook.core.validators import validate_text_length
from casebook.crypto.services import data_key_create, encrypt_bytes
from casebook.tracking.notify import notify

from . import supervision_selectors as sel
from .supervision_access import (
    SUMMARY_WRITERS,
    may_set_cadence,
    may_supervise,
    may_write_summary,
    supervised_station_ids,
)
from .supervision_choices import (
    Cadence,
    ComplaintOutcome,
    ComplaintSource,
    ComplaintStatus,
    InspectionStatus,
    InspectionTarget,
    Rating,
    RectificationState,
    SummaryStatus,
)
from .supervision_models import (
    Complaint,
    Finding,
    Inspection,
    Rectification,
    SummaryReminder,
    SummarySetting,
    WorkSummary,
)

#: Largest evidence file accepted.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
TEXT_MAX = 5000


def _text(errors: dict, field: str, value: str, *, required: bool, message: str) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append(message)
    elif len(value) > TEXT_MAX:
        errors.setdefault(field, []).append(
            _("At most %(n)s characters, please.") % {"n": TEXT_MAX}
        )
    else:
        try:
            validate_text_length(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    return value


def _station_of(user):
    return user.unit.station if user.unit_id else None


# --- self-summaries ----------------------------------------------------------------------------


@transaction.atomic
def summary_cadence_set(*, actor, cadence: str) -> SummarySetting:
    """A bureau leader sets how often the bureau's officers write their summary."""
    if not may_set_cadence(actor):
        raise PermissionDenied(_("Only a bureau leader sets the summary cadence."))
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": [_("Choose monthly or quarterly.")]})
    bureau = actor.unit.bureau
    setting, _created = SummarySetting.objects.update_or_create(
        bureau=bureau,
        defaults={"cadence": cadence, "updated_by": actor, "updated_at": timezone.now()},
    )
    record_event(
        actor=actor,
        action="summary.cadence",
        object_type="staff.summarysetting",
        object_id=str(setting.pk),
        object_repr=bureau.name,
        details={"cadence": cadence},
    )
    return setting


@transaction.atomic
def summary_submit(*, actor, period_start: date, text: str, today: date | None = None):
    """The officer's summary of the last complete period, with the figures the records give.

    A period that has not ended (the current one or a later one) cannot be summarised yet; one
    before the last complete period is closed; a period is summarised once."""
    if not may_write_summary(actor):
        raise PermissionDenied(_("Only officers of a station write work summaries."))
    cadence = sel.cadence_for(actor.unit)
    today = today or timezone.localdate()
    allowed = sel.open_period(cadence, today)
    if not isinstance(period_start, date):
        raise ValidationError({"period_start": [_("Give the first day of the period.")]})
    period = sel.period_of(period_start, cadence)
    if period.start != period_start:
        raise ValidationError({"period_start": [_("Give the first day of the period.")]})
    if period.end >= today:
        raise ValidationError(
            {"period_start": [_("This period has not ended yet: it cannot be summarised.")]}
        )
    if period.start < allowed.start:
        raise ValidationError(
            {
                "period_start": [
                    _("This period is closed: summaries were due by %(due)s.")
                    % {"due": period.due.isoformat()}
                ]
            }
        )
    errors: dict[str, list] = {}
    text = _text(errors, "text", text, required=True, message=_("Write your summary."))
    if errors:
        raise ValidationError(errors)
    if WorkSummary.objects.filter(
        officer=actor, cadence=cadence, period_start=period.start
    ).exists():
        raise ValidationError(
            {"period_start": [_("Your summary of this period is already submitted.")]}
        )
    try:
        with transaction.atomic():
            summary = WorkSummary.objects.create(
                officer=actor,
                station=_station_of(actor),
                cadence=cadence,
                period_start=period.start,
                period_end=period.end,
                figures=sel.period_figures(actor, period),
                text=text,
            )
    except IntegrityError:
        raise ValidationError(
            {"period_start": [_("Your summary of this period is already submitted.")]}
        ) from None
    record_event(
        actor=actor,
        action="summary.submit",
        obj=summary,
        details={"period": period.key, "cadence": cadence},
    )
    leader_station = summary.station_id
    transaction.on_commit(lambda: _notify_leaders(summary, leader_station))
    return summary


def _notify_leaders(summary: WorkSummary, station_id: int) -> None:
    leaders = User.objects.filter(
        is_active=True, roles__role="station_leader", unit_id=station_id
    ).distinct()
    with transaction.atomic():
        notify(
            leaders,
            _("%(name)s submitted a work summary.") % {"name": summary.officer.real_name},
            url=summary.get_absolute_url(),
            kind="summary",
        )


@transaction.atomic
def summary_comment(*, actor, summary: WorkSummary, comment: str) -> WorkSummary:
    """The station leader reads the summary and comments on it."""
    if not can(actor, "comment", summary):
        raise PermissionDenied(_("Only the leader of the officer's station comments."))
    errors: dict[str, list] = {}
    comment = _text(errors, "comment", comment, required=True, message=_("Write your comment."))
    if errors:
        raise ValidationError(errors)
    summary = WorkSummary.objects.select_for_update().get(pk=summary.pk)
    summary.leader_comment = comment
    summary.reviewed_by = actor
    summary.reviewed_at = timezone.now()
    summary.status = SummaryStatus.REVIEWED
    summary.save(update_fields=["leader_comment", "reviewed_by", "reviewed_at", "status"])
    record_event(actor=actor, action="summary.comment", obj=summary)
    notify(
        [summary.officer],
        _("Your work summary has a comment from the station leader."),
        url=summary.get_absolute_url(),
        kind="summary",
    )
    return summary


def remind_overdue_summaries(today: date | None = None) -> int:
    """Remind each officer whose summary of the last complete period is past due (once per
    period), and the station leader with them. Returns how many officers were reminded."""
    today = today or timezone.localdate()
    reminded = 0
    writers = (
        User.objects.filter(is_active=True, roles__role__in=SUMMARY_WRITERS)
        .select_related("unit", "unit__parent")
        .distinct()
        .order_by("pk")
    )
    for officer in writers:
        station = _station_of(officer)
        if station is None:
            continue
        period = sel.open_period(sel.cadence_for(officer.unit), today)
        if today <= period.due:
            continue
        if WorkSummary.objects.filter(
            officer=officer, cadence=period.cadence, period_start=period.start
        ).exists():
            continue
        with transaction.atomic():
            _reminder, created = SummaryReminder.objects.get_or_create(
                officer=officer, cadence=period.cadence, period_start=period.start
            )
            if not created:
                continue
            leaders = User.objects.filter(
                is_active=True, roles__role="station_leader", unit_id=station.pk
            ).distinct()
            text = _("The work summary of %(name)s for %(start)s–%(end)s is overdue.") % {
                "name": officer.real_name,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
            notify([officer, *leaders], text, url=reverse("staff:summaries"), kind="summary")
            record_event(
                actor=None,
                actor_name="summary reminder",
                action="summary.overdue",
                object_type="accounts.user",
                object_id=str(officer.pk),
                object_repr=officer.username,
                details={"period": period.key, "cadence": period.cadence},
            )
            reminded += 1
    return reminded


# --- inspections and rectifications -------------------------------------------------------------


def _check_supervisor(actor, station) -> None:
    if station is None or not may_supervise(actor, station):
        raise PermissionDenied(
            _("Only a supervisor of this station plans and records inspections.")
        )


@transaction.atomic
def inspection_plan(
    *,
    actor,
    station,
    planned_for: date,
    scope: str,
    subject=None,
    today: date | None = None,
) -> Inspection:
    """A supervisor plans an inspection of a station's work or of one subject's tracking."""
    _check_supervisor(actor, station)
    today = today or timezone.localdate()
    errors: dict[str, list] = {}
    scope = (scope or "").strip()
    if not scope:
        errors["scope"] = [_("Say what the inspection will check.")]
    elif len(scope) > 300:
        errors["scope"] = [_("At most %(n)s characters, please.") % {"n": 300}]
    if not isinstance(planned_for, date):
        errors["planned_for"] = [_("Give the date of the inspection.")]
    elif planned_for < today:
        errors["planned_for"] = [_("An inspection cannot be planned in the past.")]
    if subject is not None and (
        subject.station_id != station.pk or not can(actor, Action.SUBJECT_VIEW, subject)
    ):
        errors["subject"] = [_("Choose a subject of this station.")]
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        station=station,
        target=InspectionTarget.SUBJECT if subject is not None else InspectionTarget.STATION,
        subject=subject,
        supervisor=actor,
        planned_for=planned_for,
        scope=scope,
    )
    record_event(
        actor=actor,
        action="inspection.plan",
        obj=inspection,
        details={"station": station.pk, "target": inspection.target},
    )
    return inspection


def _validate_finding(errors: dict, index: str, inspection, finding: dict, today: date):
    text = _text(
        errors,
        f"finding{index}",
        finding.get("text") or "",
        required=True,
        message=_("Describe the finding."),
    )
    owner = finding.get("owner")
    deadline = finding.get("deadline")
    if owner is None:
        errors.setdefault(f"owner{index}", []).append(
            _("A finding needs an owner who rectifies it.")
        )
    elif (
        not owner.is_active
        or _station_of(owner) is None
        or (_station_of(owner).pk != inspection.station_id)
    ):
        errors.setdefault(f"owner{index}", []).append(
            _("The owner must be an officer of the inspected station.")
        )
    if not isinstance(deadline, date):
        errors.setdefault(f"deadline{index}", []).append(
            _("Give a deadline for the rectification.")
        )
    elif deadline <= today:
        errors.setdefault(f"deadline{index}", []).append(_("The deadline must be in the future."))
    return text, owner, deadline


def _open_rectification(actor, inspection, text, owner, deadline) -> Rectification:
    finding = Finding.objects.create(inspection=inspection, text=text)
    rectification = Rectification.objects.create(
        finding=finding, station_id=inspection.station_id, owner=owner, deadline=deadline
    )
    record_event(
        actor=actor,
        action="supervision.rectification_open",
        object_type="staff.rectification",
        object_id=str(rectification.pk),
        object_repr=f"#{rectification.pk}",
        details={"inspection": inspection.pk, "owner": owner.pk, "deadline": deadline.isoformat()},
    )
    notify(
        [owner],
        _("An inspection found something for you to rectify by %(date)s.")
        % {"date": deadline.isoformat()},
        url=rectification.get_absolute_url(),
        kind="supervision",
    )
    return rectification


@transaction.atomic
def inspection_record(
    *,
    actor,
    inspection: Inspection,
    conducted_on: date,
    checked: str,
    conclusion: str,
    rating: str,
    findings: list[dict] = (),
    today: date | None = None,
) -> Inspection:
    """Record a planned inspection: what was checked, the conclusion, the rating, and its
    findings — each with an owner and a deadline, each opening a rectification. All or
    nothing: one finding without an owner refuses the whole record."""
    _check_supervisor(actor, inspection.station)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != InspectionStatus.PLANNED:
        raise ValidationError(_("This inspection is already recorded."))
    today = today or timezone.localdate()
    errors: dict[str, list] = {}
    if not isinstance(conducted_on, date):
        errors["conducted_on"] = [_("Give the date of the inspection.")]
    elif conducted_on > today:
        errors["conducted_on"] = [_("An inspection cannot be recorded before it happens.")]
    checked = _text(errors, "checked", checked, required=True, message=_("Say what was checked."))
    conclusion = _text(
        errors, "conclusion", conclusion, required=True, message=_("Write the conclusion.")
    )
    if rating not in Rating.values:
        errors["rating"] = [_("Choose a rating.")]
    cleaned = []
    for i, finding in enumerate(findings or []):
        cleaned.append(
            _validate_finding(errors, "" if i == 0 else f"_{i}", inspection, finding, today)
        )
    if errors:
        raise ValidationError(errors)
    inspection.conducted_on = conducted_on
    inspection.checked = checked
    inspection.conclusion = conclusion
    inspection.rating = rating
    inspection.status = InspectionStatus.DONE
    inspection.recorded_at = timezone.now()
    inspection.save()
    record_event(
        actor=actor,
        action="inspection.record",
        obj=inspection,
        details={"rating": rating, "findings": len(cleaned)},
    )
    for text, owner, deadline in cleaned:
        _open_rectification(actor, inspection, text, owner, deadline)
    return inspection


@transaction.atomic
def finding_add(
    *, actor, inspection: Inspection, text: str, owner, deadline: date, today: date | None = None
) -> Rectification:
    """A further finding of a recorded inspection, opening its rectification."""
    _check_supervisor(actor, inspection.station)
    if inspection.status != InspectionStatus.DONE:
        raise ValidationError(_("Record the inspection before adding findings."))
    errors: dict[str, list] = {}
    cleaned = _validate_finding(
        errors,
        "",
        inspection,
        {"text": text, "owner": owner, "deadline": deadline},
        today or timezone.localdate(),
    )
    if errors:
        raise ValidationError({k.replace("finding", "text"): v for k, v in errors.items()})
    return _open_rectification(actor, inspection, *cleaned)


@transaction.atomic
def rectification_close(
    *,
    actor,
    rectification: Rectification,
    evidence: str,
    file_bytes: bytes | None = None,
    file_name: str = "",
) -> Rectification:
    """Close a rectification with its evidence: a text, and optionally a PDF or an image
    (checked by its content, images re-encoded, encrypted under the rectification's own key)."""
    if not can(actor, "close", rectification):
        raise PermissionDenied(
            _("Only the owner of the rectification or the station leader closes it.")
        )
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.state != RectificationState.OPEN:
        raise ValidationError(_("This rectification is already closed."))
    errors: dict[str, list] = {}
    evidence = _text(
        errors,
        "evidence",
        evidence,
        required=True,
        message=_("A rectification closes only with evidence of what was done."),
    )
    content, kind = b"", ""
    if file_bytes:
        if len(file_bytes) > MAX_EVIDENCE_BYTES:
            errors.setdefault("file", []).append(_("The file is larger than 10 MB."))
        else:
            kind = uploads.sniff(file_bytes) or ""
            try:
                if kind == uploads.PDF:
                    uploads.check_pdf(file_bytes, field="file")
                    content = file_bytes
                elif kind in (uploads.JPEG, uploads.PNG):
                    content, _thumb = uploads.reencode_image(file_bytes, field="file")
                    kind = uploads.JPEG
                else:
                    errors.setdefault("file", []).append(
                        _("Only a PDF or a JPEG or PNG image is accepted as evidence.")
                    )
            except ValidationError as exc:
                errors.setdefault("file", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if content:
        key = data_key_create(label=f"rectification:{uuid.uuid4().hex}")
        rectification.data_key = key
        rectification.evidence_file = encrypt_bytes(
            key, content, context=f"staff.rectification:{rectification.pk}"
        )
        rectification.evidence_name = uploads.safe_name(file_name or "evidence")
        rectification.evidence_type = kind
    rectification.evidence = evidence
    rectification.state = RectificationState.CLOSED
    rectification.closed_at = timezone.now()
    rectification.closed_by = actor
    rectification.save()
    record_event(
        actor=actor,
        action="supervision.rectification_close",
        object_type="staff.rectification",
        object_id=str(rectification.pk),
        object_repr=f"#{rectification.pk}",
        details={"file": bool(content)},
    )
    notify(
        [rectification.finding.inspection.supervisor],
        _("A rectification was closed with evidence."),
        url=rectification.get_absolute_url(),
        kind="supervision",
    )
    return rectification


# --- complaints ---------------------------------------------------------------------------------


@transaction.atomic
def complaint_register(
    *,
    actor,
    officer,
    received_on: date,
    source: str,
    account: str,
    complainant: str = "",
    today: date | None = None,
) -> Complaint:
    """A supervisor registers a complaint about an officer's conduct."""
    station = _station_of(officer) if officer is not None else None
    if station is None or station.pk not in supervised_station_ids(actor):
        raise PermissionDenied(
            _("Only a supervisor of the officer's station registers complaints.")
        )
    today = today or timezone.localdate()
    errors: dict[str, list] = {}
    if not isinstance(received_on, date):
        errors["received_on"] = [_("Give the date the complaint was received.")]
    elif received_on > today:
        errors["received_on"] = [_("The date received cannot be in the future.")]
    if source not in ComplaintSource.values:
        errors["source"] = [_("Choose where the complaint came from.")]
    account = _text(
        errors, "account", account, required=True, message=_("Say what the complaint is about.")
    )
    complainant = (complainant or "").strip()
    if len(complainant) > 200:
        errors["complainant"] = [_("At most %(n)s characters, please.") % {"n": 200}]
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        officer=officer,
        station=station,
        received_on=received_on,
        source=source,
        registered_by=actor,
        data_key=data_key_create(label=f"complaint:{uuid.uuid4().hex}"),
    )
    complaint.complainant = complainant
    complaint.account = account
    complaint.save()
    record_event(
        actor=actor,
        action="complaint.register",
        obj=complaint,
        details={"officer": officer.pk, "source": source},
    )
    return complaint


@transaction.atomic
def complaint_update(
    *, actor, complaint: Complaint, status: str, outcome: str = "", outcome_note: str = ""
) -> Complaint:
    """Follow a complaint: investigate it, then close it with an outcome."""
    if not can(actor, "manage", complaint):
        raise PermissionDenied(_("Only a supervisor of the officer's station follows complaints."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == ComplaintStatus.CLOSED:
        raise ValidationError(_("This complaint is closed."))
    errors: dict[str, list] = {}
    if status not in ComplaintStatus.values:
        errors["status"] = [_("Choose a status.")]
    outcome = outcome or ""
    if status == ComplaintStatus.CLOSED and outcome not in ComplaintOutcome.values:
        errors["outcome"] = [_("A complaint closes with an outcome.")]
    elif status != ComplaintStatus.CLOSED and outcome:
        errors["outcome"] = [_("The outcome is given when the complaint closes.")]
    outcome_note = _text(
        errors,
        "outcome_note",
        outcome_note,
        required=status == ComplaintStatus.CLOSED,
        message=_("Say what was found and what was done."),
    )
    if errors:
        raise ValidationError(errors)
    before = complaint.status
    complaint.status = status
    complaint.outcome = outcome
    complaint.outcome_note = outcome_note
    if status == ComplaintStatus.CLOSED:
        complaint.closed_at = timezone.now()
    complaint.save()
    record_event(
        actor=actor,
        action="complaint.update",
        obj=complaint,
        details={"status": [before, status], "outcome": outcome},
    )
    return complaint
