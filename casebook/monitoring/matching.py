"""Geofence matching of raw positions: the preparer of the ingestion pipeline (``pipeline.py``).

A feed sends raw positions; Casebook computes the enter and exit crossings itself and stores only
those (as ``geofence_enter`` / ``geofence_exit`` events), never the positions.

* The fences of the source's station are held in a shapely ``STRtree`` of their prepared
  geometries (:class:`FenceIndex`), rebuilt only when a fence of the station changes.
* A position is matched only when its device is bound (a :class:`Binding` in force with its legal
  basis and end date) — an unbound or expired device is not followed — and only against the fences
  in force at the position's time that apply to it (its device id named by the fence, or its bound
  subject, or a fence naming neither).
* :class:`FenceState` keeps the last inside/outside state per device and fence: outside→inside is
  an entry, inside→outside an exit, inside→inside and outside→outside nothing. A position older
  than the state is stale and ignored. A fence that expired while a device was inside gives no exit.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone
from shapely import Point, STRtree, points, prepare
from shapely.geometry import shape

from . import pipeline
from .geo_models import Binding, FenceState, Geofence


@dataclass
class FenceEntry:
    pk: int
    name: str
    valid_from: datetime
    valid_until: datetime
    device_ids: frozenset
    subject_ids: frozenset
    geometry: object = field(repr=False)

    def applies_to(self, device_id: str, subject_id: int | None) -> bool:
        if not self.device_ids and not self.subject_ids:
            return True
        return device_id in self.device_ids or (
            subject_id is not None and subject_id in self.subject_ids
        )

    def in_force(self, at: datetime) -> bool:
        return self.valid_from <= at <= self.valid_until


class FenceIndex:
    """The active fences of one station in an STRtree of prepared geometries."""

    def __init__(self, entries: list[FenceEntry]):
        self.entries = entries
        self.by_pk = {e.pk: e for e in entries}
        for entry in entries:
            prepare(entry.geometry)
        self.tree = STRtree([e.geometry for e in entries]) if entries else None

    def containing(self, lon: float, lat: float) -> list[FenceEntry]:
        """The fences whose area contains the point (boundary included), through the index."""
        if self.tree is None:
            return []
        point = Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        return [self.entries[i] for i in hits]

    def containing_many(self, lons, lats) -> list[list[FenceEntry]]:
        """``containing`` for many points at once (one vectorised tree query)."""
        out: list[list[FenceEntry]] = [[] for _ in range(len(lons))]
        if self.tree is None or not len(lons):
            return out
        pts = points(list(zip(lons, lats, strict=True)))
        point_idx, fence_idx = self.tree.query(pts, predicate="intersects")
        for p, f in zip(point_idx.tolist(), fence_idx.tolist(), strict=True):
            out[p].append(self.entries[f])
        return out

    def naive_containing(self, lon: float, lat: float) -> list[FenceEntry]:
        """The same answer by testing every fence (the benchmark's baseline)."""
        point = Point(lon, lat)
        return [e for e in self.entries if e.geometry.intersects(point)]


def build_index(fences) -> FenceIndex:
    return FenceIndex(
        [
            FenceEntry(
                pk=f.pk,
                name=f.name,
                valid_from=f.valid_from,
                valid_until=f.valid_until,
                device_ids=frozenset(str(d) for d in (f.device_ids or [])),
                subject_ids=frozenset(getattr(f, "subject_pks", ())),
                geometry=shape(f.geometry),
            )
            for f in fences
        ]
    )


#: station id -> (signature, FenceIndex): rebuilt when the station's fences change.
_CACHE: dict[int, tuple[tuple, FenceIndex]] = {}


def station_index(station_id: int) -> FenceIndex:
    fences = Geofence.objects.filter(station_id=station_id, is_active=True)
    signature = tuple(fences.aggregate(n=Count("pk"), at=Max("updated_at"), top=Max("pk")).values())
    cached = _CACHE.get(station_id)
    if cached is not None and cached[0] == signature:
        return cached[1]
    loaded = list(fences.prefetch_related("subjects"))
    for fence in loaded:
        fence.subject_pks = [s.pk for s in fence.subjects.all()]
    index = build_index(loaded)
    _CACHE[station_id] = (signature, index)
    return index


def bindings_in_force(station_id: int, source_id: int, device_ids, at: datetime) -> dict:
    """device id -> the binding in force for it at ``at`` (this source's, or a station-wide one)."""
    day = timezone.localdate(at)
    rows = (
        Binding.objects.filter(
            station_id=station_id,
            device_id__in=list(device_ids),
            revoked_at__isnull=True,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .filter(Q(source_id=source_id) | Q(source__isnull=True))
        .order_by("source_id", "-ends_on", "pk")  # a source's own binding first (NULLs last)
    )
    out: dict[str, Binding] = {}
    for binding in rows:
        out.setdefault(binding.device_id, binding)
    return out


def binding_for(source, device_id: str, at: datetime) -> Binding | None:
    return bindings_in_force(source.station_id, source.pk, [device_id], at).get(device_id)


def crossings(source, positions: list, index: FenceIndex | None = None) -> list:
    """The crossings of ``positions`` (ParsedEvents of kind position) as new ParsedEvents, the
    state table brought up to date. Positions of unbound devices give nothing."""
    if not positions:
        return []
    index = index if index is not None else station_index(source.station_id)
    positions = sorted(positions, key=lambda p: (p.occurred_at, p.external_id))
    devices = {p.device_id for p in positions}
    # One binding lookup per day in the batch (a binding ends at a day's end).
    bound: dict[tuple[str, object], Binding | None] = {}
    for day in {timezone.localdate(p.occurred_at) for p in positions}:
        at = positions[0].occurred_at
        for p in positions:
            if timezone.localdate(p.occurred_at) == day:
                at = p.occurred_at
                break
        found = bindings_in_force(source.station_id, source.pk, devices, at)
        for device in devices:
            bound[(device, day)] = found.get(device)
    states = {
        (s.fence_id, s.device_id): s
        for s in FenceState.objects.select_for_update().filter(source=source, device_id__in=devices)
    }
    hits = index.containing_many([p.lon for p in positions], [p.lat for p in positions])
    out = []
    changed: dict[tuple[int, str], FenceState] = {}
    for position, containing in zip(positions, hits, strict=True):
        binding = bound.get((position.device_id, timezone.localdate(position.occurred_at)))
        if binding is None:
            continue  # not bound (or the binding expired): the device is not followed
        at = position.occurred_at
        subject_id = binding.subject_id
        inside = {
            e.pk
            for e in containing
            if e.in_force(at) and e.applies_to(position.device_id, subject_id)
        }
        # fences this device was inside of, still applicable: candidates for an exit
        was_inside = {
            fence_id
            for (fence_id, device), state in states.items()
            if device == position.device_id and state.inside
        }
        for fence_id in sorted(inside | was_inside):
            key = (fence_id, position.device_id)
            state = states.get(key)
            if state is not None and at <= state.at:
                continue  # stale or repeated position
            now_inside = fence_id in inside
            entry = index.by_pk.get(fence_id)
            if (
                entry is None
                or not entry.in_force(at)
                or not entry.applies_to(position.device_id, subject_id)
            ):
                # the fence expired, was withdrawn or no longer applies to the device while it
                # was inside: the state is reset without an exit event
                if state is not None and state.inside:
                    state.inside, state.at = False, at
                    changed[key] = state
                continue
            before = state.inside if state is not None else False
            if before != now_inside:
                kind = pipeline.GEOFENCE_ENTER if now_inside else pipeline.GEOFENCE_EXIT
                verb = "enter" if now_inside else "exit"
                out.append(
                    pipeline.ParsedEvent(
                        external_id=f"{position.external_id}:{verb}:{fence_id}"[:100],
                        kind=kind,
                        occurred_at=at,
                        device_id=position.device_id,
                        lat=position.lat,
                        lon=position.lon,
                        fence_ref=str(fence_id),
                        label=entry.name[:200],
                        attributes={"computed": True, "fence": fence_id},
                    )
                )
            if state is None:
                state = FenceState(
                    fence_id=fence_id,
                    source=source,
                    device_id=position.device_id,
                    inside=now_inside,
                    at=at,
                )
                states[key] = state
            else:
                state.inside, state.at = now_inside, at
            changed[key] = state
    new = [s for s in changed.values() if s.pk is None]
    old = [s for s in changed.values() if s.pk is not None]
    if new:
        FenceState.objects.bulk_create(new, ignore_conflicts=True)
    if old:
        FenceState.objects.bulk_update(old, ["inside", "at"], batch_size=500)
    return out


def prepare_events(source, events: list) -> list:
    """The pipeline preparer: raw positions (with coordinates) become crossings."""
    positions = [
        e
        for e in events
        if e.kind == pipeline.POSITION and e.lat is not None and e.lon is not None and e.device_id
    ]
    if not positions:
        return events
    by_device = defaultdict(list)
    for p in positions:
        by_device[p.device_id].append(p)
    return [e for e in events if e.kind != pipeline.POSITION] + crossings(source, positions)


def fence_for_ref(source, ref: str) -> Geofence | None:
    """The station's fence a crossing names: Casebook's own id (computed crossings, Casebook
    format) or the external geofence system's id (``Geofence.external_ref``, Traccar). A fence of
    another station is never found."""
    ref = (ref or "").strip()
    if not ref:
        return None
    fences = Geofence.objects.filter(station_id=source.station_id)
    found = fences.filter(external_ref=ref).first()
    if found is None and ref.isdigit():
        found = fences.filter(pk=int(ref)).first()
    return found


def register() -> None:
    pipeline.register_preparer(prepare_events)
