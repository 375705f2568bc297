"""Access rules of information records, informants and public tips, registered from
:class:`~casebook.intel.apps.IntelConfig.ready`.

A record speaks about every subject it concerns: it is visible only to a user who may see all
of them (a NOT EXISTS on its subject links, no DISTINCT). An informant's code and grade are
seen at the informant's station; the identity only by the handler and the station leader who
holds the informant compartment — nobody else, whatever their role. Tips are triaged by the
station they are addressed to (or by any station when addressed to none).
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access import policy
from casebook.access.policy import Action, Reach
from casebook.access.registry import ParentRule, Rule, register
from casebook.accounts.roles import Role
from casebook.subjects.access import visible_subjects
from casebook.subjects.models import Subject
from casebook.tracking.models import Task

from .models import (
    Attachment,
    ChecklistResult,
    Informant,
    InformationRecord,
    PartnerAnswer,
    PartnerLink,
    Rectification,
    Tip,
)

#: The compartment whose holders (among station leaders) may see informants' identities.
INFORMANT_COMPARTMENT = "informants"


class RecordRule(Rule):
    """Seen (exported) within the stations the user sees (exports), unless it concerns a
    subject the user may not see."""

    actions = frozenset({Action.SUBJECT_VIEW, Action.SUBJECT_EXPORT})

    def filter(self, user, action):
        if policy.reach(user, action) is None:
            return None
        field = InformationRecord.subjects.field
        links = field.remote_field.through.objects.filter(
            **{field.m2m_field_name(): OuterRef("pk")}
        )
        hidden = links.exclude(subject__in=visible_subjects(user))
        return Q(station__in=policy.station_ids(user, action)) & ~Exists(hidden)


class InformantRule(Rule):
    """``SUBJECT_VIEW``: the code and grade, for whoever sees the records of the informant's own
    station (working at it); ``INFORMANT_REVEAL``: the identity (see the module)."""

    actions = frozenset({Action.SUBJECT_VIEW, Action.INFORMANT_REVEAL})

    def filter(self, user, action):
        station = user.unit.station
        if action == Action.SUBJECT_VIEW:
            if station is None or policy.reach(user, Action.SUBJECT_VIEW) is None:
                return None
            return Q(station=station)
        mine = Q(handler=user.pk)
        if (
            station is not None
            and Role.STATION_LEADER in user.role_set
            and INFORMANT_COMPARTMENT in user.compartment_codes
        ):
            mine |= Q(station=station)
        return mine

    def allows(self, user, action, obj):
        if action == Action.INFORMANT_REVEAL:
            if user.pk == obj.handler_id:
                return True
            station = user.unit.station
            return (
                Role.STATION_LEADER in user.role_set
                and INFORMANT_COMPARTMENT in user.compartment_codes
                and station is not None
                and station.pk == obj.station_id
            )
        return super().allows(user, action, obj)


def may_register_informants(user) -> bool:
    """Informants are registered by a station leader holding the informant compartment."""
    return (
        policy.reach(user, Action.INFORMANT_REGISTER) == Reach.STATION
        and user.unit.station is not None
        and INFORMANT_COMPARTMENT in user.compartment_codes
    )


class TipRule(Rule):
    """Tips addressed to a station the user triages, or to no station in particular."""

    default_action = Action.TIP_TRIAGE
    actions = frozenset({Action.TIP_TRIAGE})

    def filter(self, user, action):
        if policy.reach(user, action) is None:
            return None
        return Q(station__in=policy.station_ids(user, action)) | Q(station__isnull=True)


class PartnerLinkRule(Rule):
    """A department's link is seen by whoever sees its task (or its incident)."""

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        tasks = Task.objects.restrict(user, Action.TASK_VIEW)
        return Exists(tasks.filter(pk=OuterRef("share__task"))) | Q(
            incident__in=visible_subjects(user)
        )


def register_rules() -> None:
    register(InformationRecord, RecordRule())
    register(Attachment, ParentRule(InformationRecord, "record"))
    register(ChecklistResult, ParentRule(InformationRecord, "record"))
    register(Rectification, ParentRule(Subject, "subject"))
    register(Informant, InformantRule())
    register(Tip, TipRule())
    register(PartnerLink, PartnerLinkRule())
    register(PartnerAnswer, ParentRule(PartnerLink, "link"))
