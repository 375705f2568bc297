"""Reads of summaries and supervision: the summary periods, the figures of an officer's period
computed from the records, and the lists and objects a user may see (through ``access``)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casebook.access.registry import restrict
from casebook.accounts.models import User
from casebook.audit.models import AuditEvent
from casebook.intel.choices import Method, Verification
from casebook.intel.models import InformationRecord
from casebook.reports.models import FeedbackReport, UrgentReport
from casebook.tracking.choices import STAGES, Stage
from casebook.tracking.models import Task, TaskDeadline

from .supervision_access import SUMMARY_WRITERS, supervised_station_ids
from .supervision_choices import (
    Cadence,
    ComplaintStatus,
    InspectionStatus,
    RectificationState,
)
from .supervision_models import (
    Complaint,
    Inspection,
    Rectification,
    SummarySetting,
    WorkSummary,
)

#: Days after the end of a period by which its summary is due (then reminded as overdue).
SUMMARY_DUE_DAYS = 7


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    cadence: str
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return self.start.isoformat()

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the station's zone: [start, end + 1 day)."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )

    @property
    def due(self) -> date:
        return self.end + timedelta(days=SUMMARY_DUE_DAYS)


def cadence_for(unit) -> str:
    """The cadence of a unit's bureau: its own setting, else the installation's."""
    bureau = unit.bureau if unit is not None else None
    if bureau is not None:
        found = SummarySetting.objects.filter(bureau=bureau).values_list("cadence", flat=True)
        if found:
            return found[0]
    value = getattr(settings, "CASEBOOK_SUMMARY_CADENCE", Cadence.MONTHLY)
    return value if value in Cadence.values else Cadence.MONTHLY


def period_of(day: date, cadence: str) -> Period:
    if cadence == Cadence.QUARTERLY:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        months = 3
    else:
        start = date(day.year, day.month, 1)
        months = 1
    month = start.month - 1 + months
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return Period(cadence, start, following - timedelta(days=1))


def quarter_of(year: int, quarter: int) -> Period:
    return period_of(date(year, 3 * (quarter - 1) + 1, 1), Cadence.QUARTERLY)


def open_period(cadence: str, today: date | None = None) -> Period:
    """The period whose summary may be written now: the last complete one. It stays open
    until the end of the period after it; then it is closed."""
    today = today or timezone.localdate()
    current = period_of(today, cadence)
    return period_of(current.start - timedelta(days=1), cadence)


# --- figures of an officer's period ------------------------------------------------------------

FIGURE_KEYS = (
    "tasks_total",
    "records",
    "visits",
    "feedback",
    "feedback_on_time",
    "feedback_late",
    "urgent_reports",
)


def period_figures(officer, period: Period) -> dict:
    """What the records say of ``officer``'s work in ``period`` (the pre-filled part of the
    summary). Counted:

    * tasks: those the officer leads that were open during the period (created before its end,
      not archived before its start), by their stage now;
    * information records the officer wrote in the period, by how they were verified, and
      among them the field visits;
    * feedback reports the officer submitted in the period, on time when submitted by the
      task's feedback deadline (a task without one counts as on time);
    * urgent reports the officer raised in the period.
    """
    since, until = period.bounds()
    tasks = Task.objects.filter(lead=officer, created_at__lt=until).filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=since)
    )
    by_stage = dict(tasks.values_list("stage").annotate(n=Count("pk")).order_by())
    records = InformationRecord.objects.filter(
        created_by=officer, recorded_at__gte=since, recorded_at__lt=until
    )
    by_verification = dict(records.values_list("verification").annotate(n=Count("pk")).order_by())
    feedback = FeedbackReport.objects.filter(
        author=officer, submitted_at__gte=since, submitted_at__lt=until
    )
    late = feedback.filter(
        Exists(
            TaskDeadline.objects.filter(
                task=OuterRef("task"), stage=Stage.FEEDBACK, due_at__lt=OuterRef("submitted_at")
            )
        )
    ).count()
    feedback_count = feedback.count()
    return {
        "tasks_by_stage": {str(s): by_stage.get(s, 0) for s in STAGES},
        "tasks_total": sum(by_stage.values()),
        "records": sum(by_verification.values()),
        "records_by_verification": {str(v): by_verification.get(v, 0) for v in Verification},
        "visits": records.filter(method=Method.FIELD_VISIT).count(),
        "feedback": feedback_count,
        "feedback_on_time": feedback_count - late,
        "feedback_late": late,
        "urgent_reports": UrgentReport.objects.filter(
            author=officer, created_at__gte=since, created_at__lt=until
        ).count(),
    }


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    """The figures as (label, value) lines, in the reader's language."""
    labels = dict(Stage.choices)
    verification = dict(Verification.choices)
    rows = [(FIGURE_LABELS["tasks_total"], figures.get("tasks_total", 0))]
    for stage, n in (figures.get("tasks_by_stage") or {}).items():
        rows.append(("— " + str(labels.get(stage, stage)), n))
    rows.append((FIGURE_LABELS["records"], figures.get("records", 0)))
    for state, n in (figures.get("records_by_verification") or {}).items():
        rows.append(("— " + str(verification.get(state, state)), n))
    for key in ("visits", "feedback", "feedback_on_time", "feedback_late", "urgent_reports"):
        rows.append((FIGURE_LABELS[key], figures.get(key, 0)))
    return rows


