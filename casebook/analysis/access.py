"""Access rules of risk assessments and warnings, registered from
:class:`~casebook.analysis.apps.AnalysisConfig.ready`: each is seen by whoever sees its
subject (and so is each rated factor and measure of an assessment)."""

from casebook.access.registry import ParentRule, register
from casebook.subjects.models import Subject

from .models import Measure, RatedFactor, RiskAssessment, Warning


def register_rules() -> None:
    register(RiskAssessment, ParentRule(Subject, "subject"))
    register(Warning, ParentRule(Subject, "subject"))
    register(RatedFactor, ParentRule(RiskAssessment, "assessment"))
    register(Measure, ParentRule(RiskAssessment, "assessment"))
