"""What the subjects module adds to every home page: the counts of tracked subjects, each
linking to the list filtered the same way (registered from ``SubjectsConfig.ready()``)."""

from django.utils import timezone

from casebook.access.policy import Action, reach

from .choices import Kind, RiskLevel, Status
from .selectors import visible_subjects


def subject_stats(user, role) -> dict:
    if reach(user, Action.SUBJECT_VIEW) is None:
        return {"subjects": None}
    active = visible_subjects(user).filter(status=Status.ACTIVE)
    today = timezone.localdate()
    return {
        "subjects": {
            "mine": active.filter(officers=user).count(),
            "mine_list": active.filter(officers=user)
            .select_related("category")
            .order_by("review_due")[:8],
            "persons": active.filter(kind=Kind.PERSON).count(),
            "places": active.filter(kind=Kind.PLACE).count(),
            "incidents": active.filter(kind=Kind.INCIDENT).count(),
            "overdue": visible_subjects(user)
            .exclude(status=Status.CLOSED)
            .filter(review_due__lt=today)
            .count(),
            "high": active.filter(risk_level__gte=RiskLevel.HIGH).count(),
            "officer_id": user.pk,
        }
    }
