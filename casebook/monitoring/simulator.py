"""A sender of realistic demo monitoring events, for ``manage.py simulate_monitoring`` and the
ingestion benchmark: Standard Webhooks signed batches (Casebook format) or Traccar forwarding
requests with the source's token, sent over HTTP with the standard library (keep-alive
connections), retried with the same event ids — and the same webhook-id — after a connection
error, a 5xx or a 429 (honouring Retry-After), with exponential backoff. Nothing here touches the
database: the caller gives the source's address code, format and secret."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

VIDEO_LABELS = ["人员聚集", "区域入侵", "车辆违停", "徘徊检测", "烟火检测", "人员倒地", "翻越围栏"]
#: Fallback scene when no place of the station has coordinates (around a fictitious town centre).
DEFAULT_PLACES = [
    ("城关镇客运站", 30.2741, 120.1551),
    ("人民广场", 30.2716, 120.1620),
    ("滨江化工园区东门", 30.2105, 120.2098),
    ("第一中学", 30.2820, 120.1490),
    ("城东农贸市场", 30.2688, 120.1795),
]
TOKEN_HEADER = "X-Casebook-Token"  # noqa: S105 - a header name (ingest.TOKEN_HEADER)


@dataclass
class Scene:
    """What the simulated systems see: cameras at places, devices, fences."""

    cameras: list[tuple[str, float, float, str]] = field(default_factory=list)  # id, lat, lon, name
    devices: list[str] = field(default_factory=list)
    fences: list[str] = field(default_factory=list)

    @classmethod
    def default(cls, prefix: str = "DEMO") -> Scene:
        return cls(
            cameras=[
                (f"{prefix}-CAM-{n:02d}", lat, lon, name)
                for n, (name, lat, lon) in enumerate(DEFAULT_PLACES, 1)
            ],
            devices=[f"8600000000{n:05d}" for n in range(1, 9)],
            fences=["1", "2", "3"],
        )


@dataclass
class Totals:
    sent: int = 0
    stored: int = 0
    duplicate: int = 0
    rejected: int = 0
    processed: int = 0
    batches: int = 0
    retries: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, answer: dict, ids: list[str], latency: float, retries: int) -> None:
        with self.lock:
            self.batches += 1
            self.sent += len(ids)
            self.retries += retries
            self.latencies.append(latency)
            self.ids.extend(ids)
            for key in ("stored", "duplicate", "rejected", "processed"):
                self.__dict__[key] += int(answer.get(key, 0))


class Sender:
    """Sends to one source. ``fmt`` is "casebook" or "traccar"; ``kind`` the source's kind."""

    def __init__(
        self,
        url: str,
        code: str,
        secret: str,
        *,
        fmt="casebook",
        kind="video",
        scene: Scene | None = None,
        run_id: str | None = None,
        max_wait=300.0,
        timeout=60.0,
        seed=None,
        extra_headers: dict | None = None,
    ):
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.path = f"{parts.path.rstrip('/')}/api/v1/monitoring/{code}/events"
        self.secret, self.fmt, self.kind = secret, fmt, kind
        self.scene = scene or Scene.default()
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self.max_wait, self.timeout = max_wait, timeout
        self.extra_headers = dict(extra_headers or {})
        self.random = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self._seq = 0
        self._seq_lock = threading.Lock()
        self._local = threading.local()

    # -- events ----------------------------------------------------------------------------

    def _next_id(self) -> str:
        with self._seq_lock:
            self._seq += 1
            return f"sim-{self.run_id}-{self._seq:07d}"

    def event(self) -> dict:
        now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
        r = self.random
        ident = self._next_id()
        if self.kind == "video" or not self.scene.devices:
            cam, lat, lon, place = r.choice(self.scene.cameras)
            return {
                "id": ident,
                "kind": "video_alert",
                "occurred_at": now.isoformat(),
                "device_id": cam,
                "lat": lat,
                "lon": lon,
                "label": r.choice(VIDEO_LABELS),
                "attributes": {"confidence": round(r.uniform(0.6, 0.99), 2), "place": place},
            }
        device = r.choice(self.scene.devices)
        _cam, lat, lon, _place = r.choice(self.scene.cameras)
        lat, lon = lat + r.uniform(-0.004, 0.004), lon + r.uniform(-0.004, 0.004)
        if self.kind == "geofence" and self.scene.fences:
            return {
                "id": ident,
                "kind": r.choice(["geofence_enter", "geofence_exit"]),
                "occurred_at": now.isoformat(),
                "device_id": device,
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "fence": r.choice(self.scene.fences),
            }
        return {
            "id": ident,
            "kind": "position",
            "occurred_at": now.isoformat(),
            "device_id": device,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "attributes": {"speed": round(r.uniform(0, 6), 1)},
        }

    def traccar_body(self, ev: dict) -> tuple[str, dict]:
        number = (
            int(ev["id"].rsplit("-", 1)[1])
            + (zlib.crc32(self.run_id.encode()) % 100000) * 10_000_000
        )
        device = {
            "id": zlib.crc32(ev["device_id"].encode()) % 100000,
            "name": f"定位终端{ev['device_id'][-3:]}",
            "uniqueId": ev["device_id"],
        }
        position = {
            "id": number,
            "deviceId": device["id"],
            "fixTime": ev["occurred_at"],
            "latitude": ev["lat"],
            "longitude": ev["lon"],
            "valid": True,
        }
        if ev["kind"] == "position":
            return f"position:{number}", {"position": position, "device": device}
        return f"event:{number}", {
            "event": {
                "id": number,
                "type": "geofenceEnter" if ev["kind"] == "geofence_enter" else "geofenceExit",
                "eventTime": ev["occurred_at"],
                "deviceId": device["id"],
                "geofenceId": int(ev.get("fence") or 1),
                "positionId": number,
                "attributes": {},
            },
            "position": position,
            "device": device,
        }

    # -- HTTP ------------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _post(self, body: str, headers: dict) -> tuple[int, dict, dict]:
        conn = self._connection()
        conn.request("POST", self.path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self._drop()
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {}
        return response.status, parsed, dict(response.getheaders())

    def deliver(self, body: str, msg_id: str | None) -> tuple[int, dict, int]:
        """POST until a final answer: (status, answer, retries). Retries connection errors,
        5xx and 429 with the same body and message id; a 4xx other than 429 is final."""
        wait, retries, started = 0.25, 0, time.monotonic()
        while True:
            headers = {"Content-Type": "application/json", **self.extra_headers}
            if self.fmt == "traccar":
                headers[TOKEN_HEADER] = self.secret
            else:
                at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                headers.update(
                    {
                        "webhook-id": msg_id,
                        "webhook-timestamp": str(int(at.replace(tzinfo=dt.UTC).timestamp())),
                        "webhook-signature": Webhook(self.secret).sign(msg_id, at, body),
                    }
                )
            try:
                status, answer, response_headers = self._post(body, headers)
            except (OSError, http.client.HTTPException):
                self._drop()
                status, answer, response_headers = 0, {}, {}
            if status and status < 500 and status != 429:
                return status, answer, retries
            if time.monotonic() - started > self.max_wait:
                return status, answer, retries
            retries += 1
            delay = wait
            retry_after = response_headers.get("Retry-After")
            if retry_after and retry_after.isdigit():
                delay = max(delay, float(retry_after))
            time.sleep(delay * (0.8 + 0.4 * self.random.random()))
            wait = min(wait * 2, 10.0)

    def send_batch(self, size: int, totals: Totals) -> int:
        """Make and send one batch (one request for Traccar per event); returns its status."""
        events = [self.event() for _ in range(size)]
        if self.fmt == "traccar":
            status = 200
            for ev in events:
                ident, payload = self.traccar_body(ev)
                started = time.monotonic()
                status, answer, retries = self.deliver(
                    json.dumps(payload, ensure_ascii=False), None
                )
                if status != 200:
                    with totals.lock:
                        totals.failed += 1
                    continue
                totals.add(answer, [ident], time.monotonic() - started, retries)
            return status
        body = json.dumps({"events": events}, ensure_ascii=False)
        started = time.monotonic()
        status, answer, retries = self.deliver(body, f"msg_{uuid.uuid4().hex}")
        if status != 200:
            with totals.lock:
                totals.failed += len(events)
            return status
        totals.add(answer, [e["id"] for e in events], time.monotonic() - started, retries)
        return status


def run(
    sender: Sender,
    *,
    rate: float,
    duration: float,
    batch: int | None = None,
    concurrency: int = 1,
    totals: Totals | None = None,
) -> Totals:
    """Send about ``rate`` events a second for ``duration`` seconds (rate 0: as fast as the
    server answers), in batches of ``batch`` (default: a second's worth, at most 500)."""
    totals = totals or Totals()
    size = batch or max(1, min(500, int(rate) or 500))
    interval = size / rate if rate else 0.0
    end = time.monotonic() + duration

    def worker(offset: float) -> None:
        next_at = time.monotonic() + offset
        while time.monotonic() < end:
            if interval:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval * concurrency
            sender.send_batch(size, totals)

    if concurrency == 1:
        worker(0.0)
        return totals
    threads = [
        threading.Thread(target=worker, args=(i * interval,), daemon=True)
        for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals
