"""Helpers of the part-B tests: a position source, square fences, bindings, stored events."""

import itertools
from datetime import timedelta

from django.utils import timezone

from casebook.crypto.services import data_key_create
from casebook.monitoring import pipeline
from casebook.monitoring.geo_models import Binding, Geofence
from casebook.monitoring.models import Event, Source

_n = itertools.count(1)


def make_source(station, user, *, kind="position"):
    n = next(_n)
    return Source.objects.create(
        station=station,
        code=f"geo-src-{n}",
        name=f"定位平台{n}",
        kind=kind,
        format="casebook",
        created_by=user,
        data_key=data_key_create(label=f"source:test{n}"),
    )


def square(lon=120.15, lat=30.27, d=0.001) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
        ],
    }


def make_fence(station, user, *, geometry=None, days=30, start_days=-1, place=None, **kw):
    now = timezone.now()
    return Geofence.objects.create(
        station=station,
        name=kw.pop("name", "危化品仓库周界"),
        kind="place" if place else "area",
        place=place,
        geometry=geometry or square(),
        legal_basis="城公(治)字〔2026〕12号",
        valid_from=now + timedelta(days=start_days),
        valid_until=now + timedelta(days=days),
        created_by=user,
        **kw,
    )


def bind(
    station, user, subject, device_id="GPS-001", *, source=None, start=-10, end=10, kind="device"
):
    today = timezone.localdate()
    return Binding.objects.create(
        station=station,
        kind=kind,
        source=source,
        device_id=device_id,
        subject=subject,
        legal_basis="(2026)浙0102刑初88号 禁止令",
        starts_on=today + timedelta(days=start),
        ends_on=today + timedelta(days=end),
        created_by=user,
    )


def position(n, lon, lat, *, device="GPS-001", at=None, minutes=0):
    return pipeline.ParsedEvent(
        external_id=f"pos-{n}",
        kind=pipeline.POSITION,
        occurred_at=(at or timezone.now() - timedelta(hours=1)) + timedelta(minutes=minutes),
        device_id=device,
        lat=lat,
        lon=lon,
    )


def store(source, parsed) -> list[Event]:
    """Store parsed events the way ingestion does (a row per event), returning the rows."""
    return [
        Event.objects.create(
            source=source,
            external_id=p.external_id,
            kind=p.kind,
            occurred_at=p.occurred_at,
            device_id=p.device_id,
            lat=p.lat,
            lon=p.lon,
            fence_ref=p.fence_ref,
            label=p.label,
            attributes=p.attributes,
            batch="test",
        )
        for p in parsed
    ]


def video(source, n, *, device="CAM-01", at=None, minutes=0, label="人员聚集"):
    return Event.objects.create(
        source=source,
        external_id=f"vid-{n}",
        kind=pipeline.VIDEO_ALERT,
        occurred_at=(at or timezone.now() - timedelta(hours=2)) + timedelta(minutes=minutes),
        device_id=device,
        label=label,
        batch="test",
    )
