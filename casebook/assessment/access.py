"""Who sees what of the assessment (registered from ``AssessmentConfig.ready()``).

Assessment is about people, not subjects: the station leader sees the officers of their station,
the bureau leader and the supervisor (督察) every station of their bureau — the reach of
``Action.STATION_DASHBOARD`` — but an analyst, who shares that dashboard, sees none of it. An
officer sees their own assessment, figures, spot-check items and measures, never a colleague's.
Opinions are for the leaders only (a complaint about an officer is not shown to the officer
before it is answered).
"""

from django.db.models import Q

from casebook.access.policy import Action, station_ids
from casebook.access.registry import Rule, is_active_user, register
from casebook.accounts.roles import Role

from .models import Assessment, FigureSnapshot, Measure, Opinion, SpotCheck, SpotCheckItem

#: The roles that assess officers and draw spot checks.
ASSESSORS = frozenset({Role.STATION_LEADER, Role.BUREAU_LEADER, Role.SUPERVISOR})
#: The roles that decide at the bureau.
BUREAU_DECIDERS = frozenset({Role.BUREAU_LEADER})


def is_assessor(user) -> bool:
    return is_active_user(user) and bool(user.role_set & ASSESSORS)


def is_bureau(user) -> bool:
    return is_active_user(user) and bool(user.role_set & {Role.BUREAU_LEADER, Role.SUPERVISOR})


def assessed_stations(user) -> set[int]:
    """The stations whose officers ``user`` assesses (empty for anyone else)."""
    if not is_assessor(user):
        return set()
    return station_ids(user, Action.STATION_DASHBOARD)


class AssessmentRule(Rule):
    """Leaders reach their stations' rows; anyone their own (``officer``), if ``own`` is set."""

    default_action = Action.STATION_DASHBOARD

    def __init__(self, *, station: str = "station_id", own: str | None = "officer"):
        self.station = station
        self.own = own

    def accepts(self, action):
        return Action(action)

    def filter(self, user, action):
        q = Q(**{f"{self.station}__in": assessed_stations(user)})
        if self.own:
            q |= Q(**{self.own: user.pk})
        return q

    def allows(self, user, action, obj):
        if not is_active_user(user) or obj.pk is None:
            return False
        station = obj
        for part in self.station.split("__"):
            station = getattr(station, part)
        if station in assessed_stations(user):
            return True
        return bool(self.own) and getattr(obj, f"{self.own}_id") == user.pk


def register_rules() -> None:
    register(FigureSnapshot, AssessmentRule())
    register(Assessment, AssessmentRule())
    register(Measure, AssessmentRule())
    register(SpotCheck, AssessmentRule(own=None))
    register(SpotCheckItem, AssessmentRule(station="spot_check__station_id"))
    register(Opinion, AssessmentRule(own=None))
