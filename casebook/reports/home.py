"""What the reports module adds to the home pages: the feedback reports awaiting the user's
instruction, on the station pages (registered from ``ReportsConfig.ready()``)."""

from casebook.accounts.roles import Role

from .selectors import feedback_awaiting

STATION_PAGES = (Role.STATION_LEADER, Role.ANALYST, Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER)


def feedback_panel(user, role) -> dict:
    if role not in STATION_PAGES or not user.unit.station:
        return {}
    return {"feedback_awaiting": feedback_awaiting(user)[:5]}
