"""Helpers that several of the reports services share."""

from casebook.accounts.models import User
from casebook.accounts.roles import Role


def _text(value) -> str:
    return (value or "").strip()


def station_leaders(station) -> list[User]:
    return list(User.objects.holding(Role.STATION_LEADER, station))