FIGURE_LABELS = {
    "tasks_total": _("Tasks led (open in the period)"),
    "records": _("Information records written"),
    "visits": _("Field visits"),
    "feedback": _("Feedback reports submitted"),
    "feedback_on_time": _("Feedback on time"),
    "feedback_late": _("Feedback late"),
    "urgent_reports": _("Urgent reports raised"),
}


# --- summaries ----------------------------------------------------------------------------------


def visible_summaries(user, action: str = "view") -> QuerySet:
    return restrict(user, WorkSummary.objects.select_related("officer", "station"), action)


def summary_writers(station_ids) -> QuerySet:
    """The officers who write summaries at these stations (their units or areas)."""
    return (
        User.objects.filter(is_active=True, roles__role__in=SUMMARY_WRITERS)
        .filter(Q(unit_id__in=station_ids) | Q(unit__parent_id__in=station_ids))
        .distinct()
        .order_by("unit_id", "username")
    )


def missing_summaries(station_ids, period: Period) -> list:
    """Officers of these stations who have not written the summary of ``period``."""
    written = WorkSummary.objects.filter(
        officer=OuterRef("pk"), cadence=period.cadence, period_start=period.start
    )
    return list(summary_writers(station_ids).exclude(Exists(written)))


# --- supervision --------------------------------------------------------------------------------


def visible_inspections(user, action: str = "view") -> QuerySet:
    return restrict(
        user, Inspection.objects.select_related("station", "supervisor", "subject"), action
    )


def visible_rectifications(user, action: str = "view") -> QuerySet:
    return restrict(
        user,
        Rectification.objects.select_related("finding__inspection", "owner", "station"),
        action,
    )


def visible_complaints(user, action: str = "view") -> QuerySet:
    return restrict(user, Complaint.objects.select_related("officer", "station"), action)


def complaints_about(officer, since: date | None = None, until: date | None = None) -> QuerySet:
    """The complaints about ``officer`` received within the dates (for the assessment module,
    which applies its own access rule)."""
    qs = Complaint.objects.filter(officer=officer)
    if since:
        qs = qs.filter(received_on__gte=since)
    if until:
        qs = qs.filter(received_on__lte=until)
    return qs


def station_supervision(station, period: Period) -> dict:
    """A station's inspections, rectifications and complaints of a period (for the quarterly
    report; the caller has checked that the reader may see the station's supervision)."""
    inspections = Inspection.objects.filter(
        station=station,
        status=InspectionStatus.DONE,
        conducted_on__gte=period.start,
        conducted_on__lte=period.end,
    ).select_related("supervisor", "subject")
    rectifications = Rectification.objects.filter(
        station=station, finding__inspection__in=inspections
    ).select_related("owner", "finding")
    complaints = Complaint.objects.filter(
        station=station, received_on__gte=period.start, received_on__lte=period.end
    ).select_related("officer")
    return {
        "inspections": list(inspections.order_by("conducted_on", "pk")),
        "rectifications": list(rectifications.order_by("deadline", "pk")),
        "complaints": list(complaints.order_by("received_on", "pk")),
        "open_rectifications": Rectification.objects.filter(
            station=station, state=RectificationState.OPEN
        ).count(),
        "open_complaints": Complaint.objects.filter(station=station)
        .exclude(status=ComplaintStatus.CLOSED)
        .count(),
    }


def supervised_audit_events(user) -> QuerySet:
    """The audit events of the officers of the stations ``user`` supervises (their units and
    areas), newest first; none for anyone who supervises no station."""
    stations = supervised_station_ids(user)
    if not stations:
        return AuditEvent.objects.none()
    officers = User.objects.filter(Q(unit_id__in=stations) | Q(unit__parent_id__in=stations))
    return AuditEvent.objects.filter(actor_id__in=officers.values_list("pk", flat=True)).order_by(
        "-seq"
    )
