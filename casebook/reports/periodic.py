"""Weekly and monthly station reports (article 四 and 六: the leader's regular picture): counts of
the period beside the previous one, overdue work, and highlights — made by a background job as a
sealed PDF and kept, so the picture of a past week can be shown as it was then."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.access import policy
from casebook.analysis.models import RiskAssessment, Warning
from casebook.audit.services import record_event
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.crypto.services import decrypt_bytes, encrypt_bytes, system_data_key
from casebook.intel.choices import Method
from casebook.intel.models import InformationRecord
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject
from casebook.tracking.choices import Stage
from casebook.tracking.models import Task, TaskDeadline

from .archive import issuer, local_time
from .choices import FeedbackStatus, Period, UrgentStatus
from .documents import issue_pdf
from .documents.model import Document, Entry, Table
from .models import FeedbackReport, PeriodicReport, UrgentReport

#: The figures of a report, in the order they are printed.
FIGURES = {
    "subjects_new": gettext_lazy("Subjects registered"),
    "subjects_tracked": gettext_lazy("Subjects under tracking at the end"),
    "tasks_created": gettext_lazy("Tasks assigned"),
    "tasks_archived": gettext_lazy("Tasks archived"),
    "tasks_overdue": gettext_lazy("Tasks overdue at the end"),
    "records": gettext_lazy("Information records"),
    "visits": gettext_lazy("Field visits"),
    "assessments": gettext_lazy("Risk assessments"),
    "high_risk": gettext_lazy("Assessed high or critical"),
    "warnings": gettext_lazy("Warnings raised"),
    "urgent": gettext_lazy("Urgent reports"),
    "urgent_ack_minutes": gettext_lazy("Average minutes to acknowledge"),
    "feedback": gettext_lazy("Feedback reports"),
    "feedback_acknowledged": gettext_lazy("Feedback reports acknowledged"),
}


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """The last complete week (Monday–Sunday) or month before ``today``."""
    if period == Period.WEEKLY:
        this_monday = today - timedelta(days=today.weekday())
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    first = today.replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1), end


def previous_bounds(period: str, start: date) -> tuple[date, date]:
    return period_bounds(period, start)


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(
        end + timedelta(days=1), time.min, tz
    )


def figures(station, start: date, end: date) -> dict[str, float]:
    lo, hi = _window(start, end)
    subjects = Subject.objects.filter(station=station)
    tasks = Task.objects.filter(station=station)
    records = InformationRecord.objects.filter(
        station=station, recorded_at__gte=lo, recorded_at__lt=hi
    )
    assessments = RiskAssessment.objects.filter(
        subject__station=station, assessed_at__gte=lo, assessed_at__lt=hi
    )
    urgent = UrgentReport.objects.filter(station=station, created_at__gte=lo, created_at__lt=hi)
    feedback = FeedbackReport.objects.filter(
        station=station, submitted_at__gte=lo, submitted_at__lt=hi
    )
    overdue = (
        tasks.filter(created_at__lt=hi, deadlines__stage=F("stage"), deadlines__due_at__lt=hi)
        .exclude(stage=Stage.ARCHIVED)
        .distinct()
    )
    ack = urgent.filter(status=UrgentStatus.ACKNOWLEDGED).aggregate(
        avg=Avg(F("acknowledged_at") - F("created_at"))
    )["avg"]
    return {
        "subjects_new": subjects.filter(created_at__gte=lo, created_at__lt=hi).count(),
        "subjects_tracked": subjects.filter(created_at__lt=hi)
        .exclude(status=Status.CLOSED)
        .count(),
        "tasks_created": tasks.filter(created_at__gte=lo, created_at__lt=hi).count(),
        "tasks_archived": tasks.filter(archived_at__gte=lo, archived_at__lt=hi).count(),
        "tasks_overdue": overdue.count(),
        "records": records.count(),
        "visits": records.filter(method=Method.FIELD_VISIT).count(),
        "assessments": assessments.count(),
        "high_risk": assessments.filter(level__gte=3).count(),
        "warnings": Warning.objects.filter(
            station=station, created_at__gte=lo, created_at__lt=hi
        ).count(),
        "urgent": urgent.count(),
        "urgent_ack_minutes": round(ack.total_seconds() / 60, 1) if ack else 0,
        "feedback": feedback.count(),
        "feedback_acknowledged": feedback.filter(status=FeedbackStatus.ACKNOWLEDGED).count(),
    }


def _hidden_subjects():
    """Subjects a periodic report never names: above 内部 or in a compartment (every holder of
    the dashboard right reads the report; such subjects count in the figures only)."""

    return Subject.objects.filter(
        Q(classification__gt=Classification.INTERNAL) | Q(compartments__isnull=False)
    ).values("pk")


def _highlights(station, start: date, end: date) -> list[Entry]:
    lo, hi = _window(start, end)
    hidden = _hidden_subjects()
    entries = []
    urgent = (
        UrgentReport.objects.filter(station=station, created_at__gte=lo, created_at__lt=hi)
        .exclude(subject__in=hidden)
        .exclude(record__subjects__in=hidden)
        .exclude(task__subjects__in=hidden)
    )
    for r in urgent.select_related("author", "acknowledged_by"):
        state = (
            _("acknowledged by %(name)s") % {"name": r.acknowledged_by.real_name}
            if r.acknowledged_by
            else _("not acknowledged")
        )
        entries.append(
            Entry(
                local_time(r.created_at),
                _("Urgent report"),
                r.text[:80],
                [r.text],
                f"{r.author.real_name} · {state}",
            )
        )
    for a in (
        RiskAssessment.objects.filter(
            subject__station=station, assessed_at__gte=lo, assessed_at__lt=hi, level__gte=3
        )
        .exclude(subject__in=hidden)
        .select_related("subject", "assessor")
    ):
        entries.append(
            Entry(
                local_time(a.assessed_at),
                _("Risk assessment"),
                f"{a.subject.name}：{a.get_level_display()}",
                [a.summary or a.explanation],
                a.assessor.real_name,
            )
        )
    for f in (
        FeedbackReport.objects.filter(
            station=station, acknowledged_at__gte=lo, acknowledged_at__lt=hi
        )
        .exclude(task__subjects__in=hidden)
        .select_related("task", "acknowledged_by")
    ):
        entries.append(
            Entry(
                local_time(f.acknowledged_at),
                _("Leader's instruction"),
                f.task.title,
                [f.instruction],
                f.acknowledged_by.real_name,
            )
        )
    entries.sort(key=lambda e: e.when)
    return entries


def _overdue_table(station, end: date) -> Table:
    _lo, hi = _window(end, end)
    rows = []
    qs = (
        TaskDeadline.objects.filter(task__station=station, stage=F("task__stage"), due_at__lt=hi)
        .exclude(task__stage=Stage.ARCHIVED)
        .exclude(task__subjects__in=_hidden_subjects())
        .select_related("task__lead")
        .order_by("due_at")[:200]
    )
    for d in qs:
        rows.append(
            [
                d.task.title,
                d.task.lead.real_name,
                d.task.get_stage_display(),
                local_time(d.due_at),
            ]
        )
    return Table(
        _("Overdue work at the end of the period"),
        [_("Task"), _("Lead"), _("Stage"), _("Due")],
        rows,
    )


def _change(now: float, before: float) -> str:
    delta = round(now - before, 1)
    if delta == 0:
        return "—"
    return f"+{delta:g}" if delta > 0 else f"{delta:g}"


def build(station, period: str, start: date, end: date, reference: str) -> tuple[Document, dict]:
    current = figures(station, start, end)
    p_start, p_end = previous_bounds(period, start)
    # the previous report holds the figures as they were then (overdue work and subjects under
    # tracking are states, not events: computed now they would be today's)
    earlier = PeriodicReport.objects.filter(station=station, period=period, starts_on=p_start)
    stored = earlier.values_list("figures", flat=True).first()
    before = (stored or {}).get("current") or figures(station, p_start, p_end)
    rows = [
        [str(label), f"{current[key]:g}", f"{before[key]:g}", _change(current[key], before[key])]
        for key, label in FIGURES.items()
    ]
    generated = local_time(timezone.now())
    document = Document(
        title=_("%(station)s %(period)s, %(start)s to %(end)s")
        % {"station": station.name, "period": Period(period).label, "start": start, "end": end},
        marking=str(Classification.INTERNAL.label),
        watermark=_("Generated by Casebook at %(time)s") % {"time": generated},
        reference=reference,
        issuer=issuer(station),
        facts=[
            (_("Station"), station.name),
            (_("Period"), f"{start} — {end}"),
            (_("Compared with"), f"{p_start} — {p_end}"),
            (_("Generated at"), generated),
        ],
        entries=_highlights(station, start, end),
        tables=[
            Table(
                _("Figures"), [_("Item"), _("This period"), _("Previous period"), _("Change")], rows
            ),
            _overdue_table(station, end),
        ],
        notes=[
            _(
                "Highlights: urgent reports, high or critical assessments and leaders' "
                "instructions of the period."
            ),
            _(
                "Subjects classified above internal or in a compartment are counted in the "
                "figures but not named."
            ),
        ],
    )
    return document, {"current": current, "previous": before}


def generate(station, period: str, start: date, end: date) -> PeriodicReport | None:
    """Make one report; None when it exists already (another worker was faster)."""
    if PeriodicReport.objects.filter(station=station, period=period, starts_on=start).exists():
        return None
    code = station.code or str(station.pk)
    reference = f"{'WR' if period == Period.WEEKLY else 'MR'}-{code}-{start:%Y%m%d}"

    with translation.override(settings.LANGUAGE_CODE):
        document, numbers = build(station, period, start, end, reference)
        sealed, algorithm, digest = issue_pdf(document)
    key = system_data_key("reports")
    try:
        with transaction.atomic():
            report = PeriodicReport.objects.create(
                station=station,
                period=period,
                starts_on=start,
                ends_on=end,
                reference=reference,
                figures=numbers,
                content=encrypt_bytes(key, sealed, context=f"report:{reference}"),
                data_key=key,
                size=len(sealed),
                algorithm=algorithm,
                digest=digest,
            )
            record_event(
                actor=None,
                actor_name="system",
                action="report.generate",
                obj=report,
                details={"digest": digest, "period": period},
            )
    except IntegrityError:
        return None
    return report


def generate_due(today: date | None = None) -> int:
    """Every station's last complete week and month, when not made yet."""
    today = today or timezone.localdate()
    made = 0
    for station in Unit.objects.filter(kind=UnitKind.STATION, is_active=True).order_by("pk"):
        for period in (Period.WEEKLY, Period.MONTHLY):
            start, end = period_bounds(period, today)
            if generate(station, period, start, end) is not None:
                made += 1
    return made


def report_file(report: PeriodicReport) -> bytes:
    return decrypt_bytes(
        report.data_key, bytes(report.content), context=f"report:{report.reference}"
    )


@transaction.atomic
def periodic_download(*, actor, report: PeriodicReport) -> bytes:
    if not policy.can(actor, policy.Action.STATION_DASHBOARD, report):
        raise PermissionDenied
    record_event(
        actor=actor, action="report.download", obj=report, details={"digest": report.digest}
    )
    return report_file(report)
