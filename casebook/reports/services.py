"""Every write of the reports module: feedback reports and their receipts and instructions, the
duty roster, urgent reports with their deliveries and escalation, and exports. Each function
checks permission through ``access``, validates, writes and appends its audit event in one
transaction; messages and background work go out after commit."""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.services import record_event
from casebook.crypto.services import decrypt_bytes, encrypt_bytes
from casebook.tracking.choices import Priority, Stage
from casebook.tracking.notify import notify

from . import channels
from .choices import (
    Channel,
    DeliveryStatus,
    DutyPost,
    ExportFormat,
    ExportKind,
    ExportStatus,
    FeedbackStatus,
    UrgentLevel,
    UrgentStatus,
)
from .models import Delivery, DutyShift, Export, FeedbackReceipt, FeedbackReport, UrgentReport

logger = logging.getLogger(__name__)

#: Roles that may receive a feedback report besides the station's leaders.
FEEDBACK_ROLES = (Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ANALYST)
#: Longest duty shift one roster line may hold.
MAX_SHIFT = timedelta(hours=72)


def _text(value) -> str:
    return (value or "").strip()


def station_leaders(station) -> list[User]:
    return list(User.objects.holding(Role.STATION_LEADER, station))


# --- feedback reports -----------------------------------------------------------------------


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
    FeedbackReceipt.objects.bulk_create(
        [FeedbackReceipt(report=report, user=u) for u in people.values()]
    )
    record_event(
        actor=actor,
        action="feedback.submit",
        obj=report,
        recipients="、".join(u.real_name for u in people.values())[:300],
        details={"task": task.pk, "assessments": [a.pk for a in assessments]},
    )
    notify(
        people.values(),
        _("Feedback report on “%(title)s” from %(name)s awaits your instruction.")
        % {"title": task.title, "name": actor.real_name},
        url=report.get_absolute_url(),
        task=task,
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
    )
    return report


@transaction.atomic
def feedback_instruction_task(
    *, actor, report: FeedbackReport, title: str, lead, priority: str = Priority.NORMAL
):
    """Turn the leader's instruction into a new tracking task on the same subjects."""
    from casebook.tracking.choices import Origin
    from casebook.tracking.services import task_create

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
    from casebook.audit.models import AuditEvent

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


# --- duty roster --------------------------------------------------------------------------


def roster_members(unit):
    """Who may stand duty for ``unit``: its own active members."""
    return User.objects.filter(is_active=True, unit=unit).order_by("username")


@transaction.atomic
def duty_shift_add(
    *, actor, unit, user, starts_at: datetime, ends_at: datetime, post: str = DutyPost.LEADER
) -> DutyShift:
    if unit not in policy.roster_units(actor):
        raise PermissionDenied
    errors = {}
    if post not in DutyPost.values:
        errors["post"] = [_("Choose the post.")]
    if user is None or user.unit_id != unit.pk or not user.is_active:
        errors["user"] = [_("Choose a member of this unit.")]
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = [_("The shift must end after it starts.")]
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = [_("A shift lasts at most 72 hours.")]
    elif ends_at <= timezone.now():
        errors["ends_at"] = [_("The shift is already over.")]
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        unit=unit, user=user, post=post, starts_at=starts_at, ends_at=ends_at, created_by=actor
    )
    record_event(
        actor=actor,
        action="duty.add",
        obj=shift,
        details={"user": user.username, "from": starts_at.isoformat(), "to": ends_at.isoformat()},
    )
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    if shift.unit not in policy.roster_units(actor):
        raise PermissionDenied
    if shift.ends_at <= timezone.now():
        raise ValidationError(_("A past shift stays on the roster."))
    record_event(
        actor=actor,
        action="duty.remove",
        obj=shift,
        details={"user": shift.user.username, "from": shift.starts_at.isoformat()},
    )
    shift.delete()


def on_duty(unit, at: datetime | None = None, post: str = DutyPost.LEADER) -> list[User]:
    at = at or timezone.now()
    return [
        s.user
        for s in DutyShift.objects.filter(
            unit=unit, post=post, starts_at__lte=at, ends_at__gt=at, user__is_active=True
        ).select_related("user")
    ]


# --- urgent reports -------------------------------------------------------------------------


def ack_window() -> timedelta:
    return timedelta(minutes=max(1, settings.CASEBOOK_URGENT_ACK_MINUTES))


