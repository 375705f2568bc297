"""THE access policy of Casebook: who may do what to which object.

Every view, API endpoint, search, export and dashboard asks this module; no other module decides
access. Three questions, in order:

1. **Role** — does one of the user's roles grant the action at all (``RULES``)?
2. **Scope** — is the object inside the reach that role gives: the user's own station, the
   bureau above it, or only objects the user is assigned to?
3. **Protection** — is the user cleared for the object's classification, does the user hold
   every compartment it carries, and, from 秘密 (CONFIDENTIAL) up, is the user assigned to it
   (need-to-know) unless the role oversees the station?

Objects take part by offering :meth:`access_scope` (an :class:`ObjectScope`); querysets by a
model attribute ``access_paths`` (an :class:`AccessPaths`) naming the fields to filter on.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from casebook.accounts.roles import Role
from casebook.core.choices import Classification, UnitKind


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
    STATION_DASHBOARD = "dashboard.station"
    BUREAU_DASHBOARD = "dashboard.bureau"
    # administration (separation of duties, SECURITY.md A3)
    UNIT_MANAGE = "unit.manage"
    CATEGORY_MANAGE = "category.manage"
    USER_MANAGE = "user.manage"
    ROLE_GRANT = "role.grant"
    GRANT_APPROVE = "grant.approve"
    POLICY_MANAGE = "policy.manage"
    KEY_VIEW = "key.view"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"


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
    Action.STATION_DASHBOARD: {
        R.STATION_LEADER: Reach.STATION,
        R.ANALYST: Reach.STATION,
        R.BUREAU_LEADER: Reach.BUREAU,
        R.SUPERVISOR: Reach.BUREAU,
    },
    Action.BUREAU_DASHBOARD: {R.BUREAU_LEADER: Reach.BUREAU, R.SUPERVISOR: Reach.BUREAU},
    Action.UNIT_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.CATEGORY_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.USER_MANAGE: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.ROLE_GRANT: {R.SYSTEM_ADMIN: Reach.GLOBAL},
    Action.GRANT_APPROVE: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.POLICY_MANAGE: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.KEY_VIEW: {R.SECURITY_ADMIN: Reach.GLOBAL},
    Action.AUDIT_VIEW: {R.AUDIT_ADMIN: Reach.GLOBAL},
    Action.AUDIT_EXPORT: {R.AUDIT_ADMIN: Reach.GLOBAL},
}

#: Roles that oversee a station and so need no assignment to see its classified objects.
OVERSIGHT_ROLES = frozenset({R.STATION_LEADER, R.BUREAU_LEADER, R.SUPERVISOR})
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


def station_ids(user, action: Action) -> set[int]:
    """The stations whose objects the user may reach for the action."""
    from casebook.core.models import Unit

    level = reach(user, action)
    if level is None:
        return set()
    unit = user.unit
    if level in (Reach.BUREAU, Reach.GLOBAL):
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


def can(user, action: Action, obj=None) -> bool:
    """May ``user`` do ``action`` (to ``obj``, when the action concerns an object)?"""
    level = reach(user, action)
    if level is None:
        return False
    if obj is None:
        return True
    scope: ObjectScope = obj.access_scope()
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


def check(user, action: Action, obj=None) -> None:
    """Raise PermissionDenied unless :func:`can` allows it (for actions on visible objects)."""
    if not can(user, action, obj):
        raise PermissionDenied


# --- querysets -------------------------------------------------------------------------------


def scope_queryset(user, qs: QuerySet, action: Action = Action.SUBJECT_VIEW) -> QuerySet:
    """Restrict ``qs`` to what ``user`` may reach for ``action`` — the same rules as :func:`can`."""
    level = reach(user, action)
    if level is None:
        return qs.none()
    paths: AccessPaths = qs.model.access_paths
    qs = qs.filter(**{f"{paths.station}__in": station_ids(user, action)})
    if paths.classification:
        qs = qs.filter(**{f"{paths.classification}__lte": user.clearance})
    if paths.compartments:
        from casebook.accounts.models import Compartment

        lacking = Compartment.objects.exclude(code__in=user.compartment_codes)
        qs = qs.exclude(**{f"{paths.compartments}__in": lacking})
    assigned = Q(**{paths.assignees: user}) if paths.assignees else Q(pk__in=[])
    if level == Reach.ASSIGNED:
        if paths.area and Role.COMMUNITY_OFFICER in user.role_set:
            assigned |= Q(**{paths.area: user.unit_id})
        qs = qs.filter(assigned)
    elif paths.classification and not (user.role_set & OVERSIGHT_ROLES):
        qs = qs.filter(Q(**{f"{paths.classification}__lt": NEED_TO_KNOW_FROM}) | assigned)
    return qs.distinct() if (paths.assignees or paths.compartments) else qs


def get_or_404(user, qs: QuerySet, action: Action = Action.SUBJECT_VIEW, **lookup):
    """The one way to fetch a protected object for a user: out of scope looks like absent."""
    try:
        return scope_queryset(user, qs, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def require(user, action: Action) -> None:
    """Raise PermissionDenied unless the user's roles grant an object-less action."""
    if reach(user, action) is None:
        raise PermissionDenied


