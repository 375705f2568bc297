"""What the information module adds to the pages of lower modules: the "Information" tab of a
subject's dossier and the records of a task's page (registered from ``IntelConfig.ready()``)."""

from django.utils.translation import gettext_lazy as _

from casebook.access import policy
from casebook.subjects.dossier import register_tab
from casebook.tracking.task_page import register_related

from .models import Rectification
from .selectors import visible_records, visit_tasks


def records_tab(request, subject) -> dict:
    user = request.user
    may_record = policy.works_at_station(user, subject.station)
    return {
        "records": list(
            visible_records(user)
            .filter(subjects=subject, merged_into__isnull=True)
            .order_by("-occurred_at")[:50]
        ),
        "rectifications": Rectification.objects.filter(subject=subject).select_related(
            "follow_up", "result__item"
        ),
        "may_record": may_record,
        # a visit serves the subject's open task the user works on: the only one is passed on,
        # several are asked for on the visit page
        "visit_tasks": list(visit_tasks(user, subject)[:10]) if may_record else [],
    }


def task_records(user, task):
    return visible_records(user).filter(task=task, merged_into__isnull=True).order_by("occurred_at")


def register() -> None:
    register_tab(
        "records",
        _("Information"),
        30,
        "intel/subject_tab_records.html",
        records_tab,
        related=("records",),
    )
    register_related("records", task_records)