def chain_audience(report: UrgentReport, level: int, at: datetime | None = None) -> list[User]:
    """Who a report reaches at each step: the station's duty leaders (its leaders when nobody
    is on the roster), then every leader of the station, then the bureau's duty leaders (its
    leaders when nobody is on the roster)."""
    station = report.station
    if level == UrgentLevel.ON_DUTY:
        people = on_duty(station, at) or station_leaders(station)
    elif level == UrgentLevel.STATION:
        people = [*on_duty(station, at), *station_leaders(station)]
    else:
        bureau = station.bureau
        people = (
            (on_duty(bureau, at) or list(User.objects.holding(Role.BUREAU_LEADER, bureau)))
            if bureau
            else []
        )
    unique = {u.pk: u for u in people if u.pk != report.author_id}
    return list(unique.values())


def _message(report: UrgentReport) -> tuple[str, str]:
    subject = _("[Urgent report] %(station)s, %(name)s") % {
        "station": report.station.name,
        "name": report.author.real_name,
    }
    return subject, report.text[:200]


def _queue(report: UrgentReport, level: int, people) -> list[Delivery]:
    """Write the outbox rows for one step of the chain. In-app delivery happens here, in the
    same transaction as the report; e-mail and SMS wait for the worker."""
    now = timezone.now()
    subject, body = _message(report)
    notify(people, f"{subject}：{body}", url=report.get_absolute_url(), email=False)
    rows = []
    for user in people:
        rows.append(
            Delivery(
                report=report,
                recipient=user,
                channel=Channel.IN_APP,
                level=level,
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
        )
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            skipped = not address or (channel == Channel.SMS and not channels.sms_configured())
            rows.append(
                Delivery(
                    report=report,
                    recipient=user,
                    channel=channel,
                    level=level,
                    status=DeliveryStatus.SKIPPED if skipped else DeliveryStatus.PENDING,
                    last_error=(
                        ""
                        if not skipped
                        else _("no SMS gateway configured")
                        if address
                        else _("no address on file")
                    ),
                )
            )
    rows = Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.status == DeliveryStatus.PENDING for r in rows):
        transaction.on_commit(_kick_delivery)
    return rows


def _kick_delivery() -> None:
    from .tasks import deliver_urgent_reports

    try:
        deliver_urgent_reports.enqueue()
    except Exception:  # noqa: BLE001 - the scheduler picks the outbox up anyway
        logger.warning("could not enqueue the delivery job", exc_info=True)


@transaction.atomic
def urgent_report_create(
    *, actor, text: str, place: str = "", subject=None, record=None, task=None
) -> UrgentReport:
    """Send an urgent report about a subject, a record or a task (or none) at once."""
    if not policy.can(actor, Action.URGENT_SEND):
        raise PermissionDenied
    if subject is not None and not policy.can(actor, Action.SUBJECT_VIEW, subject):
        raise PermissionDenied
    if record is not None and not policy.can(actor, Action.SUBJECT_VIEW, record):
        raise PermissionDenied
    if task is not None and not policy.can(actor, Action.TASK_VIEW, task):
        raise PermissionDenied
    if len(_text(text)) < 2:
        raise ValidationError({"text": [_("Say what happened.")]})
    anchor = subject or record or task
    station = anchor.station if anchor is not None else actor.unit.station
    if station is None:
        raise ValidationError(_("Urgent reports are sent from a station."))
    now = timezone.now()
    report = UrgentReport.objects.create(
        station=station,
        author=actor,
        subject=subject,
        record=record,
        task=task,
        text=_text(text),
        place=_text(place)[:200],
        created_at=now,
        ack_due_at=now + ack_window(),
    )
    people = chain_audience(report, UrgentLevel.ON_DUTY, now)
    if not people:  # nobody at the station: go straight to the bureau
        report.level = UrgentLevel.BUREAU
        report.save(update_fields=["level"])
        people = chain_audience(report, UrgentLevel.BUREAU, now)
    _queue(report, report.level, people)
    record_event(
        actor=actor,
        action="urgent.create",
        obj=report,
        recipients="、".join(u.real_name for u in people)[:300],
        details={
            "subject": subject.pk if subject else None,
            "record": record.pk if record else None,
            "task": task.pk if task else None,
        },
    )
    return report


