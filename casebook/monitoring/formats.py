"""The payloads sources send, parsed into :class:`~casebook.monitoring.pipeline.ParsedEvent`.

* **Casebook JSON** (signed batches, documented in the OpenAPI schema by ``api/serializers.py``)::

    {"events": [{"id": "cam7-20261202-000123", "kind": "video_alert",
                 "occurred_at": "2026-12-02T09:15:03+08:00", "device_id": "CAM-0007",
                 "lat": 30.2741, "lon": 120.1551, "fence": "", "label": "人员聚集",
                 "attributes": {"confidence": 0.91}}]}

* **Traccar** event forwarding (``event.forward.url``), one event per request::

    {"event": {"id": 42, "type": "geofenceEnter", "eventTime": "2026-12-02T01:15:03.000+00:00",
               "deviceId": 7, "geofenceId": 3, "positionId": 991, "attributes": {}},
     "position": {"id": 991, "latitude": 30.27, "longitude": 120.15, "fixTime": "..."},
     "device": {"id": 7, "name": "...", "uniqueId": "860000000000007"},
     "geofence": {"id": 3, "name": "..."}}

  and position forwarding (``forward.url`` with ``forward.json``): ``{"position": {...},
  "device": {...}}``. Traccar's ids make the external ids (``event:42``, ``position:991``).

A structural error (a missing field, a wrong type, coordinates out of range) refuses the whole
batch: :class:`Invalid` with the errors by event. An event that is well formed but not taken
(a Traccar event type Casebook does not handle) is answered ``rejected`` with its reason.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import pipeline
from .pipeline import ParsedEvent

MAX_BATCH = 500
MAX_ID = 100
MAX_LABEL = 200
MAX_ATTRIBUTES = 2000  # characters of the attributes object, serialised

TRACCAR_TYPES = {
    "geofenceEnter": pipeline.GEOFENCE_ENTER,
    "geofenceExit": pipeline.GEOFENCE_EXIT,
}


class Malformed(ValueError):
    """The body is not the expected JSON document at all."""


class TooLarge(ValueError):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class Invalid(ValueError):
    """Some events are not valid: ``errors`` is a list of {index, id, field, message}."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Item:
    """One event of a request: parsed, or rejected with a reason (never stored)."""

    external_id: str
    event: ParsedEvent | None = None
    rejected: str = ""


def _text(value, limit: int) -> str | None:
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return None
    return value


def _time(value) -> dt.datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _coordinate(value, limit: float) -> float | None | bool:
    """The number, None when absent, False when invalid."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    value = float(value)
    if not math.isfinite(value) or abs(value) > limit:
        return False
    return value


def _attributes(value) -> dict | None:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(str(value)) > MAX_ATTRIBUTES:
        return None
    return value


def parse_casebook(data) -> list[Item]:
    """The events of a Casebook batch; raises Malformed, TooLarge or Invalid."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise Malformed(_('The body must be a JSON object with an "events" list.'))
    raw = data["events"]
    if len(raw) > MAX_BATCH:
        raise TooLarge(len(raw))
    errors: list[dict] = []
    items: list[Item] = []

    def error(index, ident, name, message):
        errors.append({"index": index, "id": ident, "field": name, "message": str(message)})

    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            error(index, None, "", _("An event must be a JSON object."))
            continue
        ident = _text(entry.get("id"), MAX_ID)
        if not ident:
            error(index, None, "id", _("Give each event an id of 1 to 100 characters."))
            continue
        kind = entry.get("kind")
        if kind not in pipeline.KINDS:
            error(index, ident, "kind", _("Unknown kind of event."))
        occurred = _time(entry.get("occurred_at"))
        if occurred is None:
            error(index, ident, "occurred_at", _("Give the time as ISO 8601 with a UTC offset."))
        device = _text(entry.get("device_id", entry.get("camera_id", "")), MAX_ID)
        if device is None:
            error(index, ident, "device_id", _("The device id is text of up to 100 characters."))
        lat = _coordinate(entry.get("lat"), 90)
        lon = _coordinate(entry.get("lon"), 180)
        if lat is False:
            error(index, ident, "lat", _("The latitude must be a number from -90 to 90."))
        if lon is False:
            error(index, ident, "lon", _("The longitude must be a number from -180 to 180."))
        if lat is not False and lon is not False and (lat is None) != (lon is None):
            error(index, ident, "lat", _("Give both latitude and longitude, or neither."))
        if kind == pipeline.POSITION and lat is None:
            error(index, ident, "lat", _("A position needs its coordinates."))
        fence = _text(entry.get("fence", ""), MAX_ID)
        if fence is None:
            error(index, ident, "fence", _("The fence is text of up to 100 characters."))
        label = _text(entry.get("label", ""), MAX_LABEL)
        if label is None:
            error(index, ident, "label", _("The label is text of up to 200 characters."))
        attributes = _attributes(entry.get("attributes"))
        if attributes is None:
            error(index, ident, "attributes", _("The attributes must be a small JSON object."))
        if errors and errors[-1]["index"] == index:
            continue
        items.append(
            Item(
                ident,
                ParsedEvent(
                    external_id=ident,
                    kind=kind,
                    occurred_at=occurred,
                    device_id=device,
                    lat=lat,
                    lon=lon,
                    fence_ref=fence,
                    label=label,
                    attributes=attributes,
                ),
            )
        )
    if errors:
        raise Invalid(errors)
    return items


