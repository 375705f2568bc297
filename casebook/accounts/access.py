"""Access rules of administration, registered from
:class:`~casebook.accounts.apps.AccountsConfig.ready`.

Administration never crosses the bureau (``Reach.GLOBAL`` means "the administrator's own
bureau"): units, accounts, access requests and role policies of another bureau are not listed
and answer 404 (SECURITY.md A1, A3). The administrator roles hold no case-data action, so these
rules are the only way an administrator reaches a row.
"""

from django.db.models import Q

from casebook.access.policy import Action, reach
from casebook.access.registry import BureauRule, Rule, register
from casebook.core.models import Unit

from .models import GrantRequest, RolePolicy, User

#: Who reaches administration rows: the duty of each administrator (三员).
ADMIN_ACTIONS = frozenset(
    {
        Action.USER_MANAGE,
        Action.ROLE_GRANT,
        Action.UNIT_MANAGE,
        Action.GRANT_APPROVE,
        Action.POLICY_MANAGE,
    }
)


class BureauTreeRule(Rule):
    """Rows inside the administrator's bureau: the bureau, its stations and their areas,
    reached through ``path`` (``""``: the unit itself)."""

    actions = ADMIN_ACTIONS

    def __init__(self, path: str, *, default_action: Action):
        self.path = path
        self.default_action = default_action

    def filter(self, user, action):
        if reach(user, action) is None or user.unit_id is None:
            return None
        bureau = user.unit.bureau
        if bureau is None:
            return None
        prefix = f"{self.path}__" if self.path else ""
        return (
            Q(**{f"{prefix}pk": bureau.pk})
            | Q(**{f"{prefix}parent": bureau.pk})
            | Q(**{f"{prefix}parent__parent": bureau.pk})
        )


def register_rules() -> None:
    register(Unit, BureauTreeRule("", default_action=Action.UNIT_MANAGE))
    register(User, BureauTreeRule("unit", default_action=Action.USER_MANAGE))
    register(
        GrantRequest,
        BureauRule(
            [Action.GRANT_APPROVE, Action.USER_MANAGE, Action.ROLE_GRANT],
            default_action=Action.GRANT_APPROVE,
        ),
    )
    register(RolePolicy, BureauRule([Action.POLICY_MANAGE], default_action=Action.POLICY_MANAGE))
