"""Access rules of tracked subjects and everything that hangs off them, registered with the
policy from :class:`~casebook.subjects.apps.SubjectsConfig.ready`.

A subject is restricted by its own scope (station, area, classification, compartments, assigned
officers). Its detail rows follow it. A link between two subjects is seen only by whoever sees
both ends. Other apps build their rules from :func:`visible_subjects` and
:func:`uncleared_subjects` (a record or a task about a subject the user may not see is hidden).
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access.policy import Action
from casebook.access.registry import ParentRule, Rule, ScopeRule, register

from .models import (
    Association,
    DrugTest,
    Identifier,
    IncidentDetail,
    Offence,
    PersonDetail,
    PlaceDetail,
    RehabPeriod,
    SituationEntry,
    Subject,
    Threat,
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


class AssociationRule(Rule):
    """A link is seen by whoever sees both of its ends."""

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        visible = Subject.objects.restrict(user, action)
        return Exists(visible.filter(pk=OuterRef("source_subject"))) & Exists(
            visible.filter(pk=OuterRef("target_subject"))
        )


def register_rules() -> None:
    register(Subject, ScopeRule(Subject.access_paths))
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
