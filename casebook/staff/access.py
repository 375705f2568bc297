"""Access rules of the officer file, the pledge and training, registered from
``StaffConfig.ready()`` (through ``hooks.register``).

Whose file a user reads (五(一)): their own; a station leader's, the officers of their station
(its own members and those of its community areas); a bureau leader's, everyone of the bureau.
Nobody else: another officer's file answers 404. Leaders keep the files they read, except their
own (a station leader's file is kept by the bureau). The pledge's text is the bureau's: its
security administrator issues versions. Courses, sessions and requirements belong to a bureau
and are read by its people; leaders organise training, the bureau leader sets the quotas.
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access.registry import ParentRule, Rule, is_active_user, register
from casebook.accounts.models import User, UserRole
from casebook.accounts.roles import CASE_ROLES, Role

from .models import (
    Attendance,
    Certificate,
    ConductEntry,
    Course,
    OfficerProfile,
    PledgeSignature,
    PledgeVersion,
    SessionMaterial,
    TrainingRequirement,
    TrainingSession,
)


def bureau_of(user):
    unit = getattr(user, "unit", None)
    return unit.bureau if unit is not None else None


def station_of(user):
    unit = getattr(user, "unit", None)
    return unit.station if unit is not None else None


def _leader_reach(viewer, prefix: str) -> Q | None:
    """The officers a leader reaches (beyond themselves), or None."""
    reach = None
    roles = viewer.role_set
    if Role.BUREAU_LEADER in roles:
        bureau = bureau_of(viewer)
        if bureau is not None:
            reach = (
                Q(**{f"{prefix}unit": bureau.pk})
                | Q(**{f"{prefix}unit__parent": bureau.pk})
                | Q(**{f"{prefix}unit__parent__parent": bureau.pk})
            )
    if Role.STATION_LEADER in roles:
        station = station_of(viewer)
        if station is not None:
            here = Q(**{f"{prefix}unit": station.pk}) | Q(**{f"{prefix}unit__parent": station.pk})
            reach = here if reach is None else reach | here
    return reach


def officer_filter(viewer, prefix: str = "") -> Q | None:
    """Whose file ``viewer`` may read, as a condition on users (``prefix``: the path to the
    user, e.g. ``"officer__"``); None: nobody's."""
    if not is_active_user(viewer):
        return None
    own = Q(**{f"{prefix}pk": viewer.pk})
    reach = _leader_reach(viewer, prefix)
    return own if reach is None else own | reach


def visible_officers(viewer):
    """The accounts whose file ``viewer`` may open (administrators have no file)."""
    condition = officer_filter(viewer)
    if condition is None:
        return User.objects.none()
    case_worker = Exists(UserRole.objects.filter(user=OuterRef("pk"), role__in=CASE_ROLES))
    return User.objects.filter(condition).filter(Q(pk=viewer.pk) | case_worker)


def may_read_file(viewer, officer) -> bool:
    condition = officer_filter(viewer)
    return condition is not None and User.objects.filter(condition, pk=officer.pk).exists()


def may_keep_file(actor, officer) -> bool:
    """May ``actor`` record in ``officer``'s file (post, certificates, commendations)? A leader
    over the officer, never for their own file."""
    if not is_active_user(actor) or actor.pk == officer.pk:
        return False
    reach = _leader_reach(actor, "")
    return reach is not None and User.objects.filter(reach, pk=officer.pk).exists()


def may_add_certificate(actor, officer) -> bool:
    """An officer declares their own certificates; their leaders record them too."""
    return (is_active_user(actor) and actor.pk == officer.pk) or may_keep_file(actor, officer)


def is_security_admin(user) -> bool:
    return is_active_user(user) and Role.SECURITY_ADMIN in user.role_set


def may_organise_training(user) -> bool:
    return is_active_user(user) and bool(user.role_set & {Role.STATION_LEADER, Role.BUREAU_LEADER})


def may_organise_at(user, unit) -> bool:
    """May ``user`` hold a session for ``unit`` (their station; any unit of their bureau)?"""
    if not may_organise_training(user) or unit is None:
        return False
    if Role.BUREAU_LEADER in user.role_set:
        bureau = bureau_of(user)
        if bureau is not None and unit.bureau is not None and unit.bureau.pk == bureau.pk:
            return True
    station = station_of(user)
    return Role.STATION_LEADER in user.role_set and station is not None and unit.pk == station.pk


def may_set_requirements(user) -> bool:
    return is_active_user(user) and Role.BUREAU_LEADER in user.role_set


class OfficerRule(Rule):
    """Rows of an officer's file: read by whoever may read the file."""

    def __init__(self, path: str = "officer"):
        self.path = path

    def accepts(self, action):
        return action

    def filter(self, user, action):
        return officer_filter(user, f"{self.path}__")

    def allows(self, user, action, obj):
        return may_read_file(user, getattr(obj, self.path))


class SameBureauRule(Rule):
    """A bureau's pledge texts, courses, sessions and quotas: read by the bureau's people."""

    def __init__(self, path: str = "bureau"):
        self.path = path

    def accepts(self, action):
        return action

    def filter(self, user, action):
        bureau = bureau_of(user)
        return None if bureau is None else Q(**{self.path: bureau.pk})


def register_rules() -> None:
    for model in (OfficerProfile, Certificate, ConductEntry, Attendance, PledgeSignature):
        register(model, OfficerRule())
    register(PledgeVersion, SameBureauRule())
    register(Course, SameBureauRule())
    register(TrainingRequirement, SameBureauRule())
    register(TrainingSession, SameBureauRule("course__bureau"))
    register(SessionMaterial, ParentRule(TrainingSession, "session"))
