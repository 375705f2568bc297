"""What the subjects module adds to every home page: the counts of tracked subjects, each
linking to the list filtered the same way (registered from ``SubjectsConfig.ready()``)."""

from django.db.models import Count, Q
from django.utils import timezone

from casebook.access.policy import Action, reach

from .choices import Kind, RiskLevel, Status
from .models import Subject
from .selectors import visible_subjects


def subject_stats(user, role) -> dict:
    if reach(user, Action.SUBJECT_VIEW) is None:
        return {"subjects": None}
    active = visible_subjects(user).filter(status=Status.ACTIVE)
    today = timezone.localdate()
    # one pass over the open subjects the user may see, instead of one count per figure
    is_active = Q(status=Status.ACTIVE)
    mine = Q(pk__in=Subject.officers.through.objects.filter(user=user).values("subject_id"))
    counts = (
        visible_subjects(user)
        .exclude(status=Status.CLOSED)
        .aggregate(
            mine=Count("pk", filter=is_active & mine),
            persons=Count("pk", filter=is_active & Q(kind=Kind.PERSON)),
            places=Count("pk", filter=is_active & Q(kind=Kind.PLACE)),
            incidents=Count("pk", filter=is_active & Q(kind=Kind.INCIDENT)),
            overdue=Count("pk", filter=Q(review_due__lt=today)),
            high=Count("pk", filter=is_active & Q(risk_level__gte=RiskLevel.HIGH)),
        )
    )
    return {
        "subjects": {
            **counts,
            "mine_list": active.filter(officers=user)
            .select_related("category")
            .order_by("review_due")[:8],
            "officer_id": user.pk,
        }
    }
