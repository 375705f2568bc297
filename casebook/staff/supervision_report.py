"""A station's quarterly training and supervision summary (八), as a sealed PDF or Excel
through the export layer (``reports.documents``): the officers' summaries of the quarter, the
inspections with their ratings and findings, the rectifications and their state, the
complaints and their outcome (the officer named, the complainant never), and the training
held (when the training module has recorded any)."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.accounts.models import User
from casebook.audit.services import record_event
from casebook.reports.archive import local_time
from casebook.reports.documents import Document, Table, issue
from casebook.reports.selectors import Issued

from . import supervision_selectors as sel
from .models import Attendance, TrainingSession
from .supervision_models import SupervisionReport, WorkSummary


def training_table(station, period) -> Table | None:
    """The training sessions of the period that the station organised or its officers
    attended (the training part of this app), or None when there were none."""
    officers = User.objects.filter(Q(unit_id=station.pk) | Q(unit__parent_id=station.pk))
    sessions = (
        TrainingSession.objects.filter(held_on__gte=period.start, held_on__lte=period.end)
        .filter(
            Q(unit_id=station.pk)
            | Exists(Attendance.objects.filter(session=OuterRef("pk"), officer__in=officers))
        )
        .select_related("course")
        .order_by("held_on", "pk")
    )
    rows = []
    for session in sessions:
        present = [
            a
            for a in session.attendance.filter(officer__in=officers).select_related("session")
            if a.attended
        ]
        rows.append(
            [
                _d(session.held_on),
                session.course.title,
                str(session.course.get_category_display()),
                str(session.course.hours),
                session.trainer,
                str(len(present)),
                str(sum(1 for a in present if a.completed)),
            ]
        )
    if not rows:
        return None
    return Table(
        _("Training"),
        [
            _("Date"),
            _("Course"),
            _("Category"),
            _("Hours"),
            _("Trainer"),
            _("Officers attending"),
            _("Completed (passed)"),
        ],
        rows,
    )


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def build(station, year: int, quarter: int, *, reader) -> Document:
    period = sel.quarter_of(year, quarter)
    data = sel.station_supervision(station, period)
    summaries = list(
        WorkSummary.objects.filter(
            station=station, period_start__gte=period.start, period_end__lte=period.end
        )
        .select_related("officer", "reviewed_by")
        .order_by("officer__username", "period_start")
    )
    tables = [
        Table(
            _("Work summaries"),
            [
                _("Officer"),
                _("Period"),
                _("Records"),
                _("Visits"),
                _("Feedback on time"),
                _("Read by"),
            ],
            [
                [
                    f"{s.officer.real_name}（{s.officer.username}）",
                    f"{_d(s.period_start)}—{_d(s.period_end)}",
                    str(s.figures.get("records", 0)),
                    str(s.figures.get("visits", 0)),
                    f"{s.figures.get('feedback_on_time', 0)}/{s.figures.get('feedback', 0)}",
                    s.reviewed_by.real_name if s.reviewed_by else _("Not yet read"),
                ]
                for s in summaries
            ],
        ),
        Table(
            _("Inspections"),
            [_("Date"), _("Inspected"), _("What was checked"), _("Rating"), _("Supervisor")],
            [
                [
                    _d(i.conducted_on),
                    str(i.get_target_display()),
                    i.scope,
                    str(i.get_rating_display()),
                    i.supervisor.real_name,
                ]
                for i in data["inspections"]
            ],
        ),
        Table(
            _("Rectifications"),
            [_("Finding"), _("Responsible"), _("Rectify by"), _("State"), _("Closed at")],
            [
                [
                    r.finding.text,
                    r.owner.real_name,
                    _d(r.deadline),
                    str(r.get_state_display()),
                    local_time(r.closed_at),
                ]
                for r in data["rectifications"]
            ],
        ),
        Table(
            _("Complaints"),
            [_("Received on"), _("Officer"), _("Source"), _("Status"), _("Outcome")],
            [
                [
                    _d(c.received_on),
                    c.officer.real_name,
                    str(c.get_source_display()),
                    str(c.get_status_display()),
                    str(c.get_outcome_display()) if c.outcome else "",
                ]
                for c in data["complaints"]
            ],
        ),
    ]
    notes = []
    training = training_table(station, period)
    if training is not None:
        tables.insert(0, training)
    else:
        notes.append(_("No training was held for the station's officers in this quarter."))
    facts = [
        (_("Station"), station.name),
        (_("Quarter"), _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}),
        (_("Period"), f"{_d(period.start)}—{_d(period.end)}"),
        (_("Summaries written"), str(len(summaries))),
        (_("Inspections"), str(len(data["inspections"]))),
        (_("Findings"), str(len(data["rectifications"]))),
        (_("Rectifications still open"), str(data["open_rectifications"])),
        (_("Complaints received"), str(len(data["complaints"]))),
        (_("Complaints still open"), str(data["open_complaints"])),
    ]
    reference = f"SV-{station.code}-{year}Q{quarter}-{timezone.localtime():%Y%m%d%H%M%S}"
    return Document(
        title=_("Training and supervision summary, %(station)s, %(year)s Q%(quarter)s")
        % {"station": station.name, "year": year, "quarter": quarter},
        marking=_("Internal"),
        watermark=f"{reader.real_name} {local_time(timezone.now())}",
        reference=reference,
        issuer=f"{station.bureau.name if station.bureau else ''} {station.name}".strip(),
        facts=facts,
        tables=tables,
        notes=notes,
    )


def issue_report(station, year: int, quarter: int, fmt: str, *, actor) -> tuple[bytes, str]:
    """The sealed document and its reference; the issue is registered and audited."""
    if fmt not in ("pdf", "xlsx"):
        raise ValueError(fmt)
    document = build(station, year, quarter, reader=actor)
    data, algorithm, digest = issue(fmt, document)
    with transaction.atomic():
        issued = SupervisionReport.objects.create(
            reference=document.reference,
            station=station,
            year=year,
            quarter=quarter,
            fmt=fmt,
            issued_by=actor,
            algorithm=algorithm,
            digest=digest,
        )
        record_event(
            actor=actor,
            action="supervision.report",
            object_type="staff.supervisionreport",
            object_id=str(issued.pk),
            object_repr=issued.reference,
            details={
                "station": station.pk,
                "year": year,
                "quarter": quarter,
                "format": fmt,
                "digest": digest,
            },
        )
    return data, document.reference


def issued_report(digest: str):
    """For ``verify_export``: the supervision report with this digest."""
    found = SupervisionReport.objects.filter(digest=digest).select_related("issued_by").first()
    if found is None:
        return None
    return Issued(
        _("Training and supervision summary %(ref)s issued by %(name)s (%(number)s) at %(time)s")
        % {
            "ref": found.reference,
            "name": found.issued_by.real_name,
            "number": found.issued_by.username,
            "time": local_time(found.issued_at),
        }
    )
