"""Reads of the analysis app that its pages use: warnings and assessments, always scoped by the
access policy (a warning or an assessment is seen with its subject)."""

from django.db.models import QuerySet
from django.http import Http404

from casebook.access import policy
from casebook.access.policy import Action
from casebook.core.choices import UnitKind
from casebook.core.models import Unit
from casebook.subjects.selectors import visible_subjects

from .models import RiskAssessment, Warning


def visible_warnings(user) -> QuerySet:
    """The warnings about subjects the user may see."""
    return Warning.objects.filter(subject__in=visible_subjects(user).values("pk"))


def get_warning(user, pk: int) -> Warning:
    """One warning the user may see; 404 otherwise."""
    warning = visible_warnings(user).filter(pk=pk).select_related("subject", "rule").first()
    if warning is None:
        raise Http404
    return warning


def get_assessment(user, pk: int) -> RiskAssessment:
    """One assessment of a subject the user may see; 404 otherwise."""
    assessment = RiskAssessment.objects.select_related("subject", "assessor").filter(pk=pk).first()
    if assessment is None or not policy.can(user, Action.SUBJECT_VIEW, assessment.subject):
        raise Http404
    return assessment


def assessment_history(subject, limit: int = 10) -> list[RiskAssessment]:
    """The subject's latest assessments, newest first."""
    return list(RiskAssessment.objects.filter(subject=subject).order_by("-assessed_at")[:limit])


def bureau_stations(user) -> QuerySet:
    """The stations of the user's bureau dashboard, by code."""
    return Unit.objects.filter(
        pk__in=policy.station_ids(user, Action.BUREAU_DASHBOARD), kind=UnitKind.STATION
    ).order_by("code")