@transaction.atomic
def urgent_acknowledge(*, actor, report: UrgentReport, note: str = "") -> UrgentReport:
    report = UrgentReport.objects.select_for_update().get(pk=report.pk)
    if not policy.can(actor, Action.URGENT_ACKNOWLEDGE, report):
        raise PermissionDenied
    if report.status != UrgentStatus.OPEN:
        raise ValidationError(_("This urgent report has already been acknowledged."))
    report.status = UrgentStatus.ACKNOWLEDGED
    report.acknowledged_by, report.acknowledged_at = actor, timezone.now()
    report.ack_note = _text(note)[:300]
    report.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "ack_note"])
    record_event(
        actor=actor, action="urgent.acknowledge", obj=report, details={"note": report.ack_note}
    )
    notify(
        [report.author],
        _("%(name)s acknowledged your urgent report.") % {"name": actor.real_name}
        + (f" {report.ack_note}" if report.ack_note else ""),
        url=report.get_absolute_url(),
    )
    return report


def run_urgent_escalation(now: datetime | None = None) -> int:
    """Move every report whose acknowledgement is overdue one step up the chain. Idempotent: a
    report climbs once per window, and the bureau is the top."""
    now = now or timezone.now()
    moved = 0
    due = UrgentReport.objects.filter(
        status=UrgentStatus.OPEN, ack_due_at__lte=now, level__lt=UrgentLevel.BUREAU
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            report = UrgentReport.objects.select_for_update().get(pk=pk)
            if report.status != UrgentStatus.OPEN or report.ack_due_at > now:
                continue
            if report.level >= UrgentLevel.BUREAU:
                continue
            report.level += 1
            people = chain_audience(report, report.level, now)
            reached = set(report.deliveries.values_list("recipient_id", flat=True))
            if report.level < UrgentLevel.BUREAU and not {u.pk for u in people} - reached:
                # nobody new at this step (no roster: the leaders had it already): go on up
                report.level = UrgentLevel.BUREAU
                people = chain_audience(report, report.level, now)
            report.ack_due_at = now + ack_window()
            report.save(update_fields=["level", "ack_due_at"])
            _queue(report, report.level, people)
            record_event(
                actor=None,
                actor_name="system",
                action="urgent.escalate",
                obj=report,
                recipients="、".join(u.real_name for u in people)[:300],
                details={"level": report.level},
            )
            moved += 1
    return moved


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most 10 min between attempts; never given up."""
    return timedelta(seconds=min(600, 30 * 2 ** max(0, attempts - 1)))


def deliver_pending(now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Send what the outbox holds and is due. Returns (delivered, failed this round)."""
    with translation.override(settings.LANGUAGE_CODE):  # messages and errors in the default
        return _deliver(now or timezone.now(), limit)


def _deliver(now: datetime, limit: int) -> tuple[int, int]:
    """Each message: claimed in one short statement, sent outside any transaction (a slow mail
    server or gateway must not hold database locks: on SQLite that would lock every writer out),
    then its outcome written in another. The claim pushes the next attempt out already, so a
    worker that dies while sending leaves the message to be retried, not lost; the SMS carries
    its id so the gateway can drop a repeat."""
    sent = failed = 0
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        delivery = _claim_delivery(pk, now)
        if delivery is None:  # another worker has it, or it went out meanwhile
            continue
        subject, body = _message(delivery.report)
        error = ""
        try:
            channels.send(delivery, subject, body)
        except Exception as exc:  # noqa: BLE001 - one bad message must not block the outbox
            if not isinstance(exc, channels.ChannelError):
                logger.exception("urgent report delivery %s: unexpected error", pk)
                exc = channels.ChannelError(f"{delivery.get_channel_display()}: {exc!r}")
            error = str(exc)[:300]
            failed += 1
            logger.warning("urgent report delivery %s failed: %s", pk, exc)
        else:
            sent += 1
        outcome = Delivery.objects.filter(pk=pk, attempts=delivery.attempts)
        if error:
            outcome.update(last_error=error)
        else:
            outcome.update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    return sent, failed


def _claim_delivery(pk: int, now: datetime) -> Delivery | None:
    """Take one due message for this round: count the attempt and set when the next one is due
    (the back-off), in a single conditional UPDATE that only one worker can win."""
    delivery = (
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .select_related("report__station", "report__author", "recipient")
        .first()
    )
    if delivery is None:
        return None
    attempts = delivery.attempts + 1
    won = Delivery.objects.filter(
        pk=pk,
        status=DeliveryStatus.PENDING,
        attempts=delivery.attempts,
        next_attempt_at__lte=now,
    ).update(attempts=attempts, next_attempt_at=now + _backoff(attempts))
    if not won:
        return None
    delivery.attempts = attempts
    return delivery


# --- exports ------------------------------------------------------------------------------


def _reference(prefix: str, pk: int) -> str:
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{pk:06d}"


def _purpose(purpose: str) -> str:
    purpose = _text(purpose)
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("State the purpose of the export.")]})
    return purpose[:300]


