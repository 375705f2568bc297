"""Access rules of the monitoring sources and their events, registered from
``MonitoringConfig.ready()``.

A bureau's system administrator registers and keeps the sources of the bureau's stations
(action "manage", and "view"). Another bureau's sources look absent (404). Stored events are
seen by the officers of the source's station and by the bureau's leaders and administrators.
"""

from django.db.models import Q

from casebook.access.registry import ParentRule, Rule, is_active_user, register
from casebook.accounts.roles import Role
from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from .models import Delivery, Event, RefusalCount, Source, SourceSecret

#: Roles that register and keep the monitoring sources of their bureau.
MANAGERS = frozenset({Role.SYSTEM_ADMIN})
#: Roles that see every event of their bureau (not only of their own station).
BUREAU_READERS = frozenset({Role.SYSTEM_ADMIN, Role.BUREAU_LEADER, Role.SUPERVISOR})


def bureau_of(user):
    unit = getattr(user, "unit", None)
    return unit.bureau if unit is not None else None


def may_manage(user, bureau=None) -> bool:
    """May ``user`` keep the monitoring sources (of ``bureau``, when given)?"""
    if not is_active_user(user) or not (MANAGERS & set(user.role_set)):
        return False
    own = bureau_of(user)
    return own is not None and (bureau is None or own.pk == bureau.pk)


def stations_for_admin(user):
    """The stations whose sources ``user`` may register (those of the admin's bureau)."""
    bureau = bureau_of(user)
    if bureau is None or not may_manage(user):
        return Unit.objects.none()
    return Unit.objects.filter(kind=UnitKind.STATION, parent=bureau, is_active=True)


class SourceRule(Rule):
    """Sources of the bureau's stations, for the bureau's system administrator only."""

    def accepts(self, action):
        return action

    def filter(self, user, action):
        bureau = bureau_of(user)
        if bureau is None or not (MANAGERS & set(user.role_set)):
            return None
        return Q(station__parent_id=bureau.pk)

    def allows(self, user, action, obj):
        bureau = bureau_of(user)
        return (
            is_active_user(user)
            and self.filter(user, action) is not None
            and obj.station.parent_id == bureau.pk
        )


class EventRule(Rule):
    """Events of the user's station; of the bureau's stations for bureau-wide roles."""

    path = "source__station"

    def accepts(self, action):
        return action

    def filter(self, user, action):
        unit = getattr(user, "unit", None)
        if unit is None:
            return None
        if BUREAU_READERS & set(user.role_set):
            bureau = unit.bureau
            return None if bureau is None else Q(**{f"{self.path}__parent_id": bureau.pk})
        station = unit.station
        return None if station is None else Q(**{f"{self.path}_id": station.pk})


def register_rules() -> None:
    register(Source, SourceRule())
    register(SourceSecret, ParentRule(Source, "source"))
    register(Delivery, ParentRule(Source, "source"))
    register(RefusalCount, ParentRule(Source, "source"))
    register(Event, EventRule())
