"""Reads of geofences, bindings and alerts, each scoped through the access registry; the
figures the station dashboard and the warning rule count (analysis reads them from here)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from casebook.access.policy import Action, reach
from casebook.subjects.choices import Kind
from casebook.subjects.models import Subject

from .geo_models import LIVE, Alert, AlertStatus, Binding, Geofence

QUEUES = ("open", "unbound", "handled", "all")


def visible_alerts(user):
    return Alert.objects.restrict(user, Action.SUBJECT_VIEW).select_related(
        "station", "fence", "subject", "source", "binding", "handled_by"
    )


def alert_queue(user, queue: str = "open", station: str = ""):
    """The alerts of a queue: open (live, bound), unbound (live, no binding in force — the
    triage queue of the owning station), handled, all."""
    qs = visible_alerts(user)
    if station:
        qs = qs.filter(station_id=station)
    if queue == "open":
        qs = qs.filter(status__in=LIVE, binding__isnull=False)
    elif queue == "unbound":
        qs = qs.filter(status__in=LIVE, binding__isnull=True)
    elif queue == "handled":
        qs = qs.exclude(status__in=LIVE)
    return qs.order_by("-last_at", "-pk")


def open_count(user) -> int:
    """Live alerts the user may triage (the menu badge)."""
    if reach(user, Action.TIP_TRIAGE) is None:
        return 0
    return Alert.objects.restrict(user, Action.TIP_TRIAGE).filter(status=AlertStatus.OPEN).count()


def live_alerts(user, station: str = "", limit: int = 200):
    """The live alerts for the map (with a position: their fence's centre or their last event)."""
    qs = visible_alerts(user).filter(status__in=LIVE).select_related("subject__place")
    if station:
        qs = qs.filter(station_id=station)
    return qs.order_by("-last_at", "-pk")[:limit]


def visible_fences(user, *, active_only: bool = False):
    qs = Geofence.objects.restrict(user, Action.SUBJECT_VIEW).select_related("station", "place")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def fences_in_force(user):
    now = timezone.now()
    return visible_fences(user, active_only=True).filter(valid_from__lte=now, valid_until__gte=now)


def visible_bindings(user):
    return Binding.objects.restrict(user, Action.SUBJECT_VIEW).select_related(
        "station", "subject", "source"
    )


def dashboard_figure(user, station: str = "") -> dict:
    """The station dashboard's count of real monitoring alerts (analysis registers it): live
    alerts, and alerts of the last 7 days, each linking to its list."""
    qs = visible_alerts(user)
    if station:
        qs = qs.filter(station_id=station)
    since = timezone.now() - timedelta(days=7)
    suffix = f"&station={station}" if station else ""
    counts = qs.aggregate(
        live=Count("pk", filter=Q(status__in=LIVE)),
        week=Count("pk", filter=Q(last_at__gte=since) & ~Q(status=AlertStatus.DISMISSED)),
    )
    return {
        "live": counts["live"],
        "week": counts["week"],
        "url": f"{reverse('monitoring:alerts')}?queue=open{suffix}",
        "all_url": f"{reverse('monitoring:alerts')}?queue=all{suffix}",
    }


def place_alert_counts(since) -> list[dict]:
    """Per key place: how many real alerts (not dismissed) since ``since`` — alerts at the place
    (its camera binding or a fence around it). For the warning rule "repeated monitoring alerts
    at a place" (analysis.rules). Rows: {"subject", "station", "n"}."""
    alerts = Alert.objects.filter(last_at__gte=since).exclude(status=AlertStatus.DISMISSED)
    at_place = alerts.filter(subject__kind=Kind.PLACE).values_list("pk", "subject_id")
    around = alerts.filter(fence__place__isnull=False).values_list("pk", "fence__place_id")
    places: dict[int, set[int]] = {}
    for pk, place in list(at_place) + list(around):
        places.setdefault(place, set()).add(pk)
    if not places:
        return []
    stations = dict(
        Subject.objects.filter(pk__in=list(places), kind=Kind.PLACE).values_list("pk", "station_id")
    )
    return [
        {"subject": place, "station": stations[place], "n": len(pks)}
        for place, pks in places.items()
        if place in stations
    ]


def promoted_record_ids():
    """Records made from alerts (the rule counts them as their alert, not twice)."""
    return Alert.objects.filter(record__isnull=False).values("record_id")


def station_alert_counts(user, station: str = "") -> dict:
    qs = visible_alerts(user)
    if station:
        qs = qs.filter(station_id=station)
    return qs.aggregate(
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
        acknowledged=Count("pk", filter=Q(status=AlertStatus.ACKNOWLEDGED)),
        unbound=Count("pk", filter=Q(status__in=LIVE, binding__isnull=True)),
    )
