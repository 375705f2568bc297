"""THE access policy of Casebook: who may do what to which object.

Every view, API endpoint, search, export and dashboard asks this module; no other module decides
access. Three questions, in order:

1. **Role** — does one of the user's roles grant the action at all (``RULES``)?
2. **Scope** — is the object inside the reach that role gives: the user's own station, the
   bureau above it, or only objects the user is assigned to?
3. **Protection** — is the user cleared for the object's classification, does the user hold
   every compartment it carries, and, from 秘密 (CONFIDENTIAL) up, is the user assigned to it
   (need-to-know) unless the role oversees the station?

This module holds the generic half: actions, the role grants (``RULES``), the user's reach and
stations, and the check of an object's :class:`ObjectScope`. The model half lives with each app:
its ``access.py`` registers one rule per model (:mod:`casebook.access.registry`), and every read
goes through ``Model.objects.restrict(user, action)`` or ``get_for_user_or_404``. This package
imports no app above it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied

from casebook.accounts.roles import CASE_WORKERS, OVERSIGHT_ROLES, Role
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit


class Action(StrEnum):
    # case data
    SUBJECT_VIEW = "subject.view"
    SUBJECT_CREATE = "subject.create"
    SUBJECT_EDIT = "subject.edit"
    SUBJECT_APPROVE = "subject.approve"
    SUBJECT_EXPORT = "subject.export"
    TIP_TRIAGE = "tip.triage"
    TASK_VIEW = "task.view"
    TASK_ASSIGN = "task.assign"
    TASK_WORK = "task.work"  # move through stages, comment: the task's rule decides
    FEEDBACK_VIEW = "feedback.view"  # the feedback report's rule decides
    URGENT_SEND = "urgent.send"
    URGENT_VIEW = "urgent.view"  # the urgent report's rule decides
    URGENT_ACKNOWLEDGE = "urgent.acknowledge"  # the urgent report's rule decides
    INFORMANT_REGISTER = "informant.register"
    INFORMANT_REVEAL = "informant.reveal"  # the informant's rule decides
    STATION_DASHBOARD = "dashboard.station"
    BUREAU_DASHBOARD = "dashboard.bureau"
    # administration (separation of duties, SECURITY.md A3)
    UNIT_MANAGE = "unit.manage"
    CATEGORY_MANAGE = "category.manage"
    CATEGORY_APPROVE = "category.approve"  # a bureau leader signs off a new or changed category
    USER_MANAGE = "user.manage"
    ROLE_GRANT = "role.grant"
    GRANT_APPROVE = "grant.approve"
    POLICY_MANAGE = "policy.manage"
    KEY_VIEW = "key.view"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    # information lifecycle (issue #14)
    RETENTION_VIEW = "retention.view"  # proposals, holds, restricted subjects
    DESTRUCTION_APPROVE = "destruction.approve"  # one of the two approvals
    LEGAL_HOLD = "legal_hold.manage"
    RETENTION_CONFIGURE = "retention.configure"  # the periods of the retention classes
    PROCESSING_REGISTER = "processing_register.view"


class Reach(StrEnum):
    """How far a role's grant extends."""

    ASSIGNED = "assigned"  # only objects the user is responsible for (or in the user's area)
    STATION = "station"  # everything of the user's own station
    BUREAU = "bureau"  # every station of the user's bureau
    GLOBAL = "global"  # not object-scoped (administration of the user's own bureau)


