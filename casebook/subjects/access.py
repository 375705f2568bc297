"""Access rules of tracked subjects and everything that hangs off them, registered with the
policy from :class:`~casebook.subjects.apps.SubjectsConfig.ready`.

A subject is restricted by its own scope (station, area, classification, compartments, assigned
officers). Its detail rows follow it. A link between two subjects is seen only by whoever sees
both ends. Other apps build their rules from :func:`visible_subjects` and
:func:`uncleared_subjects` (a record or a task about a subject the user may not see is hidden).
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access import policy
from casebook.access.policy import Action
from casebook.access.registry import (
    BureauRule,
    ParentRule,
    Rule,
    ScopeRule,
    is_active_user,
    register,
)
from casebook.accounts.roles import Role

from .choices import Status
from .models import (
    Association,
    Category,
    ChecklistItem,
    DrugTest,
    Identifier,
    IncidentDetail,
    Offence,
    PersonDetail,
    PlaceDetail,
    RehabPeriod,
    SituationEntry,
    Subject,
    SubjectImport,
    Threat,
)

#: A category is configured by its bureau's system administrator and chosen, filtered and shown
#: by the users of that bureau's stations.
CATEGORY_ACTIONS = (
    Action.CATEGORY_MANAGE,
    Action.SUBJECT_VIEW,
    Action.SUBJECT_CREATE,
    Action.SUBJECT_EDIT,
)


def visible_subjects(user, action=Action.SUBJECT_VIEW):
    """The subjects ``user`` may see, as a subquery of primary keys."""
    return Subject.objects.restrict(user, action).values("pk")


def uncleared_subjects(user):
    """The subjects above the user's clearance or in a compartment the user lacks (a subquery):
    what even a deliberate share may not show them."""
    through = Subject.compartments.through
    lacking = through.objects.filter(subject=OuterRef("pk")).exclude(
        compartment__code__in=user.compartment_codes
    )
    return Subject.objects.filter(Q(classification__gt=user.clearance) | Exists(lacking)).values(
        "pk"
    )


class SubjectRule(ScopeRule):
    """A subject's own scope; a subject **restricted** because its review is overdue beyond the
    grace period (set by the retention module's job) is, until a leader renews or closes it,
    reached by its station leader only — for every action: no one else reads it, works on it
    or gives it new tasks. Its detail rows, records and tasks follow (their rules are built on
    this one)."""

    def filter(self, user, action):
        q = super().filter(user, action)
        if q is not None and Role.STATION_LEADER not in user.role_set:
            q &= ~Q(status=Status.RESTRICTED)
        return q

    def allows(self, user, action, obj):
        if obj.status == Status.RESTRICTED and not (
            is_active_user(user) and Role.STATION_LEADER in user.role_set
        ):
            return False
        return super().allows(user, action, obj)


class AssociationRule(Rule):
    """A link is seen by whoever sees both of its ends."""

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        visible = Subject.objects.restrict(user, action)
        return Exists(visible.filter(pk=OuterRef("source_subject"))) & Exists(
            visible.filter(pk=OuterRef("target_subject"))
        )


def import_station_ids(user) -> set[int]:
    """Stations whose registers ``user`` may import: a station leader's own (one who both
    approves and registers subjects there). Bureau leaders approve but register no subjects,
    so they do not import."""
    return policy.station_ids(user, Action.SUBJECT_APPROVE) & policy.station_ids(
        user, Action.SUBJECT_CREATE
    )


def may_import(user, station) -> bool:
    return (
        station is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and station.pk in import_station_ids(user)
    )


class ImportRule(Rule):
    """A register import is seen by whoever may import into its station."""

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        return Q(station_id__in=import_station_ids(user))


def register_rules() -> None:
    register(Subject, SubjectRule(Subject.access_paths))
    for model, path in (
        (Identifier, "subject"),
        (PersonDetail, "subject"),
        (PlaceDetail, "subject"),
        (IncidentDetail, "subject"),
        (Offence, "person__subject"),
        (RehabPeriod, "person__subject"),
        (DrugTest, "person__subject"),
        (Threat, "person__subject"),
        (SituationEntry, "incident__subject"),
    ):
        register(model, ParentRule(Subject, path))
    register(Association, AssociationRule())
    register(SubjectImport, ImportRule())
    # Configuration: a bureau's categories, for its administrator and its own stations' users.
    register(Category, BureauRule(CATEGORY_ACTIONS, default_action=Action.CATEGORY_MANAGE))
    register(ChecklistItem, ParentRule(Category, "category"))