def _traccar_id(obj: dict, name: str):
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > 40:
        return None
    return str(value)


def parse_traccar(data) -> list[Item]:
    """The one event (or position) of a Traccar forwarding request."""
    if not isinstance(data, dict):
        raise Malformed(_("The body must be a JSON object."))
    event, position = data.get("event"), data.get("position")
    device = data.get("device") if isinstance(data.get("device"), dict) else {}
    geofence = data.get("geofence") if isinstance(data.get("geofence"), dict) else {}
    if not isinstance(event, dict) and not isinstance(position, dict):
        raise Malformed(_('The body must hold an "event" or a "position" object.'))
    errors: list[dict] = []
    lat = lon = None
    if isinstance(position, dict):
        lat = _coordinate(position.get("latitude"), 90)
        lon = _coordinate(position.get("longitude"), 180)
        if lat is False or lon is False:
            errors.append(
                {
                    "index": 0,
                    "id": None,
                    "field": "position",
                    "message": _("The position's coordinates are out of range."),
                }
            )
    if isinstance(event, dict):
        number = _traccar_id(event, "id")
        external = f"event:{number}"
        occurred = _time(event.get("eventTime"))
        device_id = _traccar_id(event, "deviceId")
        if number is None or occurred is None:
            errors.append(
                {
                    "index": 0,
                    "id": number,
                    "field": "event",
                    "message": _("The event needs its id and eventTime."),
                }
            )
        kind = TRACCAR_TYPES.get(event.get("type"))
        fence = _traccar_id(event, "geofenceId") or ""
    else:
        number = _traccar_id(position, "id")
        external = f"position:{number}"
        occurred = _time(position.get("fixTime") or position.get("deviceTime"))
        device_id = _traccar_id(position, "deviceId")
        if number is None or occurred is None or lat is None or lon is None:
            errors.append(
                {
                    "index": 0,
                    "id": number,
                    "field": "position",
                    "message": _("The position needs its id, fixTime, latitude and longitude."),
                }
            )
        kind = pipeline.POSITION
        fence = ""
    if errors:
        raise Invalid(errors)
    unique = device.get("uniqueId") if isinstance(device.get("uniqueId"), str) else None
    device_ref = (unique or device_id or "")[:MAX_ID]
    if kind is None:
        return [
            Item(
                external,
                rejected=_("Event type not handled: %(type)s")
                % {"type": str(event.get("type"))[:40]},
            )
        ]
    attributes = {"traccar_device": device_id or ""}
    if isinstance(device.get("name"), str):
        attributes["device_name"] = device["name"][:100]
    if isinstance(position, dict) and isinstance(position.get("speed"), int | float):
        attributes["speed"] = position["speed"]
    label = geofence.get("name") if isinstance(geofence.get("name"), str) else ""
    return [
        Item(
            external,
            ParsedEvent(
                external_id=external,
                kind=kind,
                occurred_at=occurred,
                device_id=device_ref,
                lat=lat,
                lon=lon,
                fence_ref=fence,
                label=label[:MAX_LABEL],
                attributes=attributes,
            ),
        )
    ]
