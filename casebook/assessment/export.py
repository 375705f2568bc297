"""The sealed PDF / Excel of a station's quarterly assessment results (through
``reports.documents``: PDF/A signed and sealed, Excel sealed)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from casebook.audit.services import record_event
from casebook.reports.archive import local_time
from casebook.reports.documents import Document, Table, issue
from casebook.reports.selectors import Issued

from . import figures
from .models import Assessment, ResultsExport
from .periods import parse_period
from .services import _require_station, grade_label


def build(station, quarter, user) -> Document:
    rows = (
        Assessment.objects.filter(station=station, period=quarter.code)
        .select_related("officer")
        .order_by("officer__username")
    )
    codes = [f.code for f in figures.FIGURES]
    columns = [_("Police number"), _("Officer"), _("Status"), pgettext("appraisal", "Grade")]
    columns += [str(f.label) for f in figures.FIGURES] + [
        pgettext("appraisal", "Findings"),
        _("Complaints"),
    ]
    body = []
    for a in rows:
        figs = a.basis.get("figures", {})
        line = [
            a.officer.username,
            a.officer.real_name,
            str(a.get_status_display()),
            grade_label(a.grade) if a.grade else "—",
        ]
        line += [f"{figs[c][0]}/{figs[c][1]}" if c in figs else "—" for c in codes]
        line += [
            str(a.basis.get("findings", 0)),
            str(a.basis.get("opinions", {}).get("complaint", 0)),
        ]
        body.append(line)
    return Document(
        title=_("Quarterly work assessment: %(station)s, %(period)s")
        % {"station": station, "period": quarter.label},
        marking=_("Internal"),
        watermark=f"{user.real_name} {local_time(timezone.now())}",
        reference=f"KH-{station.code}-{quarter.code}-{timezone.now():%Y%m%d%H%M%S}",
        issuer=f"{station.parent or ''} {station}".strip(),
        facts=[(_("Officers assessed"), str(len(body)))],
        tables=[Table(_("Results"), columns, body)],
        notes=[f"{f.label}: {f.definition}" for f in figures.FIGURES],
    )


def results_export(*, actor, station, period: str, fmt: str) -> tuple[bytes, str]:
    _require_station(actor, station)
    quarter = parse_period(period)
    if fmt not in ("pdf", "xlsx"):
        raise ValueError(fmt)
    document = build(station, quarter, actor)
    content, algorithm, digest = issue(fmt, document)
    with transaction.atomic():
        issued = ResultsExport.objects.create(
            reference=document.reference,
            station=station,
            period=quarter.code,
            fmt=fmt,
            issued_by=actor,
            algorithm=algorithm,
            digest=digest,
        )
        record_event(
            actor=actor,
            action="appraisal.export",
            object_type="assessment.resultsexport",
            object_id=str(issued.pk),
            object_repr=issued.reference,
            details={"digest": digest, "algorithm": algorithm, "fmt": fmt},
        )
    return content, document.reference


def issued_results(digest: str):
    issued = ResultsExport.objects.filter(digest=digest).select_related("issued_by").first()
    if issued is None:
        return None
    return Issued(
        _("Assessment results %(ref)s issued by %(name)s (%(number)s) at %(time)s")
        % {
            "ref": issued.reference,
            "name": issued.issued_by.real_name,
            "number": issued.issued_by.username,
            "time": local_time(issued.issued_at),
        }
    )