def _marking(classification: int) -> str:
    from casebook.core.choices import Classification

    return str(Classification(classification).label)


def export_request(
    *,
    actor,
    fmt: str,
    purpose: str,
    subject=None,
    record=None,
    filters: dict | None = None,
) -> Export:
    """Ask for a document. It is prepared in the background; the request itself is audited
    with its purpose. A record whose handling code forbids sharing is refused outright."""
    from casebook.intel.choices import Handling

    if fmt not in ExportFormat.values:
        raise ValidationError({"fmt": [_("Choose PDF, Word or Excel.")]})
    if (subject is None) == (record is None):
        raise ValidationError(_("Export either a subject's archive or one record."))
    if subject is not None:
        if not policy.can(actor, Action.SUBJECT_EXPORT, subject):
            raise PermissionDenied
        station, kind = subject.station, ExportKind.DOSSIER
        title = _("%(name)s — tracking record archive") % {"name": subject.name}
        classification = subject.classification
    else:
        if not policy.can(actor, Action.SUBJECT_EXPORT, record):
            raise PermissionDenied
        station, kind = record.station, ExportKind.RECORD
        title = _("Information record #%(pk)s") % {"pk": record.pk}
        classification = max([0, *record.subjects.values_list("classification", flat=True)])
        if record.handling == Handling.CONDITIONS:
            with transaction.atomic():  # the refusal is kept: it is not inside the request
                record_event(
                    actor=actor,
                    action="record.export",
                    obj=record,
                    outcome="denied",
                    purpose=_text(purpose)[:300],
                    details={"reason": "handling code C", "format": fmt},
                )
            raise ValidationError(
                _(
                    "This record is shared only under conditions (%(conditions)s): "
                    "it may not leave the system as an export."
                )
                % {"conditions": record.handling_conditions or "C"}
            )
    purpose = _purpose(purpose)
    with transaction.atomic():
        return _export_create(
            actor=actor,
            kind=kind,
            fmt=fmt,
            station=station,
            subject=subject,
            record=record,
            title=title,
            purpose=purpose,
            filters=filters,
            marking=_marking(classification),
        )


def _export_create(*, actor, kind, fmt, station, subject, record, title, purpose, filters, marking):
    export = Export.objects.create(
        reference=f"EXP-new-{uuid.uuid4().hex[:16]}",  # replaced by the number just below
        user=actor,
        kind=kind,
        fmt=fmt,
        station=station,
        subject=subject,
        record=record,
        title=title[:200],
        purpose=purpose,
        filters={**(filters or {}), "lang": translation.get_language() or settings.LANGUAGE_CODE},
        marking=marking,
    )
    export.reference = _reference("EXP", export.pk)
    export.save(update_fields=["reference"])
    record_event(
        actor=actor,
        action="export.request",
        obj=export,
        purpose=purpose,
        details={
            "format": fmt,
            "subject": subject.pk if subject else None,
            "record": record.pk if record else None,
            "filters": filters or {},
        },
    )
    transaction.on_commit(lambda: _kick_export(export.pk))
    return export


def _kick_export(pk: int) -> None:
    from .tasks import build_export

    try:
        build_export.enqueue(pk)
    except Exception:  # noqa: BLE001 - export_housekeeping enqueues it again
        logger.warning("could not enqueue export %s", pk, exc_info=True)


