"""The station leader's home panel: who has not signed the pledge in force, whose training or
certificates lapsed (registered with ``core.home``)."""

from casebook.accounts.roles import Role

from . import selectors


def staff_panel(user, role) -> dict:
    if role != Role.STATION_LEADER:
        return {}
    version = selectors.current_pledge(user)
    return {
        "staff_pledge_version": version,
        "staff_unsigned": list(selectors.unsigned_officers(user)) if version else [],
        "staff_lapsed": selectors.lapsed_officers(user),
        "staff_panel": True,
    }
