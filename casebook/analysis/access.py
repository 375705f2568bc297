"""Access rules of risk assessments and warnings, registered from
:class:`~casebook.analysis.apps.AnalysisConfig.ready`: each is seen by whoever sees its
subject (and so is each rated factor and measure of an assessment)."""

from casebook.access.policy import Action
from casebook.access.registry import BureauRule, ParentRule, register
from casebook.subjects.models import Category, Subject

from .models import Measure, RatedFactor, RiskAssessment, RiskFactor, Warning, WarningRule


def register_rules() -> None:
    register(RiskAssessment, ParentRule(Subject, "subject"))
    register(Warning, ParentRule(Subject, "subject"))
    register(RatedFactor, ParentRule(RiskAssessment, "assessment"))
    register(Measure, ParentRule(RiskAssessment, "assessment"))
    # Configuration of a bureau: a category's factors follow the category; warning rules are
    # configured by the bureau's system administrator and named in its users' warning lists.
    register(RiskFactor, ParentRule(Category, "category"))
    register(
        WarningRule,
        BureauRule(
            [Action.CATEGORY_MANAGE, Action.SUBJECT_VIEW], default_action=Action.CATEGORY_MANAGE
        ),
    )