# --- tracking tasks ------------------------------------------------------------------------
# A task speaks about every subject it concerns. It is seen by its station (and the bureau above
# it) and by its lead and team — but only by those who may see every one of its subjects
# (SECURITY.md A1, A2). A cooperating unit's assignee (a share) sees the task without the
# subjects' dossiers, and only when cleared for each subject's classification and holding its
# compartments. It is worked on (stages, comments) by the lead and team, and managed (assigned,
# handed over, shared) by leaders.


def _uncleared_subjects(user):
    """The subjects above the user's clearance or in a compartment the user lacks (a subquery):
    what even a deliberate share may not show them."""
    from casebook.accounts.models import Compartment
    from casebook.subjects.models import Subject

    lacking = Compartment.objects.exclude(code__in=user.compartment_codes)
    return Subject.objects.filter(
        Q(classification__gt=user.clearance) | Q(compartments__in=lacking)
    ).values("pk")


def task_queryset(user, qs: QuerySet) -> QuerySet:
    """The tasks the user may see. A subject the user may not see hides its tasks; the rule is
    a NOT EXISTS on the task's subjects (no join, no DISTINCT) so that lists stay fast."""
    from casebook.subjects.models import Subject

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    model = qs.model
    links = model.subjects.through.objects.filter(task=OuterRef("pk"))
    visible = scope_queryset(user, Subject.objects.all()).values("pk")
    involved = Q(lead=user) | Q(team=user)
    if reach(user, Action.TASK_VIEW) is not None:
        involved |= Q(station__in=station_ids(user, Action.TASK_VIEW))
    seen = model.objects.filter(involved).filter(~Exists(links.exclude(subject__in=visible)))
    shared = model.objects.filter(shares__assignee=user).filter(
        ~Exists(links.filter(subject__in=_uncleared_subjects(user)))
    )
    return qs.filter(Q(pk__in=seen.values("pk")) | Q(pk__in=shared.values("pk")))


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
    return all(can(user, Action.SUBJECT_VIEW, s) for s in subjects)


def can_view_task(user, task) -> bool:
    return task_queryset(user, type(task).objects.filter(pk=task.pk)).exists()


def can_manage_task(user, task) -> bool:
    """Assign, hand over, share, change deadlines: a leader over the task's station."""
    return task.station_id in station_ids(user, Action.TASK_ASSIGN)


def can_work_task(user, task) -> bool:
    """Move the task through its stages: the lead and the team, or a leader over it."""
    if not getattr(user, "is_active", False):
        return False
    if user.pk == task.lead_id or task.team.filter(pk=user.pk).exists():
        return True
    return can_manage_task(user, task)


def get_task_or_404(user, qs: QuerySet, **lookup):
    try:
        return task_queryset(user, qs).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- information records, informants, tips ------------------------------------------------
