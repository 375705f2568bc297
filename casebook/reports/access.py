"""Access rules of feedback reports, urgent reports, exports and periodic reports, registered
from :class:`~casebook.reports.apps.ReportsConfig.ready`.

A feedback report is seen by its recipients and by whoever sees its task and all the task's
subjects. An urgent report is seen by its author and the people it was sent to, and by those
who oversee its station or see its subject unless it concerns a subject hidden from them; it
is acknowledged by a recipient or a leader over the station, never by its author. An export is
its maker's; a periodic report is seen by whoever sees the station's dashboard.
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import OwnerRule, ParentRule, Rule, ScopeRule, register
from casebook.accounts.roles import LEADER_ROLES
from casebook.intel.models import InformationRecord
from casebook.subjects.access import visible_subjects
from casebook.tracking.models import Task

from .models import (
    Delivery,
    DutyShift,
    Export,
    FeedbackReceipt,
    FeedbackReport,
    PeriodicReport,
    UrgentReport,
)


class RosterRule(Rule):
    """A duty shift is kept by the leaders of its roster: a station leader's station, a bureau
    leader's bureau (``policy.roster_units``). The roster names no case data, so the action
    does not matter."""

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        units = [unit.pk for unit in policy.roster_units(user)]
        return Q(unit__in=units) if units else None


def _links_hiding(model, field_name: str, ref: str, user):
    """EXISTS a subject link of ``model.<field_name>`` (for the row ``ref`` points at) to a
    subject the user may not see."""
    field = model._meta.get_field(field_name)
    links = field.remote_field.through.objects.filter(**{field.m2m_field_name(): OuterRef(ref)})
    return Exists(links.exclude(subject__in=visible_subjects(user)))


class FeedbackRule(Rule):
    default_action = Action.FEEDBACK_VIEW
    actions = frozenset({Action.FEEDBACK_VIEW})

    def filter(self, user, action):
        tasks = Task.objects.restrict(user, Action.TASK_VIEW)
        by_task = Exists(tasks.filter(pk=OuterRef("task"))) & ~_links_hiding(
            Task, "subjects", "task", user
        )
        sent = Exists(FeedbackReceipt.objects.filter(report=OuterRef("pk"), user=user.pk))
        return by_task | sent


class UrgentRule(Rule):
    default_action = Action.URGENT_VIEW
    actions = frozenset({Action.URGENT_VIEW, Action.URGENT_ACKNOWLEDGE})

    def filter(self, user, action):
        sent_to_me = Exists(Delivery.objects.filter(report=OuterRef("pk"), recipient=user.pk))
        managed = Q(station__in=policy.station_ids(user, Action.TASK_ASSIGN))
        if action == Action.URGENT_ACKNOWLEDGE:
            return (sent_to_me | managed) & ~Q(author=user.pk)
        overseen = Q(station__in=policy.station_ids(user, Action.STATION_DASHBOARD))
        if user.role_set & LEADER_ROLES:
            overseen |= managed
        visible = visible_subjects(user)
        about = Q(subject__in=visible)
        not_hidden = (
            (Q(subject__isnull=True) | Q(subject__in=visible))
            & ~_links_hiding(InformationRecord, "subjects", "record", user)
            & ~_links_hiding(Task, "subjects", "task", user)
        )
        return Q(author=user.pk) | sent_to_me | ((overseen | about) & not_hidden)

    def allows(self, user, action, obj):
        if action == Action.URGENT_ACKNOWLEDGE:
            if user.pk == obj.author_id:
                return False
            if obj.deliveries.filter(recipient=user).exists():
                return True
            return obj.station_id in policy.station_ids(user, Action.TASK_ASSIGN)
        return super().allows(user, action, obj)


def register_rules() -> None:
    register(FeedbackReport, FeedbackRule())
    register(FeedbackReceipt, OwnerRule("user"))
    register(UrgentReport, UrgentRule())
    register(Delivery, ParentRule(UrgentReport, "report"))
    register(Export, OwnerRule("user"))
    register(DutyShift, RosterRule())
    register(
        PeriodicReport,
        ScopeRule(PeriodicReport.access_paths, default_action=Action.STATION_DASHBOARD),
    )
