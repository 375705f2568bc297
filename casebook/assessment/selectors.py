"""Reads of the assessment module, scoped through the access rules."""

from django.db.models import Q

from casebook.core.models import Unit

from .access import assessed_stations
from .figures import FIGURES
from .models import FigureSnapshot


def stations_for(user):
    return Unit.objects.filter(pk__in=assessed_stations(user)).order_by("code")


def figure_table(user, station, quarter):
    """[(officer or None, {code: snapshot})] of the station's snapshots the user may see."""
    snaps = (
        FigureSnapshot.objects.restrict(user)
        .filter(station=station, period=quarter.code)
        .select_related("officer")
    )
    rows: dict = {}
    for snap in snaps:
        rows.setdefault(snap.officer_id, (snap.officer, {}))[1][snap.code] = snap
    ordered = sorted(rows.values(), key=lambda r: (r[0] is None, r[0].pk if r[0] else 0))
    return ordered


def bureau_table(user, quarter):
    """[(station, {code: snapshot})]: the station totals of every station the user assesses."""
    stations = {s.pk: s for s in stations_for(user)}
    snaps = FigureSnapshot.objects.filter(
        Q(officer__isnull=True), period=quarter.code, station_id__in=stations
    )
    out: dict = {pk: {} for pk in stations}
    for snap in snaps:
        out[snap.station_id][snap.code] = snap
    return [(stations[pk], out[pk]) for pk in stations]


CODES = [f.code for f in FIGURES]