# A record speaks about every subject it concerns: it is visible only to a user who may see all
# of them. An informant's identity is for the handler and the station leader holding the
# informant compartment — nobody else, whatever their role.

INFORMANT_COMPARTMENT = "informants"


def _hidden_subjects(user):
    """The subjects the user may not see (a subquery)."""
    from casebook.subjects.models import Subject

    visible = scope_queryset(user, Subject.objects.all()).values("pk")
    return Subject.objects.exclude(pk__in=visible).values("pk")


def record_queryset(user, qs: QuerySet) -> QuerySet:
    if reach(user, Action.SUBJECT_VIEW) is None:
        return qs.none()
    return (
        qs.filter(station__in=station_ids(user, Action.SUBJECT_VIEW))
        .exclude(subjects__in=_hidden_subjects(user))
        .distinct()
    )


def can_export_record(user, record) -> bool:
    """One record may be exported by whoever sees it and may export for its station (its
    handling code is the reports module's concern: a C record is refused, and audited)."""
    return record.station_id in station_ids(user, Action.SUBJECT_EXPORT) and (
        record_queryset(user, type(record).objects.filter(pk=record.pk)).exists()
    )


def can_reveal_informant(user, informant) -> bool:
    if not getattr(user, "is_active", False):
        return False
    if user.pk == informant.handler_id:
        return True
    return (
        Role.STATION_LEADER in user.role_set
        and INFORMANT_COMPARTMENT in user.compartment_codes
        and user.unit.station is not None
        and user.unit.station.pk == informant.station_id
    )


def tip_queryset(user, qs: QuerySet) -> QuerySet:
    """Tips addressed to a station the user triages, or to no station in particular."""
    if reach(user, Action.TIP_TRIAGE) is None:
        return qs.none()
    return qs.filter(Q(station__in=station_ids(user, Action.TIP_TRIAGE)) | Q(station__isnull=True))


#: Roles that do the station's case work (record, verify, assess, handle warnings).
CASE_WORKERS = (R.TRACKING_OFFICER, R.COMMUNITY_OFFICER, R.ANALYST, R.STATION_LEADER)


def works_at_station(user, station) -> bool:
    """Is the user a case worker of ``station`` itself (not the bureau above it)?"""
    return (
        getattr(user, "is_active", False)
        and user.has_role(*CASE_WORKERS)
        and user.unit.station is not None
        and user.unit.station.pk == station.pk
    )


# --- reports: feedback, urgent reports, duty roster ------------------------------------------
# A feedback report is seen by its recipients and by whoever sees its task and all the task's
# subjects. An urgent report is seen by its author and the people it was sent to, and by those
# who oversee its station or see its subject unless it concerns a subject hidden from them; it
# is acknowledged by a recipient or a leader over the station. The duty roster of a unit is
# kept by the leaders of that unit.


def feedback_queryset(user, qs: QuerySet) -> QuerySet:
    """A feedback report speaks about its task's subjects: it is seen by its recipients and by
    whoever sees the task and every one of those subjects."""
    from casebook.tracking.models import Task

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    tasks = task_queryset(user, Task.objects.all()).values("pk")
    by_task = (
        qs.model.objects.filter(task__in=tasks)
        .exclude(task__subjects__in=_hidden_subjects(user))
        .values("pk")
    )
    sent = qs.model.objects.filter(receipts__user=user).values("pk")
    return qs.filter(Q(pk__in=by_task) | Q(pk__in=sent))


