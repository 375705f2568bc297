"""What the tracking module adds to the home pages (registered from ``TrackingConfig.ready()``):
the "My tasks" figure, and for officers in the field the day's work — the visits and
inspections due today (or late) and the other tasks due — shown before every counter, since
that is what an officer opens the app for on a phone."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from casebook.access.policy import Action, reach
from casebook.accounts.roles import Role
from casebook.subjects.selectors import visible_subjects

from .choices import Origin
from .selectors import queue

#: at most this many rows per list on the home page; the queue link shows the rest
TODAY_LIMIT = 8
FIELD_ROLES = (Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER)


def my_tasks(user, role) -> dict:
    if reach(user, Action.TASK_VIEW) is None:
        return {}
    return {"my_tasks": queue(user, "mine").count()}


def today(user, role) -> dict:
    """The officer's day: their open tasks whose current stage is due by the end of today
    (local time) or already late, scheduled visits and inspections apart from the rest, each
    with the subjects the officer may see (the visit button goes to the task's subject)."""
    if role not in FIELD_ROLES or reach(user, Action.TASK_VIEW) is None:
        return {}
    now = timezone.now()
    # midnight at the end of today, local time
    end = timezone.make_aware(
        datetime.combine(timezone.localdate(now) + timedelta(days=1), time.min)
    )
    due = queue(user, "mine").filter(due__lt=end)
    visits = due.filter(origin=Origin.SCHEDULE)
    others = due.exclude(origin=Origin.SCHEDULE)
    rows = {"visits": list(visits[:TODAY_LIMIT]), "tasks": list(others[:TODAY_LIMIT])}
    seen = set(
        visible_subjects(user)
        .filter(pk__in={s.pk for t in rows["visits"] + rows["tasks"] for s in t.subjects.all()})
        .values_list("pk", flat=True)
    )
    for task in rows["visits"] + rows["tasks"]:
        task.late = task.due is not None and task.due < now
        task.shown_subjects = [s for s in task.subjects.all() if s.pk in seen]
    return {
        "today": {
            **rows,
            "visits_count": visits.count(),
            "tasks_count": others.count(),
        }
    }
