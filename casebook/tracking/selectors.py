"""Reads of tracking tasks, always scoped by the access policy."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action
from casebook.access.registry import get_for_user_or_404
from casebook.audit.models import AuditEvent

from .choices import Stage
from .models import Task, TaskDeadline


def _with_due(qs: QuerySet) -> QuerySet:
    """Annotate ``due`` = the deadline of the task's current stage."""
    current = TaskDeadline.objects.filter(task=OuterRef("pk"), stage=OuterRef("stage"))
    return qs.annotate(due=Subquery(current.values("due_at")[:1]))


def visible_tasks(user) -> QuerySet:
    qs = Task.objects.restrict(user, Action.TASK_VIEW)
    return (
        _with_due(qs)
        .select_related("lead", "station", "assigner")
        .prefetch_related("subjects", "deadlines")
    )


def get_task(user, pk) -> Task:
    return get_for_user_or_404(
        user, Task.objects.select_related("lead", "station", "assigner"), Action.TASK_VIEW, pk=pk
    )


QUEUES = ("mine", "overdue", "unaccepted", "station", "archived")


def queue(user, name: str, stage: str = "") -> QuerySet:
    """The work queues: my open tasks by due date; overdue; not yet accepted; the station's open
    tasks; the archive."""
    qs = visible_tasks(user)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    return queue_of(qs, user, name)


def queue_of(qs: QuerySet, user, name: str) -> QuerySet:
    """``qs`` (tasks the user may see) narrowed to one of the work queues, in its order."""
    open_tasks = qs.exclude(stage=Stage.ARCHIVED)
    if name == "mine":
        mine = Q(lead=user) | Q(team=user) | Q(shares__assignee=user)
        return open_tasks.filter(pk__in=Task.objects.filter(mine).values("pk")).order_by(
            "due", "pk"
        )
    if name == "overdue":
        return open_tasks.filter(due__lt=timezone.now()).order_by("due", "pk")
    if name == "unaccepted":
        return open_tasks.filter(accepted_at__isnull=True).order_by("created_at", "pk")
    if name == "archived":
        return qs.filter(stage=Stage.ARCHIVED).order_by("-archived_at", "-pk")
    return open_tasks.order_by("due", "pk")


BOARD_CARDS = 20


def board(user) -> list[dict]:
    """Open tasks of the user's reach by stage (the leader's stage board): per column the count,
    how many are late, and the cards due soonest."""
    open_tasks = queue(user, "station")
    now = timezone.now()
    stages = [(value, label) for value, label in Stage.choices if value != Stage.ARCHIVED]
    # every column's count and late count in one aggregate (they were two COUNTs a column)
    wanted = {}
    for value, _label in stages:
        wanted[f"n_{value}"] = Count("pk", filter=Q(stage=value))
        wanted[f"late_{value}"] = Count("pk", filter=Q(stage=value, due__lt=now))
    figures = open_tasks.order_by().aggregate(**wanted)
    columns = []
    for value, label in stages:
        cards = list(open_tasks.filter(stage=value)[:BOARD_CARDS])
        for t in cards:
            t.late = t.due is not None and t.due < now
        columns.append(
            {
                "stage": value,
                "label": label,
                "cards": cards,
                "count": figures[f"n_{value}"],
                "late": figures[f"late_{value}"],
            }
        )
    return columns


def history(task: Task):
    """Every transition, hand-over, comment and escalation of the task, from the audit log."""
    return AuditEvent.objects.filter(object_type="tracking.task", object_id=str(task.pk)).order_by(
        "seq"
    )


def purpose_for(user, subject) -> str:
    """Pre-fills the consultation purpose with the user's open task on the subject."""

    task = (
        Task.objects.filter(subjects=subject)
        .exclude(stage=Stage.ARCHIVED)
        .filter(Q(lead=user) | Q(team=user) | Q(shares__assignee=user))
        .order_by("-created_at")
        .first()
    )
    if task is None:
        return ""
    return _("Task %(ref)s: %(title)s") % {"ref": task.reference, "title": task.title}
