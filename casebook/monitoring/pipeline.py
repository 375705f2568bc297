"""The seam between ingestion (``ingest.py``) and matching/alerting (``matching.py``, ``alerts.py``).

Ingestion of one batch, in order:

1. authenticate the request (Standard Webhooks signature, or a Traccar source's token and address),
   validate and parse the payload into :class:`ParsedEvent` objects (``formats.py``). A refused
   batch stops here: nothing is stored.
2. ``events = prepare(source, events)``: every registered *preparer* runs in turn. The geofence
   matcher turns raw ``position`` events into ``geofence_enter`` / ``geofence_exit`` crossings
   here. Positions themselves are **never stored**: whatever ``position`` events are left after
   the preparers run are dropped (answered ``stored`` with no row: they were processed, which is
   all a feed needs to know). With no preparer registered, positions are simply dropped.
3. the events are stored idempotently, per (source, external id), in one bulk insert that ignores
   conflicts; each becomes a :class:`casebook.monitoring.models.Event`.
4. ``on_stored(source, stored_events)``: every registered *listener* runs, inside the same
   transaction as the insert (an exception rolls the whole batch back and the sender retries). It
   receives only the events newly stored by this request (never duplicates), as ``Event`` model
   instances with their primary keys set, ordered by (device_id, fence_ref, occurred_at): a
   listener that locks rows per device and fence in that order cannot deadlock with another
   batch; on PostgreSQL the listeners of one source also run one batch at a time (a
   transaction-level advisory lock), whatever order they lock in. A deadlock or lock timeout still rolls the batch back; ingestion retries it (twice),
   then answers 429 with Retry-After.

Registration (from an AppConfig.ready() or a module imported by it, never by editing this file)::

    from casebook.monitoring import pipeline
    pipeline.register_preparer(my_matcher)   # (source, list[ParsedEvent]) -> list[ParsedEvent]
    pipeline.register_listener(my_alerts)    # (source, list[Event]) -> None

A preparer may add events (crossings) and remove events; a crossing it produces must carry a
unique, deterministic ``external_id`` (e.g. ``f"{position.external_id}:enter:{fence_id}"``) so a
batch sent twice still stores each crossing once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Kinds of parsed events (the values are stored in Event.kind).
VIDEO_ALERT = "video_alert"
GEOFENCE_ENTER = "geofence_enter"
GEOFENCE_EXIT = "geofence_exit"
POSITION = "position"
KINDS = (VIDEO_ALERT, GEOFENCE_ENTER, GEOFENCE_EXIT, POSITION)


@dataclass
class ParsedEvent:
    """One event of a batch, independent of the sender's format.

    external_id   the sender's id of the event, unique per source (idempotency key), ≤ 100 chars.
    kind          one of KINDS.
    occurred_at   when it happened, timezone-aware.
    device_id     the camera's or device's id at the sender (``camera_id`` is an alias), ≤ 100.
    lat, lon      WGS-84 degrees, or None (range-checked before this point).
    fence_ref     the sender's fence id for geofence_enter/geofence_exit from a geofence system
                  (Traccar's geofenceId), or Casebook's own fence id for crossings computed by the
                  matcher; "" when none.
    label         a short human text (video analytics rule, e.g. "人员聚集"), ≤ 200 chars.
    attributes    extra JSON-serialisable details (confidence, speed, snapshot reference...).
    """

    external_id: str
    kind: str
    occurred_at: dt.datetime
    device_id: str = ""
    lat: float | None = None
    lon: float | None = None
    fence_ref: str = ""
    label: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def camera_id(self) -> str:
        return self.device_id


Preparer = Callable[[Any, list[ParsedEvent]], list[ParsedEvent]]
Listener = Callable[[Any, list[Any]], None]

_preparers: list[Preparer] = []
_listeners: list[Listener] = []


def register_preparer(func: Preparer) -> Preparer:
    """Add a preparer (idempotent: registering the same function twice keeps one)."""
    if func not in _preparers:
        _preparers.append(func)
    return func


def register_listener(func: Listener) -> Listener:
    """Add a listener called with the newly stored events of each batch."""
    if func not in _listeners:
        _listeners.append(func)
    return func


def prepare(source, events: list[ParsedEvent]) -> list[ParsedEvent]:
    """Run the preparers, then drop the remaining positions (positions are never stored)."""
    for func in _preparers:
        events = list(func(source, events))
    return [e for e in events if e.kind != POSITION]


def on_stored(source, stored_events: list) -> None:
    """Run the listeners (inside the batch's transaction)."""
    for func in _listeners:
        func(source, stored_events)
