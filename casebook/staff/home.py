"""The station leader's home panel: who has not signed the pledge in force, whose training or
certificates lapsed (registered with ``core.home``)."""

from casebook.accounts.roles import Role

from . import selectors


def staff_panel(user, role) -> dict:
    if role != Role.STATION_LEADER:
        return {}
    panel = selectors.station_panel(user)
    return {
        "staff_pledge_number": panel["number"],
        "staff_unsigned": panel["unsigned"],
        "staff_lapsed": panel["lapsed"],
        "staff_panel": True,
    }
