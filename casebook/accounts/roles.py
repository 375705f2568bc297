"""The roles of Casebook and the duties they separate (SECURITY.md A3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRACKING_OFFICER = "tracking_officer", _("Tracking officer")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    ANALYST = "analyst", _("Analyst")
    STATION_LEADER = "station_leader", _("Station leader")
    BUREAU_LEADER = "bureau_leader", _("Bureau leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


#: Roles that work with case data.
CASE_ROLES = frozenset(
    {
        Role.TRACKING_OFFICER,
        Role.COMMUNITY_OFFICER,
        Role.ANALYST,
        Role.STATION_LEADER,
        Role.BUREAU_LEADER,
        Role.SUPERVISOR,
    }
)
#: Roles that do a station's case work: record, verify, assess, handle warnings, work on tasks,
#: send urgent reports.
CASE_WORKERS = frozenset(
    {Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER, Role.ANALYST, Role.STATION_LEADER}
)
#: Roles that lead a unit (a station or a bureau): they assign tasks and keep duty rosters.
LEADER_ROLES = frozenset({Role.STATION_LEADER, Role.BUREAU_LEADER})
#: Roles that oversee a station and so need no assignment to see its classified objects.
OVERSIGHT_ROLES = frozenset({Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR})
#: The three administrators: none of them sees case data.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
#: Roles whose holders must use two factors unless the security administrator says otherwise.
MFA_BY_DEFAULT = frozenset({Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR, *ADMIN_ROLES})
#: Roles that may not be combined in one account (separation of duties). Besides these pairs,
#: no account holds an administrator role together with a case role (see ``separation_conflict``).
INCOMPATIBLE = [
    frozenset({Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN}),
    frozenset({Role.AUDIT_ADMIN, Role.SECURITY_ADMIN}),
    frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
]


def separation_conflict(roles) -> frozenset[str] | None:
    """The roles of ``roles`` that may not be held together, or None when the set is allowed."""
    roles = frozenset(roles)
    for pair in INCOMPATIBLE:
        if pair <= roles:
            return pair
    if roles & ADMIN_ROLES and roles & CASE_ROLES:
        return roles
    return None


#: Granting or revoking these roles, or changing the access of an account that holds one, needs
#: the security administrator's approval (三员分立: a second person).
APPROVAL_ROLES = ADMIN_ROLES
