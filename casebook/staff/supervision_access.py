"""Access rules of summaries and supervision, registered from ``StaffConfig.ready()``.

* A work summary is read by its officer, the leader of its station, the bureau's leaders and
  the supervisors of its station; only the station leader comments on it (action "comment").
* Inspections, findings and rectifications: the supervisors of the station keep them (action
  "manage"), the station's and the bureau's leaders read them; the owner of a rectification
  reads it and its finding, and closes it with the station leader (action "close").
* Complaints about an officer: kept by the supervisors of the station ("manage"), read by the
  bureau's leaders and by the leader of the station (unless the complaint is about them).

A supervisor supervises the stations of their own bureau (:func:`supervised_station_ids`); the
audit log of those stations' officers is theirs to read (``supervision_selectors``).
"""

from django.db.models import Exists, OuterRef, Q

from casebook.access.policy import Action, station_ids
from casebook.access.registry import Rule, UnsupportedAction, is_active_user, register
from casebook.accounts.roles import Role

from .supervision_models import (
    Complaint,
    Finding,
    Inspection,
    Rectification,
    SummarySetting,
    WorkSummary,
)

#: Roles that write a work summary.
SUMMARY_WRITERS = frozenset({Role.TRACKING_OFFICER, Role.COMMUNITY_OFFICER, Role.ANALYST})


def _roles(user) -> set:
    return set(user.role_set) if is_active_user(user) else set()


def bureau_station_ids(user) -> set[int]:
    """The stations of the user's bureau, for a bureau leader or a supervisor (remembered for
    the request by ``access.policy.station_ids``)."""
    return station_ids(user, Action.BUREAU_DASHBOARD)


def supervised_station_ids(user) -> set[int]:
    """The stations ``user`` supervises as 督察: those of their bureau (none for other roles)."""
    if Role.SUPERVISOR not in _roles(user):
        return set()
    return bureau_station_ids(user)


def led_station_id(user) -> int | None:
    """The station ``user`` leads, or None."""
    if Role.STATION_LEADER not in _roles(user) or user.unit_id is None:
        return None
    station = user.unit.station
    return station.pk if station is not None else None


def bureau_led_station_ids(user) -> set[int]:
    return bureau_station_ids(user) if Role.BUREAU_LEADER in _roles(user) else set()


def may_write_summary(user) -> bool:
    return bool(SUMMARY_WRITERS & _roles(user)) and user.unit is not None and user.unit.station


def may_supervise(user, station=None) -> bool:
    ids = supervised_station_ids(user)
    return bool(ids) if station is None else station.pk in ids


def may_set_cadence(user) -> bool:
    return Role.BUREAU_LEADER in _roles(user) and user.unit.bureau is not None


def readers_of_station(user) -> set[int]:
    """Stations whose summaries and supervision records ``user`` reads as a leader or 督察."""
    ids = supervised_station_ids(user) | bureau_led_station_ids(user)
    own = led_station_id(user)
    if own is not None:
        ids.add(own)
    return ids


class SummaryRule(Rule):
    def accepts(self, action):
        if action not in ("view", "comment"):
            raise UnsupportedAction(f"no summary rule for {action}")
        return action

    default_action = "view"

    def filter(self, user, action):
        if action == "comment":
            own = led_station_id(user)
            return None if own is None else Q(station_id=own) & ~Q(officer_id=user.pk)
        return Q(officer_id=user.pk) | Q(station_id__in=readers_of_station(user))

    def allows(self, user, action, obj):
        if action == "comment":
            return obj.station_id == led_station_id(user) and obj.officer_id != user.pk
        return obj.officer_id == user.pk or obj.station_id in readers_of_station(user)


class InspectionRule(Rule):
    default_action = "view"

    def accepts(self, action):
        if action not in ("view", "manage"):
            raise UnsupportedAction(f"no inspection rule for {action}")
        return action

    def filter(self, user, action):
        if action == "manage":
            return Q(station_id__in=supervised_station_ids(user))
        owned = Rectification.objects.filter(finding__inspection=OuterRef("pk"), owner=user.pk)
        return Q(station_id__in=readers_of_station(user)) | Exists(owned)


class FindingRule(Rule):
    default_action = "view"

    def accepts(self, action):
        if action not in ("view", "manage"):
            raise UnsupportedAction(f"no finding rule for {action}")
        return action

    def filter(self, user, action):
        if action == "manage":
            return Q(inspection__station_id__in=supervised_station_ids(user))
        return Q(inspection__station_id__in=readers_of_station(user)) | Q(
            rectification__owner=user.pk
        )


class RectificationRule(Rule):
    default_action = "view"

    def accepts(self, action):
        if action not in ("view", "close"):
            raise UnsupportedAction(f"no rectification rule for {action}")
        return action

    def filter(self, user, action):
        if action == "close":
            own = led_station_id(user)
            q = Q(owner_id=user.pk)
            return q | Q(station_id=own) if own is not None else q
        return Q(owner_id=user.pk) | Q(station_id__in=readers_of_station(user))


class ComplaintRule(Rule):
    default_action = "view"

    def accepts(self, action):
        if action not in ("view", "manage"):
            raise UnsupportedAction(f"no complaint rule for {action}")
        return action

    def filter(self, user, action):
        supervised = Q(station_id__in=supervised_station_ids(user))
        if action == "manage":
            return supervised
        q = supervised | Q(station_id__in=bureau_led_station_ids(user))
        own = led_station_id(user)
        if own is not None:
            q |= Q(station_id=own) & ~Q(officer_id=user.pk)
        return q


class SettingRule(Rule):
    default_action = "view"

    def accepts(self, action):
        return action

    def filter(self, user, action):
        unit = getattr(user, "unit", None)
        bureau = unit.bureau if unit is not None else None
        return None if bureau is None else Q(bureau_id=bureau.pk)


def register_rules() -> None:
    register(WorkSummary, SummaryRule())
    register(Inspection, InspectionRule())
    register(Finding, FindingRule())
    register(Rectification, RectificationRule())
    register(Complaint, ComplaintRule())
    register(SummarySetting, SettingRule())