def urgent_queryset(user, qs: QuerySet) -> QuerySet:
    """Its author and the people it was sent to see an urgent report; so do those who oversee
    its station or may see its subject — unless it concerns a subject (or a record about a
    subject) that they may not see."""
    from casebook.subjects.models import Subject

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    overseen = Q(station__in=station_ids(user, Action.STATION_DASHBOARD))
    if user.has_role(R.STATION_LEADER, R.BUREAU_LEADER):
        overseen |= Q(station__in=station_ids(user, Action.TASK_ASSIGN))
    about = Q(subject__in=scope_queryset(user, Subject.objects.all()).values("pk"))
    hidden = _hidden_subjects(user)
    model = qs.model.objects
    mine = model.filter(Q(author=user) | Q(deliveries__recipient=user)).values("pk")
    others = (
        model.filter(overseen | about)
        .exclude(subject__in=hidden)
        .exclude(record__subjects__in=hidden)
        .exclude(task__subjects__in=hidden)
        .values("pk")
    )
    return qs.filter(Q(pk__in=mine) | Q(pk__in=others))


def urgent_to_acknowledge_queryset(user, qs: QuerySet) -> QuerySet:
    """The reports the user may acknowledge (the same rule as :func:`can_acknowledge_urgent`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    mine = Q(deliveries__recipient=user) | Q(station__in=station_ids(user, Action.TASK_ASSIGN))
    return qs.filter(pk__in=qs.model.objects.filter(mine).values("pk")).exclude(author=user)


def can_acknowledge_urgent(user, report) -> bool:
    if not getattr(user, "is_active", False) or user.pk == report.author_id:
        return False
    if report.deliveries.filter(recipient=user).exists():
        return True
    return report.station_id in station_ids(user, Action.TASK_ASSIGN)


def can_send_urgent(user) -> bool:
    """Urgent reports are sent by the case workers of a station."""
    return getattr(user, "is_active", False) and user.has_role(*CASE_WORKERS)


def roster_units(user) -> list:
    """The units whose duty roster the user keeps: a station leader's station, a bureau
    leader's bureau."""
    units = []
    if user.has_role(R.STATION_LEADER) and user.unit.station is not None:
        units.append(user.unit.station)
    if user.has_role(R.BUREAU_LEADER) and user.unit.bureau is not None:
        units.append(user.unit.bureau)
    return units


# --- administration: only inside the administrator's own bureau -----------------------------
# ``Reach.GLOBAL`` is not object-scoped, but it never crosses the bureau: users, roles, units and
# access requests of another bureau are not listed and answer 404 (SECURITY.md A1, A3).


def admin_units(user, action: Action):
    """The units (the bureau, its stations and their areas) that ``user`` administers for
    ``action`` — none without the grant or without a bureau."""
    from casebook.core.models import Unit

    if reach(user, action) is None or user.unit.bureau is None:
        return Unit.objects.none()
    bureau = user.unit.bureau
    return Unit.objects.filter(Q(pk=bureau.pk) | Q(parent=bureau) | Q(parent__parent=bureau))


def administers_unit(user, action: Action, unit) -> bool:
    return unit is not None and admin_units(user, action).filter(pk=unit.pk).exists()


def unit_admin_queryset(user, qs: QuerySet, action: Action = Action.UNIT_MANAGE) -> QuerySet:
    """Units the user administers (the organisation pages)."""
    return qs.filter(pk__in=admin_units(user, action).values("pk"))


def user_admin_queryset(user, qs: QuerySet, action: Action = Action.USER_MANAGE) -> QuerySet:
    """Accounts of the user's bureau, for the administrator whose duty ``action`` is."""
    return qs.filter(unit__in=admin_units(user, action).values("pk"))


def grant_request_queryset(user, qs: QuerySet) -> QuerySet:
    """Access requests of the user's bureau: the security administrator decides them, the
    system administrator follows the ones of their bureau."""
    for action in (Action.GRANT_APPROVE, Action.USER_MANAGE):
        if reach(user, action) is not None and user.unit.bureau is not None:
            return qs.filter(bureau=user.unit.bureau)
    return qs.none()


def can_decide_grant(user, request) -> bool:
    """Approve or reject an access request: a security administrator of its bureau who neither
    asked for it nor is the account it changes (a second person, 三员分立)."""
    return (
        reach(user, Action.GRANT_APPROVE) is not None
        and user.unit.bureau is not None
        and request.bureau_id == user.unit.bureau.pk
        and user.pk not in (request.requested_by_id, request.user_id)
    )
