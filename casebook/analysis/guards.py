"""What analysis requires before a tracking task moves on (article 四(四)): an assessment of
each of the task's subjects, made for this task, before feeding back."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casebook.tracking.choices import Stage
from casebook.tracking.services import register_guard

from .models import AssessmentStatus


def _assessed(task) -> list[str]:
    done = set(
        task.assessments.filter(
            status__in=[AssessmentStatus.APPROVED, AssessmentStatus.PENDING]
        ).values_list("subject_id", flat=True)
    )
    missing = [s.name for s in task.subjects.all() if s.pk not in done]
    if not missing:
        return []
    return [_("Assess the risk of: %(names)s.") % {"names": "、".join(missing)}]


register_guard(
    Stage.ANALYSING,
    Stage.FEEDBACK,
    _assessed,
    requirement=gettext_lazy("a risk assessment of each subject, made for this task"),
)
