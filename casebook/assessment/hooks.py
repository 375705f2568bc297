"""How the assessment module plugs into the layers below (from ``AssessmentConfig.ready()``):
access rules, audit action codes, the figures job, the menu and the officer-file section."""

from django.utils.translation import gettext_lazy as _

from casebook.accounts.navigation import ANALYSIS
from casebook.accounts.officer_file import register_section
from casebook.audit.labels import register_action
from casebook.core.context_processors import NavItem, register_nav
from casebook.core.jobs import register_job
from casebook.reports.selectors import register_issued_lookup

from . import access, export, services
from .access import assessed_stations, is_bureau
from .choices import AssessmentStatus, MeasureStatus
from .models import Assessment, Measure

ACTIONS = {
    "appraisal.spot_draw": _("Spot check drawn"),
    "appraisal.spot_check": _("Spot-check item checked"),
    "appraisal.opinion_receive": _("Opinion received"),
    "appraisal.opinion_triage": _("Opinion assigned"),
    "appraisal.opinion_answer": _("Opinion answered"),
    "appraisal.draft": _("Assessment drafted"),
    "appraisal.score": _("Assessment scored"),
    "appraisal.read": _("Assessment read by the officer"),
    "appraisal.object": _("Objection to an assessment stated"),
    "appraisal.confirm": _("Assessment confirmed"),
    "appraisal.export": _("Assessment results exported"),
    "appraisal.measure_propose": _("Reward or discipline proposed"),
    "appraisal.measure_statement": _("Officer's statement on discipline made"),
    "appraisal.measure_forward": _("Reward or discipline forwarded to the bureau"),
    "appraisal.measure_decide": _("Reward or discipline decided"),
    "read.appraisal": _("Assessment page viewed"),
}


def file_section(viewer, officer):
    """The officer-file section: confirmed assessment results and decided measures."""
    own = viewer.pk == officer.pk
    if not own and not (assessed_stations(viewer) or is_bureau(viewer)):
        return None
    assessments = Assessment.objects.restrict(viewer).filter(officer=officer)
    measures = Measure.objects.restrict(viewer).filter(officer=officer)
    return {
        "assessments": [
            (a, services.grade_label(a.grade))
            for a in assessments.filter(status=AssessmentStatus.CONFIRMED).order_by("-period")
        ],
        "measures": measures.filter(status=MeasureStatus.DECIDED).order_by("-decided_at"),
    }


def register() -> None:
    access.register_rules()
    for code, label in ACTIONS.items():
        register_action(code, label)
    register_job(services.recompute_figures)
    register_issued_lookup(export.issued_results)
    register_section(
        "assessment",
        _("Assessment results, rewards and discipline"),
        file_section,
        "assessment/file_section.html",
        order=60,
    )
    register_nav(
        NavItem(
            "assessment:index",
            _("Work assessment"),
            "clipboard-data",
            lambda user: bool(getattr(user, "is_authenticated", False) and user.works_cases),
            group=ANALYSIS,
        ),
    )
