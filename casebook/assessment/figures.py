"""The figures of article 六(一), computed from the records.

Each :class:`Figure` names a population of rows for a quarter (its *denominator*) and which of
them count (its *numerator*), the officer each row belongs to and the station. The same
definition yields the aggregate (one grouped query per figure and station) and the rows a
click-through lists, so the number and the list cannot disagree.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casebook.analysis.models import AssessmentStatus as RiskStatus
from casebook.analysis.models import RiskAssessment
from casebook.audit.models import AuditEvent
from casebook.intel.choices import Method, Verification
from casebook.intel.models import ChecklistResult, InformationRecord
from casebook.reports.models import FeedbackReport, UrgentReport
from casebook.tracking.choices import Stage
from casebook.tracking.models import Task, TaskDeadline

from .choices import CheckResult
from .models import FigureSnapshot, SpotCheckItem
from .periods import Quarter


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    group: str
    definition: str
    #: (quarter, now) -> the denominator's rows, annotated with the boolean ``counted``
    rows: Callable[[Quarter, datetime], QuerySet]
    officer: str  # path to the officer's id
    station: str  # path to the station's id
    kind: str  # "record", "task", "deadline", "assessment", "feedback", "urgent", "spot"


def _records(quarter, now):
    return InformationRecord.objects.filter(
        recorded_at__gte=quarter.start, recorded_at__lt=quarter.end, merged_into__isnull=True
    )


def accuracy_rows(quarter, now):
    settled = (Verification.VERIFIED, Verification.CORROBORATED, Verification.REFUTED)
    return (
        _records(quarter, now)
        .filter(verification__in=settled)
        .annotate(counted=Q(verification__in=(Verification.VERIFIED, Verification.CORROBORATED)))
    )


def record_completeness_rows(quarter, now):
    unexplained_fail = ChecklistResult.objects.filter(
        record=OuterRef("pk"), result="fail", finding=""
    )
    any_point = ChecklistResult.objects.filter(record=OuterRef("pk"))
    return _records(quarter, now).annotate(
        counted=~Q(address="")
        & ~Exists(unexplained_fail)
        & (~Q(method=Method.FIELD_VISIT) | Exists(any_point))
    )


def dossier_rows(quarter, now):
    return Task.objects.filter(
        stage=Stage.ARCHIVED, archived_at__gte=quarter.start, archived_at__lt=quarter.end
    ).annotate(
        counted=Exists(InformationRecord.objects.filter(task=OuterRef("pk")))
        & Exists(RiskAssessment.objects.filter(task=OuterRef("pk")))
        & Exists(FeedbackReport.objects.filter(task=OuterRef("pk")))
    )


def _assessments(quarter):
    return RiskAssessment.objects.filter(
        status=RiskStatus.APPROVED, assessed_at__gte=quarter.start, assessed_at__lt=quarter.end
    )


def analysis_rows(quarter, now):
    later = RiskAssessment.objects.filter(
        subject=OuterRef("subject"),
        status=RiskStatus.APPROVED,
        assessed_at__gt=OuterRef("assessed_at"),
    ).order_by("assessed_at", "pk")
    return (
        _assessments(quarter)
        .annotate(next_level=Subquery(later.values("level")[:1]))
        .filter(next_level__isnull=False)
        .annotate(counted=Q(next_level=F("level")))
    )


def override_rows(quarter, now):
    return (
        _assessments(quarter)
        .exclude(level=F("suggested_level"))
        .annotate(counted=~Q(override_reason=""))
    )


def deadline_rows(quarter, now):
    left_in_time = (
        AuditEvent.objects.filter(
            action="task.transition",
            object_type="tracking.task",
            object_id=Cast(OuterRef("task_id"), CharField()),
            occurred_at__lte=OuterRef("due_at"),
        )
        .annotate(from_stage=KT("details__from"))
        .filter(from_stage=OuterRef("stage"))
    )
    return TaskDeadline.objects.filter(
        due_at__gte=quarter.start, due_at__lt=min(quarter.end, now)
    ).annotate(counted=Exists(left_in_time))


def feedback_rows(quarter, now):
    due = TaskDeadline.objects.filter(task=OuterRef("task"), stage=Stage.FEEDBACK)
    return (
        FeedbackReport.objects.filter(submitted_at__gte=quarter.start, submitted_at__lt=quarter.end)
        .annotate(due_at=Subquery(due.values("due_at")[:1]))
        .filter(due_at__isnull=False)
        .annotate(counted=Q(submitted_at__lte=F("due_at")))
    )


def urgent_rows(quarter, now):
    return (
        UrgentReport.objects.filter(created_at__gte=quarter.start, created_at__lt=quarter.end)
        .filter(Q(acknowledged_at__isnull=False) | Q(ack_due_at__lt=now))
        .annotate(counted=Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("ack_due_at")))
    )


def visit_rows(quarter, now):
    last_due = TaskDeadline.objects.filter(task=OuterRef("pk")).order_by("-due_at")
    visited = InformationRecord.objects.filter(
        task=OuterRef("pk"), method=Method.FIELD_VISIT, occurred_at__lte=OuterRef("last_due")
    )
    return (
        Task.objects.filter(
            schedule_key__startswith="visit:",
            created_at__gte=quarter.start,
            created_at__lt=quarter.end,
        )
        .annotate(last_due=Subquery(last_due.values("due_at")[:1]))
        .filter(Q(last_due__lt=now) | Q(stage=Stage.ARCHIVED))
        .annotate(counted=Exists(visited))
    )


def spot_rows(quarter, now):
    return SpotCheckItem.objects.filter(
        spot_check__period=quarter.code,
        result__in=(CheckResult.CONFIRMED, CheckResult.DISCREPANCY),
    ).annotate(counted=Q(result=CheckResult.CONFIRMED))


ACCURACY = _("Accuracy")
COMPLETENESS = _("Completeness")
ANALYSIS = _("Analysis")
TIMELINESS = _("Timeliness")
CHECKS = _("Spot checks")

FIGURES: list[Figure] = [
    Figure(
        "accuracy",
        pgettext_lazy("appraisal", "Information verified"),
        ACCURACY,
        _(
            "Of the officer's information records entered in the quarter whose verification is "
            "settled, the share verified or corroborated (the rest were refuted). Records still "
            "unverified are not counted."
        ),
        accuracy_rows,
        "created_by_id",
        "station_id",
        "record",
    ),
    Figure(
        "record_complete",
        _("Complete records"),
        COMPLETENESS,
        _(
            "Of the officer's records entered in the quarter, the share that name the place; a "
            "field visit must also carry its inspection checklist, and every failed point must "
            "state its finding."
        ),
        record_completeness_rows,
        "created_by_id",
        "station_id",
        "record",
    ),
    Figure(
        "dossier_complete",
        _("Complete dossiers"),
        COMPLETENESS,
        _(
            "Of the tasks the officer led that were archived in the quarter, the share with every "
            "stage on file: at least one information record, a risk assessment and a feedback "
            "report."
        ),
        dossier_rows,
        "lead_id",
        "station_id",
        "task",
    ),
    Figure(
        "analysis_confirmed",
        _("Assessments confirmed"),
        ANALYSIS,
        _(
            "Of the officer's approved risk assessments in the quarter that a later approved "
            "assessment of the same subject has followed, the share whose level the later one "
            "kept (the rest were revised)."
        ),
        analysis_rows,
        "assessor_id",
        "subject__station_id",
        "assessment",
    ),
    Figure(
        "overrides_reasoned",
        _("Overrides with a reason"),
        ANALYSIS,
        _(
            "Of the officer's approved assessments in the quarter whose level differs from the "
            "suggested level, the share that give the reason for overriding."
        ),
        override_rows,
        "assessor_id",
        "subject__station_id",
        "assessment",
    ),
    Figure(
        "deadlines_met",
        _("Stage deadlines met"),
        TIMELINESS,
        _(
            "Of the stage deadlines of the officer's tasks that fell due in the quarter (up to "
            "now), the share where the task left that stage by its deadline."
        ),
        deadline_rows,
        "task__lead_id",
        "task__station_id",
        "deadline",
    ),
    Figure(
        "feedback_on_time",
        _("Feedback on time"),
        TIMELINESS,
        _(
            "Of the feedback reports the officer submitted in the quarter for a task with a "
            "feedback deadline, the share submitted by that deadline."
        ),
        feedback_rows,
        "author_id",
        "station_id",
        "feedback",
    ),
    Figure(
        "urgent_acknowledged",
        _("Urgent reports acknowledged in time"),
        TIMELINESS,
        _(
            "Of the urgent reports the officer sent in the quarter (acknowledged, or whose window "
            "has closed), the share acknowledged within the window."
        ),
        urgent_rows,
        "author_id",
        "station_id",
        "urgent",
    ),
    Figure(
        "visits_in_cycle",
        _("Visits within the cycle"),
        TIMELINESS,
        _(
            "Of the scheduled visit tasks the officer led, created in the quarter and due by now, "
            "the share with a field-visit record made by the task's last deadline."
        ),
        visit_rows,
        "lead_id",
        "station_id",
        "task",
    ),
    Figure(
        "spot_confirmed",
        _("Spot checks confirmed"),
        CHECKS,
        _(
            "Of the officer's items checked in the quarter's spot checks (confirmed or with a "
            "discrepancy), the share confirmed. Each discrepancy is a finding."
        ),
        spot_rows,
        "officer_id",
        "spot_check__station_id",
        "spot",
    ),
]

BY_CODE = {figure.code: figure for figure in FIGURES}


def figure(code: str) -> Figure:
    return BY_CODE[code]


def compute(quarter: Quarter, station_ids, now=None) -> dict:
    """{(station id, officer id or None, code): (numerator, denominator)} for the stations,
    one grouped query per figure."""
    now = now or timezone.now()
    out: dict = {}
    for fig in FIGURES:
        qs = fig.rows(quarter, now).filter(**{f"{fig.station}__in": list(station_ids)})
        grouped = (
            qs.order_by()
            .values(fig.station, fig.officer)
            .annotate(den=Count("pk", distinct=True), num=Count("pk", filter=Q(counted=True)))
        )
        for row in grouped:
            station, officer = row[fig.station], row[fig.officer]
            out[(station, officer, fig.code)] = (row["num"], row["den"])
            total = out.get((station, None, fig.code), (0, 0))
            out[(station, None, fig.code)] = (total[0] + row["num"], total[1] + row["den"])
    return out


@transaction.atomic
def recompute(quarter: Quarter, station_ids, now=None) -> int:
    """Replace the snapshots of the stations for the quarter; the number of rows written."""
    now = now or timezone.now()
    station_ids = list(station_ids)
    values = compute(quarter, station_ids, now)
    FigureSnapshot.objects.filter(period=quarter.code, station_id__in=station_ids).delete()
    FigureSnapshot.objects.bulk_create(
        [
            FigureSnapshot(
                station_id=station,
                officer_id=officer,
                period=quarter.code,
                code=code,
                numerator=num,
                denominator=den,
                computed_at=now,
            )
            for (station, officer, code), (num, den) in values.items()
        ],
        batch_size=1000,
    )
    return len(values)


def rows_for(code: str, quarter: Quarter, *, station_id: int, officer_id=None, now=None):
    """The rows a figure counts, for the click-through (the same definition as the count)."""
    fig = figure(code)
    qs = fig.rows(quarter, now or timezone.now()).filter(**{fig.station: station_id})
    if officer_id is not None:
        qs = qs.filter(**{fig.officer: officer_id})
    return qs
