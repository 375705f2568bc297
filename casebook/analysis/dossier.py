"""What the analysis module adds to a subject's dossier: the risk assessments card and the open
warnings of the overview (registered from ``AnalysisConfig.ready()``)."""

from casebook.access import policy
from casebook.subjects.dossier import register_overview_panel

from .models import RiskAssessment


def assessments_panel(request, subject) -> dict:
    return {
        "assessments": RiskAssessment.objects.filter(subject=subject).select_related("assessor")[
            :6
        ],
        "may_assess": policy.works_at_station(request.user, subject.station),
        "open_warnings": subject.warnings.filter(status="open").select_related("rule")[:5],
    }


def register() -> None:
    register_overview_panel(
        "assessments", 10, "analysis/subject_panel_assessments.html", assessments_panel
    )
