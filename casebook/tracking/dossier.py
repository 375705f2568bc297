"""What the tracking module adds to a subject's dossier: the tasks card of the overview and the
purpose suggested in the consultation prompt (registered from ``TrackingConfig.ready()``)."""

from casebook.access import policy
from casebook.access.policy import Action
from casebook.subjects.dossier import register_overview_panel, register_purpose_suggester

from .selectors import purpose_for, visible_tasks


def tasks_panel(request, subject) -> dict:
    user = request.user
    return {
        "tasks": list(visible_tasks(user).filter(subjects=subject).order_by("-created_at")[:8]),
        "may_assign_task": subject.station_id in policy.station_ids(user, Action.TASK_ASSIGN),
    }


def register() -> None:
    register_overview_panel(
        "tasks", 20, "tracking/subject_panel_tasks.html", tasks_panel, related=("tasks",)
    )
    register_purpose_suggester(purpose_for)  # the user's open task on the subject
