"""Alerts from stored events: the listener of the ingestion pipeline (``pipeline.py``).

Each newly stored video-analytics alert or geofence crossing joins an alert in front of an
officer. Events of the same source, camera/device, kind and fence within the collapse window
(``CASEBOOK_MONITORING_ALERT_WINDOW_MINUTES``, 30 by default) of a live alert (open or
acknowledged) join it — one alert with a count and a time span — instead of making a new one.

An event whose camera or device has no binding in force gets an alert without a binding: it
waits in the station's triage queue (``alert_selectors.triage_queue``) for an officer to judge.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings

from . import pipeline
from .geo_models import LIVE, Alert, AlertEvent, AlertKind
from .matching import bindings_in_force, fence_for_ref

ALERTING = (pipeline.VIDEO_ALERT, pipeline.GEOFENCE_ENTER, pipeline.GEOFENCE_EXIT)


def window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CASEBOOK_MONITORING_ALERT_WINDOW_MINUTES", 30)))


def _kind(event_kind: str) -> str:
    return AlertKind.VIDEO if event_kind == pipeline.VIDEO_ALERT else AlertKind.GEOFENCE


def collapse(source, events) -> list[Alert]:
    """Put ``events`` (stored Event rows of ``source``) into alerts; the alerts touched."""
    events = sorted((e for e in events if e.kind in ALERTING), key=lambda e: (e.occurred_at, e.pk))
    if not events:
        return []
    span = window()
    fences: dict[str, object] = {}
    for e in events:
        if e.kind != pipeline.VIDEO_ALERT and e.fence_ref not in fences:
            fences[e.fence_ref] = fence_for_ref(source, e.fence_ref)
    devices = {e.device_id for e in events}
    bindings = bindings_in_force(source.station_id, source.pk, devices, events[-1].occurred_at)
    groups: dict[tuple, list] = defaultdict(list)
    for e in events:
        fence = fences.get(e.fence_ref) if e.kind != pipeline.VIDEO_ALERT else None
        groups[(e.device_id, _kind(e.kind), fence.pk if fence else None)].append(e)
    touched = []
    links = []
    for (device_id, kind, fence_id), items in groups.items():
        fence = fences.get(items[0].fence_ref) if fence_id else None
        binding = bindings.get(device_id)
        alert = None
        for e in items:
            if alert is None or e.occurred_at - alert.last_at > span:
                if alert is not None:
                    alert.save()
                alert = (
                    Alert.objects.select_for_update()
                    .filter(
                        source=source,
                        device_id=device_id,
                        kind=kind,
                        fence_id=fence_id,
                        status__in=LIVE,
                        last_at__gte=e.occurred_at - span,
                        first_at__lte=e.occurred_at + span,
                    )
                    .order_by("-last_at")
                    .first()
                )
                if alert is None:
                    subject = binding.subject if binding else (fence.place if fence else None)
                    alert = Alert.objects.create(
                        station_id=source.station_id,
                        source=source,
                        kind=kind,
                        device_id=device_id,
                        fence=fence,
                        binding=binding,
                        subject=subject,
                        label=(e.label or (fence.name if fence else ""))[:200],
                        first_at=e.occurred_at,
                        last_at=e.occurred_at,
                        count=0,
                    )
                touched.append(alert)
            alert.count += 1
            alert.first_at = min(alert.first_at, e.occurred_at)
            alert.last_at = max(alert.last_at, e.occurred_at)
            if e.kind == pipeline.GEOFENCE_ENTER:
                alert.entered += 1
            elif e.kind == pipeline.GEOFENCE_EXIT:
                alert.exited += 1
            if not alert.label and e.label:
                alert.label = e.label[:200]
            links.append(AlertEvent(alert=alert, event_id=e.pk))
        alert.save()
    AlertEvent.objects.bulk_create(links, ignore_conflicts=True)
    return touched


def on_stored(source, stored_events) -> None:
    collapse(source, stored_events)


def register() -> None:
    pipeline.register_listener(on_stored)