R = Role
RULES: dict[Action, dict[str, Reach]] = {
    Action.SUBJECT_VIEW: {
        R.TRACKING_OFFICER: Reach.STATION,
        R.COMMUNITY_OFFICER: Reach.STATION,
        R.ANALYST: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
        R.SUPERVISOR: Reach.BUREAU,
    },
    Action.SUBJECT_CREATE: {
        R.TRACKING_OFFICER: Reach.STATION,
        R.COMMUNITY_OFFICER: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
    },
    Action.SUBJECT_EDIT: {
        R.TRACKING_OFFICER: Reach.ASSIGNED,
        R.COMMUNITY_OFFICER: Reach.ASSIGNED,
        R.STATION_LEADER: Reach.STATION,
    },
    Action.SUBJECT_APPROVE: {R.STATION_LEADER: Reach.STATION},
    Action.SUBJECT_EXPORT: {
        R.ANALYST: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
    },
    Action.TASK_VIEW: {
        R.TRACKING_OFFICER: Reach.STATION,
        R.COMMUNITY_OFFICER: Reach.STATION,
        R.ANALYST: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
        R.SUPERVISOR: Reach.BUREAU,
    },
    Action.TASK_ASSIGN: {R.STATION_LEADER: Reach.STATION, R.BUREAU_LEADER: Reach.BUREAU},
    Action.TIP_TRIAGE: {
        R.TRACKING_OFFICER: Reach.STATION,
        R.COMMUNITY_OFFICER: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
    },
    Action.URGENT_SEND: {
        R.TRACKING_OFFICER: Reach.STATION,
        R.COMMUNITY_OFFICER: Reach.STATION,
        R.ANALYST: Reach.STATION,
        R.STATION_LEADER: Reach.STATION,
    },
    Action.INFORMANT_REGISTER: {R.STATION_LEADER: Reach.STATION},
    Action.STATION_DASHBOARD: {
        R.STATION_LEADER: Reach.STATION,
        R.ANALYST: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
        R.SUPERVISOR: Reach.BUREAU,
    },
    Action.BUREAU_DASHBOARD: {R.BUREAU_LEADER: Reach.BUREAU, R.SUPERVISOR: Reach.BUREAU},
    Action.UNIT_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.CATEGORY_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.CATEGORY_APPROVE: {R.BUREAU_LEADER: Reach.BUREAU},
    Action.USER_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.ROLE_GRANT: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.GRANT_APPROVE: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.POLICY_MANAGE: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.KEY_VIEW: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.AUDIT_VIEW: {R.AUDIT_ADMIN: Reach.GLOBAL},
    Action.AUDIT_EXPORT: {R.AUDIT_ADMIN: Reach.GLOBAL},
    Action.RETENTION_VIEW: {
        R.STATION_LEADER: Reach.STATION,
        R.SECURITY_ADMIN: Reach.GLOBAL,
        R.AUDIT_ADMIN: Reach.GLOBAL,
    },
    Action.DESTRUCTION_APPROVE: {R.STATION_LEADER: Reach.STATION, R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.LEGAL_HOLD: {R.STATION_LEADER: Reach.STATION},
    Action.RETENTION_CONFIGURE: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.PROCESSING_REGISTER: {R.SECURITY_ADMIN: Reach.GLOBAL, R.AUDIT_ADMIN: Reach.GLOBAL},
}

#: From this classification up, seeing an object also needs an assignment (need-to-know).
NEED_TO_KNOW_FROM = Classification.CONFIDENTIAL
_ORDER = [Reach.ASSIGNED, Reach.STATION, Reach.BUREAU, Reach.GLOBAL]


@dataclass(frozen=True)
class ObjectScope:
    """What the policy needs to know about one protected object."""

    station_id: int | None
    area_id: int | None = None
    classification: int = Classification.PUBLIC
    compartments: frozenset[str] = frozenset()
    assignee_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AccessPaths:
    """Field paths of a model for queryset filtering (``None`` when it has no such field)."""

    station: str = "station"
    area: str | None = None
    classification: str | None = None
    compartments: str | None = None  # path to the Compartment relation
    assignees: str | None = None  # path to the User relation of assigned officers
    extra: dict = field(default_factory=dict)


# --- the user's side -------------------------------------------------------------------------


def reach(user, action: Action) -> Reach | None:
    """The widest reach any of the user's roles gives for the action, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    grants = RULES.get(Action(action), {})
    best = None
    for role in user.role_set:
        got = grants.get(role)
        if got is not None and (best is None or _ORDER.index(got) > _ORDER.index(best)):
            best = got
    return best


#: attribute of the user object holding its stations per reach, for the rest of the request
_STATIONS_CACHE = "_casebook_station_ids"


def station_ids(user, action: Action) -> set[int]:
    """The stations whose objects the user may reach for the action.

    Remembered on the user object, which lives for one request (like its ``role_set``): a page
    asks this for every list, count and badge it shows, and a bureau's stations were queried
    dozens of times per page. The next request loads the user afresh, so a changed unit or role
    applies from then on."""
    level = reach(user, action)
    if level is None:
        return set()
    scope = Reach.BUREAU if level in (Reach.BUREAU, Reach.GLOBAL) else Reach.STATION
    cache = getattr(user, _STATIONS_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _STATIONS_CACHE, cache)
    if scope not in cache:
        cache[scope] = frozenset(_stations_within(user.unit, scope))
    return set(cache[scope])


def _stations_within(unit, scope: Reach) -> set[int]:
    if scope == Reach.BUREAU:
        bureau = unit.bureau
        if bureau is None:
            return set()
        return set(
            Unit.objects.filter(kind=UnitKind.STATION, parent=bureau).values_list("pk", flat=True)
        )
    station = unit.station
    return {station.pk} if station else set()


def _needs_assignment(user, level: Reach, classification: int) -> bool:
    if level == Reach.ASSIGNED:
        return True
    return classification >= NEED_TO_KNOW_FROM and not (user.role_set & OVERSIGHT_ROLES)


# --- single objects --------------------------------------------------------------------------


def scope_allows(user, action: Action, scope: ObjectScope) -> bool:
    """Does ``scope`` (an object's station, classification, compartments, assignees) lie
    within what ``user`` may reach for ``action``?"""
    level = reach(user, action)
    if level is None:
        return False
    if scope.station_id not in station_ids(user, action):
        return False
    if scope.classification > user.clearance:
        return False
    if not scope.compartments <= user.compartment_codes:
        return False
    if _needs_assignment(user, level, scope.classification):
        in_area = (
            level == Reach.ASSIGNED
            and scope.area_id is not None
            and Role.COMMUNITY_OFFICER in user.role_set
            and scope.area_id == user.unit_id
        )
        return user.pk in scope.assignee_ids or in_area
    return True


#: How :func:`can` judges a model instance: by the rule its model registered. The rules live in
#: :mod:`casebook.access.registry`, which imports this module and installs the judge when it loads
#: (:func:`install_instance_judge`); until then a model instance is refused.
_instance_judge: list[Callable[..., bool]] = []


def install_instance_judge(judge: Callable[..., bool]) -> None:
    _instance_judge[:] = [judge]


def can(user, action: Action, obj=None) -> bool:
    """May ``user`` do ``action`` (to ``obj``, when the action concerns an object)? A model
    instance is judged by its model's registered rule (an unregistered model raises
    :class:`~casebook.access.registry.NotRegistered`); any other object by its
    ``access_scope()``."""
    if obj is None:
        return reach(user, action) is not None
    if hasattr(obj, "_meta"):
        if not _instance_judge:  # fail closed: casebook.access.registry installs the judge
            raise LookupError("No access rules are loaded to judge a model instance.")
        return _instance_judge[0](user, action, obj)
    return scope_allows(user, action, obj.access_scope())


def check(user, action: Action, obj=None) -> None:
    """Raise PermissionDenied unless :func:`can` allows it (for actions on visible objects)."""
    if not can(user, action, obj):
        raise PermissionDenied


# --- actions without an object -------------------------------------------------------------


def require(user, action: Action) -> None:
    """Raise PermissionDenied unless the user's roles grant an object-less action."""
    if reach(user, action) is None:
        raise PermissionDenied


# --- the user's duties ----------------------------------------------------------------------


def works_at_station(user, station) -> bool:
    """Is the user a case worker of ``station`` itself (not the bureau above it)?"""
    return (
        getattr(user, "is_active", False)
        and user.has_role(*CASE_WORKERS)
        and user.unit.station is not None
        and user.unit.station.pk == station.pk
    )


def is_case_worker_of(user, station) -> bool:
    """May ``user`` be given work at ``station`` (lead or team of a task, handler of an
    informant): an active case worker whose unit belongs to that station."""
    return user.is_active and user.has_role(*CASE_WORKERS) and user.unit.station == station


def roster_units(user) -> list:
    """The units whose duty roster the user keeps: a station leader's station, a bureau
    leader's bureau."""
    units = []
    if user.has_role(R.STATION_LEADER) and user.unit.station is not None:
        units.append(user.unit.station)
    if user.has_role(R.BUREAU_LEADER) and user.unit.bureau is not None:
        units.append(user.unit.bureau)
    return units


def may_approve_tracking(user, station) -> bool:
    """May ``user`` approve the tracking of a subject of ``station`` (the approver a subject
    names): a station leader of that station or a bureau leader of the bureau above it."""
    if user is None or not user.is_active:
        return False
    if Role.STATION_LEADER in user.role_set and user.unit.station == station:
        return True
    return Role.BUREAU_LEADER in user.role_set and user.unit_id == station.parent_id


# --- administration: only inside the administrator's own bureau -----------------------------
# ``Reach.GLOBAL`` is not object-scoped, but it never crosses the bureau: users, roles, units,
# access requests and configuration of another bureau are not listed and answer 404 (SECURITY.md
# A1, A3). The rows are restricted by the rules of ``accounts/access.py`` and each app's
# ``access.py`` (``Model.objects.restrict(user, action)``); what remains here is the decision.


def can_decide_grant(user, request) -> bool:
    """Approve or reject an access request: a security administrator of its bureau who neither
    asked for it nor is the account it changes (a second person, 三员分立)."""
    return (
        reach(user, Action.GRANT_APPROVE) is not None
        and user.unit.bureau is not None
        and request.bureau_id == user.unit.bureau.pk
        and user.pk not in (request.requested_by_id, request.user_id)
    )