def export_build(pk: int) -> Export:
    """Prepare the document of an export request (run by the worker): assemble what the user
    may see, render, seal with its digest, encrypt and keep it. Progress is saved as it goes."""
    from . import archive
    from .documents import RENDERERS, seal

    claimed = Export.objects.filter(pk=pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=1, finished_at=None
    )
    export = Export.objects.select_related("user", "subject", "record").get(pk=pk)
    if not claimed:  # another worker has it, or it is done
        return export
    last = [0]

    def progress(done: int, total: int) -> None:
        value = 5 + int(90 * done / max(1, total))
        if value >= last[0] + 5:
            last[0] = value
            Export.objects.filter(pk=pk).update(progress=min(95, value))

    try:
        with translation.override(export.filters.get("lang") or settings.LANGUAGE_CODE):
            if not _may_still_export(export.user, export):
                raise PermissionDenied("the requester may no longer export this")
            document, withheld = archive.document_for_export(export)
            data = RENDERERS[export.fmt](document, progress=progress)
        sealed, algorithm, digest = seal(data)
        key = (export.subject or export.record).get_data_key()
        with transaction.atomic():
            Export.objects.filter(pk=pk).update(
                status=ExportStatus.DONE,
                progress=100,
                content=encrypt_bytes(key, sealed, context=f"export:{export.reference}"),
                data_key=key,
                size=len(sealed),
                algorithm=algorithm,
                digest=digest,
                withheld=withheld,
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                actor_name="system",
                action="export.complete",
                obj=export,
                details={"digest": digest, "algorithm": algorithm, "withheld": withheld},
            )
    except Exception as exc:
        logger.exception("export %s failed", export.reference)
        with transaction.atomic():
            Export.objects.filter(pk=pk).update(
                status=ExportStatus.FAILED,
                error=_("The document could not be prepared. Please try again.")[:300],
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                actor_name="system",
                action="export.fail",
                obj=export,
                outcome="error",
                details={"error": exc.__class__.__name__},
            )
    export.refresh_from_db()
    if export.status == ExportStatus.DONE:
        notify(
            [export.user],
            _("Your export %(ref)s is ready to download.") % {"ref": export.reference},
            url=export.get_absolute_url(),
        )
    return export


@transaction.atomic
def export_download(*, actor, export: Export) -> bytes:
    """The sealed file, to its requester only, while it is kept. Every download is audited."""
    if export.user_id != actor.pk or not _may_still_export(actor, export):
        raise PermissionDenied
    if export.status != ExportStatus.DONE or export.content is None:
        raise ValidationError(_("This export is not available for download."))
    data = decrypt_bytes(
        export.data_key, bytes(export.content), context=f"export:{export.reference}"
    )
    record_event(
        actor=actor, action="export.download", obj=export, details={"digest": export.digest}
    )
    return data


def _may_still_export(actor, export: Export) -> bool:
    """Rights change (a compartment withdrawn, a transfer): a file is handed out only while its
    requester may still export what it holds."""
    from casebook.intel.choices import Handling

    if export.subject is not None:
        return policy.can(actor, Action.SUBJECT_EXPORT, export.subject)
    if export.record is None:
        return False
    return export.record.handling != Handling.CONDITIONS and policy.can(
        actor, Action.SUBJECT_EXPORT, export.record
    )


#: An export waiting this long was not picked up (enqueue failed): enqueue it again.
STALE_QUEUED = timedelta(minutes=5)
#: An export running this long has lost its worker: it failed.
STALE_RUNNING = timedelta(minutes=30)


def export_housekeeping(now: datetime | None = None) -> dict:
    """Re-enqueue exports nobody picked up, fail those whose worker died, drop old files."""
    now = now or timezone.now()
    requeued = 0
    for pk in Export.objects.filter(
        status=ExportStatus.QUEUED, created_at__lt=now - STALE_QUEUED
    ).values_list("pk", flat=True):
        _kick_export(pk)
        requeued += 1
    stale = Export.objects.filter(status=ExportStatus.RUNNING, created_at__lt=now - STALE_RUNNING)
    failed = 0
    for export in stale.only("pk", "reference", "title"):
        with transaction.atomic():
            if Export.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED,
                error=_("The document could not be prepared. Please try again.")[:300],
                finished_at=now,
            ):
                record_event(
                    actor=None,
                    actor_name="system",
                    action="export.fail",
                    obj=export,
                    outcome="error",
                    details={"error": "worker lost"},
                )
                failed += 1
    return {"requeued": requeued, "failed": failed, "expired": expire_exports(now)}


def expire_exports(now: datetime | None = None) -> int:
    """Drop the files of exports older than ``CASEBOOK_EXPORT_KEEP_DAYS``; the register stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CASEBOOK_EXPORT_KEEP_DAYS)
    old = Export.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)
    count = 0
    for export in old.only("pk", "reference"):
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, content=None)
            record_event(actor=None, actor_name="system", action="export.expire", obj=export)
        count += 1
    return count


@transaction.atomic
def dossier_print(*, actor, subject, purpose: str, filters: dict) -> None:
    """Printing the archive is a disclosure like an export: it needs a purpose and is audited."""
    if not policy.can(actor, Action.SUBJECT_VIEW, subject):
        raise PermissionDenied
    record_event(
        actor=actor,
        action="dossier.print",
        obj=subject,
        purpose=_purpose(purpose),
        details={"filters": filters},
    )
