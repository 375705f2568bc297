"""Geometry of geofences: GeoJSON in, a valid shapely polygon out, or a clear error.

A fence is a GeoJSON ``Polygon`` or ``MultiPolygon`` in WGS-84 ([longitude, latitude], RFC 7946).
It may be given as a bare geometry, a ``Feature`` or a ``FeatureCollection`` (an import: one
fence per feature, named by its ``name`` property). Every refusal says what is wrong; nothing is
saved from a refused input.
"""

import json
import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

POLYGONAL = ("Polygon", "MultiPolygon")
MAX_POINTS = 5000
MAX_FEATURES = 200
MAX_BYTES = 2_000_000


def _load(text_or_obj):
    if isinstance(text_or_obj, (dict, list)):
        return text_or_obj
    text = text_or_obj or ""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise ValidationError(_("The GeoJSON file is too large (at most 2 MB)."))
        text = text.decode("utf-8", errors="replace")
    if len(text) > MAX_BYTES:
        raise ValidationError(_("The GeoJSON file is too large (at most 2 MB)."))
    if not text.strip():
        raise ValidationError(_("Draw the area on the map or import a GeoJSON file."))
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(
            _("This is not valid GeoJSON (JSON error: %(error)s).") % {"error": exc.msg}
        ) from exc


def _check_positions(coords, depth: int, counter: list) -> None:
    """Every position is [lon, lat] (an optional altitude ignored) with finite numbers in range."""
    if depth == 0:
        if not isinstance(coords, (list, tuple)) or len(coords) < 2:
            raise ValidationError(_("Each point needs a longitude and a latitude."))
        lon, lat = coords[0], coords[1]
        for value in (lon, lat):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValidationError(_("Coordinates must be numbers."))
            if not math.isfinite(value):
                raise ValidationError(_("Coordinates must be finite numbers."))
        if not -180 <= lon <= 180 or not -90 <= lat <= 90:
            raise ValidationError(
                _(
                    "Coordinates out of range: longitude %(lon)s, latitude %(lat)s (longitude "
                    "must lie within ±180, latitude within ±90; GeoJSON gives longitude first)."
                )
                % {"lon": lon, "lat": lat}
            )
        counter[0] += 1
        if counter[0] > MAX_POINTS:
            raise ValidationError(
                _("The area has too many points (at most %(n)s).") % {"n": MAX_POINTS}
            )
        return
    if not isinstance(coords, (list, tuple)) or not coords:
        raise ValidationError(_("The polygon's coordinates are incomplete."))
    for item in coords:
        _check_positions(item, depth - 1, counter)


def geometry_of(geometry: dict):
    """A GeoJSON geometry dict → a valid shapely (Multi)Polygon, or ValidationError."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise ValidationError(_("This is not a GeoJSON geometry (no “type”)."))
    kind = geometry.get("type")
    if kind not in POLYGONAL:
        raise ValidationError(
            _("A geofence must be a polygon (GeoJSON Polygon or MultiPolygon), not “%(type)s”.")
            % {"type": str(kind)[:40]}
        )
    coords = geometry.get("coordinates")
    _check_positions(coords, 2 if kind == "Polygon" else 3, [0])
    rings = [coords] if kind == "Polygon" else coords
    for polygon in rings:
        for ring in polygon:
            if len(ring) < 4:
                raise ValidationError(_("A polygon's ring needs at least four points."))
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise ValidationError(
                    _("A polygon's ring must be closed (its last point equal to its first).")
                )
    try:
        shp = shape({"type": kind, "coordinates": coords})
    except Exception as exc:  # noqa: BLE001 - any parsing failure is a bad polygon
        raise ValidationError(_("The polygon cannot be read.")) from exc
    if not shp.is_valid:
        why = explain_validity(shp)
        if "Self-intersection" in why or "Ring Self-intersection" in why:
            raise ValidationError(
                _("The polygon crosses itself (%(where)s). Redraw it without crossing lines.")
                % {"where": why}
            )
        raise ValidationError(_("The polygon is not valid: %(why)s.") % {"why": why})
    if shp.is_empty or shp.area <= 0:
        raise ValidationError(_("The polygon has no area."))
    return shp


def normalise(shp) -> dict:
    """The geometry as stored: plain lists, [lon, lat], rounded to about 1 cm."""

    def _round(obj):
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], (int, float)):
                return [round(float(v), 7) for v in obj[:2]]
            return [_round(o) for o in obj]
        return obj

    data = mapping(shp)
    return {"type": data["type"], "coordinates": _round(data["coordinates"])}


def parse_geometry(text_or_obj) -> dict:
    """One fence's area from the map (a geometry or a Feature); the normalised geometry."""
    data = _load(text_or_obj)
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise ValidationError(_("Draw exactly one area."))
        data = features[0].get("geometry") if isinstance(features[0], dict) else None
    return normalise(geometry_of(data))


def parse_import(text_or_obj) -> list[tuple[str, dict]]:
    """An imported GeoJSON file: [(name, normalised geometry)], one per feature — all valid, or
    a ValidationError naming the first bad feature (nothing is imported then)."""
    data = _load(text_or_obj)
    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError(_("This is not GeoJSON (no “type”)."))
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ValidationError(_("The GeoJSON file holds no features."))
    elif data["type"] == "Feature":
        features = [data]
    else:
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    if len(features) > MAX_FEATURES:
        raise ValidationError(
            _("At most %(n)s areas can be imported at once.") % {"n": MAX_FEATURES}
        )
    out = []
    for n, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError(_("Item %(n)s is not a GeoJSON Feature.") % {"n": n})
        properties = feature.get("properties") or {}
        name = str(properties.get("name") or properties.get("名称") or "").strip()[:100]
        try:
            geometry = normalise(geometry_of(feature.get("geometry")))
        except ValidationError as exc:
            raise ValidationError(
                _("Area %(n)s%(name)s: %(error)s")
                % {"n": n, "name": f"（{name}）" if name else "", "error": " ".join(exc.messages)}
            ) from exc
        out.append((name, geometry))
    return out


def circle(lat: float, lon: float, radius_m: float, points: int = 48) -> dict:
    """A circle around a point as a GeoJSON polygon (equirectangular, fine below a few km)."""
    out = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        dlat = radius_m * math.cos(angle) / 111_320
        dlon = radius_m * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        out.append([round(lon + dlon, 7), round(lat + dlat, 7)])
    out.append(out[0])
    return {"type": "Polygon", "coordinates": [out]}


def centre(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of a stored geometry's representative point."""
    point = shape(geometry).representative_point()
    return point.y, point.x
