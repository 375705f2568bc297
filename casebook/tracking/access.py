"""Access rules of tracking tasks, registered from
:class:`~casebook.tracking.apps.TrackingConfig.ready`.

A task speaks about every subject it concerns. It is seen by its station (and the bureau above
it) and by its lead and team — but only by those who may see every one of its subjects
(SECURITY.md A1, A2). A cooperating unit's assignee (a share) sees the task without the
subjects' dossiers, and only when cleared for each subject's classification and holding its
compartments. It is worked on (stages, comments) by the lead and team, and managed (assigned,
handed over, shared) by leaders. Each condition is an EXISTS / NOT EXISTS on the task's rows:
no join, no DISTINCT, so that lists stay fast.
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import BureauRule, OwnerRule, ParentRule, Rule, register
from casebook.subjects.access import uncleared_subjects, visible_subjects

from .models import (
    DeadlineRule,
    Escalation,
    Notification,
    Task,
    TaskComment,
    TaskDeadline,
    TaskShare,
)


class TaskRule(Rule):
    default_action = Action.TASK_VIEW
    actions = frozenset({Action.TASK_VIEW, Action.TASK_ASSIGN, Action.TASK_WORK})

    @staticmethod
    def _in_team(user):
        return Exists(Task.team.through.objects.filter(task=OuterRef("pk"), user=user.pk))

    def filter(self, user, action):
        managed = Q(station__in=policy.station_ids(user, Action.TASK_ASSIGN))
        if action == Action.TASK_ASSIGN:
            return managed
        if action == Action.TASK_WORK:
            return Q(lead=user.pk) | self._in_team(user) | managed
        links = Task.subjects.through.objects.filter(task=OuterRef("pk"))
        involved = Q(lead=user.pk) | self._in_team(user)
        if policy.reach(user, Action.TASK_VIEW) is not None:
            involved |= Q(station__in=policy.station_ids(user, Action.TASK_VIEW))
        seen = involved & ~Exists(links.exclude(subject__in=visible_subjects(user)))
        shared = Exists(TaskShare.objects.filter(task=OuterRef("pk"), assignee=user.pk)) & ~Exists(
            links.filter(subject__in=uncleared_subjects(user))
        )
        return seen | shared

    def allows(self, user, action, obj):
        manages = obj.station_id in policy.station_ids(user, Action.TASK_ASSIGN)
        if action == Action.TASK_ASSIGN:
            return manages
        if action == Action.TASK_WORK:
            return user.pk == obj.lead_id or obj.team.filter(pk=user.pk).exists() or manages
        return super().allows(user, action, obj)


def may_see_task_subjects(user, subjects, *, shared: bool = False) -> bool:
    """May ``user`` work on a task about ``subjects``? The lead and team must be able to see
    every subject; a cooperating unit's assignee (``shared``) must be cleared for each one's
    classification and hold its compartments."""
    if shared:
        return all(
            s.classification <= user.clearance
            and set(s.compartments.values_list("code", flat=True)) <= user.compartment_codes
            for s in subjects
        )
    return all(policy.can(user, Action.SUBJECT_VIEW, s) for s in subjects)


def register_rules() -> None:
    register(Task, TaskRule())
    for model in (TaskDeadline, TaskShare, TaskComment, Escalation):
        register(model, ParentRule(Task, "task"))
    register(Notification, OwnerRule("user"))
    register(
        DeadlineRule, BureauRule([Action.CATEGORY_MANAGE], default_action=Action.CATEGORY_MANAGE)
    )
