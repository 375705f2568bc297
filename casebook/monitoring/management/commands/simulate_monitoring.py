"""manage.py simulate_monitoring --source <code, id or name> --rate N --duration S [--url URL]

Sends realistic demo events of one registered source to a running Casebook: video-analytics
alerts from cameras at the station's key places, positions or geofence crossings of the devices
bound at the station (persons under a monitoring measure), signed with the source's current
secret (read from this installation's database, or given with --secret) or, for a Traccar
source, with its token. A failed request (no connection, 5xx, 429) is sent again with the same
event ids and message id, with backoff; the counts of the answers are printed at the end."""

import statistics

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from casebook.monitoring.geo_models import Binding, BindingKind, Geofence
from casebook.monitoring.models import Source, SourceSecret
from casebook.monitoring.simulator import Scene, Sender, Totals, run


def find_source(ref: str) -> Source:
    query = Q(code=ref) | Q(name=ref)
    if ref.isdigit():
        query |= Q(pk=int(ref))
    found = list(Source.objects.filter(query).select_related("station")[:5])
    if not found:
        raise CommandError(f"No monitoring source {ref!r} (give its address code, id or name).")
    if len(found) > 1:
        names = ", ".join(f"{s.pk} ({s.station.name})" for s in found)
        raise CommandError(f"Several sources match {ref!r}: {names}. Give the id.")
    return found[0]


def scene_for(source: Source) -> Scene:
    """Cameras at the station's key places (with coordinates), the station's bound devices and
    fences where monitoring B's models have them; the fallback scene otherwise."""
    scene = Scene.default(prefix=source.station.code)
    try:
        devices = list(
            Binding.objects.filter(station=source.station, kind=BindingKind.DEVICE)
            .values_list("device_id", flat=True)
            .distinct()[:50]
        )
        cameras = list(
            Binding.objects.filter(station=source.station, kind=BindingKind.CAMERA)
            .values_list("device_id", flat=True)
            .distinct()[:50]
        )
        fences = [
            str(pk)
            for pk in Geofence.objects.filter(station=source.station).values_list("pk", flat=True)[
                :50
            ]
        ]
    except (LookupError, AttributeError):
        devices, cameras, fences = [], [], []
    if devices:
        scene.devices = devices
    if cameras:
        places = scene.cameras
        scene.cameras = [
            (cam, *places[n % len(places)][1:3], places[n % len(places)][3])
            for n, cam in enumerate(cameras)
        ]
    if fences:
        scene.fences = fences
    return scene


class Command(BaseCommand):
    help = "Send signed demo monitoring events of a source to a running server."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="address code, id or name")
        parser.add_argument("--rate", type=float, default=5, help="events a second (0: flat out)")
        parser.add_argument("--duration", type=float, default=10, help="seconds")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server")
        parser.add_argument("--batch", type=int, default=None, help="events a batch (≤ 500)")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--secret", default=None, help="instead of the one in the database")
        parser.add_argument("--ids-file", default=None, help="write every sent event id there")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **opts):
        source = find_source(opts["source"])
        secret = opts["secret"]
        if secret is None:
            row = (
                SourceSecret.objects.filter(source=source, expires_at__isnull=True)
                .order_by("-created_at")
                .first()
            )
            if row is None or not row.secret:
                raise CommandError("The source has no current secret: rotate it, or give --secret.")
            secret = row.secret
        if opts["batch"] is not None and not 1 <= opts["batch"] <= 500:
            raise CommandError("--batch is from 1 to 500.")
        sender = Sender(
            opts["url"],
            source.code,
            secret,
            fmt=source.format,
            kind=source.kind,
            scene=scene_for(source),
            seed=opts["seed"],
        )
        totals = run(
            sender,
            rate=opts["rate"],
            duration=opts["duration"],
            batch=opts["batch"],
            concurrency=max(1, opts["concurrency"]),
            totals=Totals(),
        )
        if opts["ids_file"]:
            with open(opts["ids_file"], "w", encoding="utf-8") as out:
                out.write("\n".join(totals.ids) + ("\n" if totals.ids else ""))
        p95 = (
            statistics.quantiles(totals.latencies, n=20)[-1] * 1000
            if len(totals.latencies) >= 2
            else (totals.latencies[0] * 1000 if totals.latencies else 0)
        )
        self.stdout.write(
            f"source {source.name} ({source.code}): sent {totals.sent} in {totals.batches} "
            f"requests; stored {totals.stored}, duplicate {totals.duplicate}, processed "
            f"{totals.processed}, rejected {totals.rejected}, retries {totals.retries}, "
            f"failed {totals.failed}; p95 {p95:.0f} ms"
        )
        if totals.failed:
            raise CommandError(f"{totals.failed} events were not accepted.")
