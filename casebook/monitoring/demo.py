"""Demo monitoring sources: for the first station of each bureau, the station's video-analytics
platform and positioning platform (signed Casebook JSON) and a Traccar geofence server on the
local network. Through the services (audited); idempotent. ``make run`` then lets
``manage.py simulate_monitoring --source 视频结构化平台`` send to them. Monitoring B's demo
(fences, bindings, alerts) registers itself with :func:`register_extra` and runs after the
sources exist."""

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.core.choices import UnitKind
from casebook.core.models import Unit

from . import services
from .choices import SourceFormat, SourceKind
from .models import Source

SOURCES = [
    ("视频结构化平台", SourceKind.VIDEO, SourceFormat.CASEBOOK, ""),
    ("定位手环平台", SourceKind.POSITION, SourceFormat.CASEBOOK, ""),
    (
        "电子围栏服务器（Traccar）",
        SourceKind.GEOFENCE,
        SourceFormat.TRACCAR,
        "127.0.0.1/32\n10.0.0.0/8",
    ),
]

_extras: list = []


def register_extra(func) -> None:
    """Run ``func(stdout)`` after the demo sources are made (monitoring B's fences and alerts)."""
    if func not in _extras:
        _extras.append(func)


def load(stdout=None) -> None:
    made = 0
    for bureau in Unit.objects.filter(kind=UnitKind.BUREAU).order_by("pk"):
        admin = (
            User.objects.filter(unit=bureau, roles__role=Role.SYSTEM_ADMIN, is_active=True)
            .order_by("pk")
            .first()
        )
        station = (
            Unit.objects.filter(kind=UnitKind.STATION, parent=bureau, is_active=True)
            .order_by("pk")
            .first()
        )
        if admin is None or station is None:
            continue
        for name, kind, fmt, networks in SOURCES:
            if Source.objects.filter(station=station, name=name).exists():
                continue
            services.source_create(
                actor=admin,
                station=station,
                name=name,
                kind=kind,
                format=fmt,
                allowed_networks=networks,
            )
            made += 1
    if stdout is not None and made:
        stdout.write(f"monitoring: {made} demo sources")
    for func in _extras:
        func(stdout)
