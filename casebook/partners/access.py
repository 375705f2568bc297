"""Access rules of the partner register, registered from ``PartnersConfig.ready()``.

Every officer of a bureau's stations sees the bureau's partner departments (to share with
them, to name them in a feedback report); the bureau's system administrator and its station
and bureau leaders keep the register.
"""

from django.db.models import Q

from casebook.access.registry import ParentRule, Rule, is_active_user, register
from casebook.accounts.roles import Role

from .models import PartnerContact, PartnerUnit

#: Roles that keep the register of their bureau.
MANAGERS = frozenset({Role.SYSTEM_ADMIN, Role.STATION_LEADER, Role.BUREAU_LEADER})
#: Roles that see it (case workers, who share with departments, and their leaders).
READERS = MANAGERS | frozenset(
    {Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER, Role.ANALYST, Role.SUPERVISOR}
)


def bureau_of(user):
    unit = getattr(user, "unit", None)
    return unit.bureau if unit is not None else None


def may_manage(user, bureau=None) -> bool:
    """May ``user`` keep the partner register (of ``bureau``, when given)?"""
    if not is_active_user(user) or not (MANAGERS & set(user.role_set)):
        return False
    own = bureau_of(user)
    return own is not None and (bureau is None or own.pk == bureau.pk)


class PartnerRule(Rule):
    """A bureau's partners are seen by its people; kept by its managers (action "manage")."""

    def accepts(self, action):
        return action

    def filter(self, user, action):
        roles = set(user.role_set)
        wanted = MANAGERS if action == "manage" else READERS
        bureau = bureau_of(user)
        if bureau is None or not (wanted & roles):
            return None
        return Q(bureau_id=bureau.pk)

    def allows(self, user, action, obj):
        return self.filter(user, action) is not None and obj.bureau_id == bureau_of(user).pk


def register_rules() -> None:
    register(PartnerUnit, PartnerRule())
    register(PartnerContact, ParentRule(PartnerUnit, "partner"))
