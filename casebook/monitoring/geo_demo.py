"""Demo geofences, bindings and alerts (run after monitoring's demo sources, through
``demo.register_extra``). Lawful by design:

* fences around the station's hazardous-chemicals units (《危险化学品安全管理条例》), with a legal
  basis and a one-year validity;
* cameras of the video platform bound to key places, with their connection filing;
* positioning devices of two persons under residential surveillance with electronic monitoring
  (《刑事诉讼法》第七十八条, executed by the police), each with a fence around the designated
  residence and an end date;
* a few events sent through the pipeline — camera alerts, a device leaving its residence fence
  and entering a hazardous-chemicals perimeter, one camera without a binding (the triage queue).

Through the services (audited) and the ingestion pipeline; idempotent (deterministic event ids).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.choices import UnitKind
from casebook.core.models import Unit
from casebook.subjects.choices import Kind, Status
from casebook.subjects.models import Subject

from . import alert_services as services
from . import geo, pipeline
from .geo_models import Binding, Geofence
from .models import Event, Source

VIDEO_SOURCE = "视频结构化平台"
POSITION_SOURCE = "定位手环平台"
HAZCHEM_BASIS = "《危险化学品安全管理条例》第六条；{abbr}公(治)字〔{year}〕31号 危化品单位周界监控"
CAMERA_BASIS = "公共视频监控接入备案 {abbr}公(技)字〔{year}〕5号"
MEASURE_BASIS = (
    "监视居住决定书 {abbr}公(刑)监居字〔{year}〕{n}号（《刑事诉讼法》第七十八条：电子监控）"
)


def _leader(station):
    return (
        User.objects.filter(unit=station, roles__role=Role.STATION_LEADER, is_active=True)
        .order_by("pk")
        .first()
    )


def _point(subject):
    place = getattr(subject, "place", None)
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return float(place.latitude), float(place.longitude)


def _store(source, parsed) -> None:
    """What ingestion does after its checks: prepare (positions → crossings), store, alert."""
    events = pipeline.prepare(source, parsed)
    taken = set(
        Event.objects.filter(
            source=source, external_id__in=[e.external_id for e in events]
        ).values_list("external_id", flat=True)
    )
    rows = [
        Event.objects.create(
            source=source,
            external_id=e.external_id,
            kind=e.kind,
            occurred_at=e.occurred_at,
            device_id=e.device_id,
            lat=e.lat,
            lon=e.lon,
            fence_ref=e.fence_ref,
            label=e.label,
            attributes=e.attributes,
            batch="demo",
        )
        for e in events
        if e.external_id not in taken
    ]
    pipeline.on_stored(source, rows)


def _station(station, stdout) -> None:
    leader = _leader(station)
    video = Source.objects.filter(station=station, name=VIDEO_SOURCE).first()
    feed = Source.objects.filter(station=station, name=POSITION_SOURCE).first()
    if leader is None or video is None or feed is None:
        return
    if Event.objects.filter(source__station=station, external_id__startswith="demo-").exists():
        return  # loaded before
    now = timezone.now()
    today = timezone.localdate()
    abbr, year = station.name[:2], today.year
    active = Subject.objects.filter(station=station, status=Status.ACTIVE).select_related(
        "place", "category"
    )
    hazchem = [s for s in active.filter(category__code="hazchem_unit") if _point(s)][:3]
    places = (
        hazchem
        + [
            s
            for s in active.filter(kind=Kind.PLACE).exclude(category__code="hazchem_unit")
            if _point(s)
        ][:2]
    )
    persons = list(active.filter(kind=Kind.PERSON, category__code="prior_offender")[:2])
    if not hazchem or not persons:
        return

    fences = []
    for place in hazchem:
        lat, lon = _point(place)
        fences.append(
            services.fence_create(
                actor=leader,
                station=station,
                name=f"{place.name}周界",
                kind="place",
                place=place,
                geometry=geo.circle(lat, lon, 180),
                legal_basis=HAZCHEM_BASIS.format(abbr=abbr, year=year),
                valid_from=now - timedelta(days=30),
                valid_until=now + timedelta(days=335),
            )
        )
    cameras = []
    for n, place in enumerate(places, start=1):
        device = f"CAM-{station.code}-{n:03d}"
        if not Binding.objects.filter(station=station, device_id=device).exists():
            services.binding_create(
                actor=leader,
                station=station,
                kind="camera",
                source=video,
                device_id=device,
                subject=place,
                legal_basis=CAMERA_BASIS.format(abbr=abbr, year=year),
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=150),
            )
        cameras.append(device)
    homes = []
    for n, person in enumerate(persons, start=1):
        device = f"GPS-{station.code}-{n:03d}"
        basis = MEASURE_BASIS.format(abbr=abbr, year=year, n=10 + n)
        services.binding_create(
            actor=leader,
            station=station,
            kind="device",
            source=feed,
            device_id=device,
            subject=person,
            legal_basis=basis,
            starts_on=today - timedelta(days=20),
            ends_on=today + timedelta(days=60),
        )
        # the designated residence: an area near the first hazardous-chemicals unit (demo only)
        lat, lon = _point(hazchem[0])
        home = (lat + 0.006 * n, lon - 0.004)
        homes.append(home)
        services.fence_create(
            actor=leader,
            station=station,
            name=f"{person.name} 监视居住住处",
            kind="area",
            geometry=geo.circle(home[0], home[1], 120),
            legal_basis=basis,
            valid_from=now - timedelta(days=20),
            valid_until=now + timedelta(days=60),
            subjects=[person],
        )

    def at(minutes):
        return now - timedelta(minutes=minutes)

    def clip(external_id, device, minutes, label):
        return pipeline.ParsedEvent(
            external_id=external_id,
            kind=pipeline.VIDEO_ALERT,
            occurred_at=at(minutes),
            device_id=device,
            label=label,
            attributes={"confidence": 0.9},
        )

    _store(
        video,
        [
            clip("demo-v1", cameras[0], 95, "人员聚集"),
            clip("demo-v2", cameras[0], 88, "人员聚集"),
            clip("demo-v3", cameras[0], 80, "人员聚集"),
            clip("demo-v4", cameras[min(1, len(cameras) - 1)], 40, "消防通道占用"),
            clip("demo-v5", f"CAM-{station.code}-099", 25, "夜间异常滞留"),
        ],
    )
    # device 1: at home, leaves the residence, walks into the first hazchem unit's perimeter
    (hlat, hlon), (plat, plon) = homes[0], _point(hazchem[0])
    track = [(hlat, hlon), (hlat, hlon), ((hlat + plat) / 2, (hlon + plon) / 2), (plat, plon)]
    _store(
        feed,
        [
            pipeline.ParsedEvent(
                external_id=f"demo-p{n}",
                kind=pipeline.POSITION,
                occurred_at=at(60 - 10 * n),
                device_id=f"GPS-{station.code}-001",
                lat=lat,
                lon=lon,
            )
            for n, (lat, lon) in enumerate(track)
        ],
    )
    if stdout is not None:
        stdout.write(
            f"monitoring: {len(fences) + len(homes)} demo geofences, "
            f"{len(cameras) + len(persons)} bindings, demo alerts at {station.name}"
        )


def load(stdout=None) -> None:
    for bureau in Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk"):
        station = (
            Unit.objects.filter(kind=UnitKind.STATION, parent=bureau, is_active=True)
            .order_by("pk")
            .first()
        )
        if (
            station is not None
            and not Geofence.objects.filter(station=station, name__endswith="周界").exists()
        ):
            with transaction.atomic():
                _station(station, stdout)
