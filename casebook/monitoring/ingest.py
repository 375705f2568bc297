"""Ingestion of a batch of monitoring events (``POST /api/v1/monitoring/<code>/events``).

Order of the checks (each refusal is RFC 9457 problem details, counted per source, and stores
nothing): unknown source (404) → disabled (403) → address not allowed (403) → authentication:
Standard Webhooks signature with a 5-minute timestamp tolerance, or a Traccar source's token
(401) → a message id already used for another body (409) → malformed JSON (400) → more than
500 events (413) → invalid events (422, the errors by event) → over capacity (429 with
Retry-After) or the database unavailable (503 with Retry-After).

A valid batch goes through :mod:`casebook.monitoring.pipeline` (prepare → idempotent bulk insert
→ on_stored) in one transaction that commits before the answer: a 2xx answer means every event
it calls stored or duplicate is in the database. A message sent again with the same id and body
(a sender's retry) gets the same answer and stores nothing new.

No audit event is written per event or per batch: the :class:`Delivery` row is the batch's
aggregate record, and refusals are counted in :class:`RefusalCount`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from . import formats, pipeline
from .choices import Refusal, SourceFormat
from .models import Delivery, Event, Source
from .services import count_refusal, retention_days, valid_secrets

TOKEN_HEADER = "X-Casebook-Token"  # noqa: S105 - a header name
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
RETRY_AFTER_BUSY = 2
RETRY_AFTER_DOWN = 5
#: tries of one batch's transaction when it meets a deadlock or a lock timeout
STORE_ATTEMPTS = 3
#: first key of the PostgreSQL advisory lock that serialises a source's listeners
LISTENER_LOCK = 15_0315

logger = logging.getLogger(__name__)


@dataclass
class Answer:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)

    @property
    def is_problem(self) -> bool:
        return self.status >= 400


def problem(status: int, title: str, detail: str = "", **extra) -> Answer:
    body = {"type": "about:blank", "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    headers = {}
    if status in (429, 503):
        headers["Retry-After"] = str(RETRY_AFTER_BUSY if status == 429 else RETRY_AFTER_DOWN)
    return Answer(status, body, headers)


class Refused(Exception):
    def __init__(self, answer: Answer, reason: str | None):
        super().__init__(answer.body.get("title"))
        self.answer = answer
        self.reason = reason


def _max_concurrent() -> int:
    return int(getattr(settings, "CASEBOOK_MONITORING_MAX_CONCURRENT", 4))


_slots = threading.BoundedSemaphore(_max_concurrent())


def _is_contention(exc: BaseException) -> bool:
    """A lock timeout, a deadlock or SQLite's busy database: the batch may simply be retried."""
    text = str(exc).lower()
    return any(
        marker in text
        for marker in ("lock timeout", "deadlock detected", "is locked", "could not serialize")
    )


def _address_allowed(source: Source, address: str) -> bool:
    networks = source.networks
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def _verify_signature(source: Source, body: bytes, headers: dict) -> str:
    """The message id of a correctly signed request; raises Refused otherwise."""
    found = {k.lower(): v for k, v in headers.items() if k.lower().startswith("webhook-")}
    if not (found.get("webhook-id") and found.get("webhook-timestamp")):
        raise Refused(
            problem(
                401,
                _("Signature missing"),
                _(
                    "Sign the request with the webhook-id, webhook-timestamp and "
                    "webhook-signature headers (Standard Webhooks)."
                ),
            ),
            Refusal.SIGNATURE_MISSING,
        )
    if not found.get("webhook-signature"):
        raise Refused(
            problem(401, _("Signature missing"), _("The webhook-signature header is missing.")),
            Refusal.SIGNATURE_MISSING,
        )
    if len(found["webhook-id"]) > 200:
        raise Refused(
            problem(401, _("Wrong signature"), _("The webhook-id is too long.")),
            Refusal.SIGNATURE_INVALID,
        )
    last_error = None
    for secret in valid_secrets(source):
        try:
            Webhook(secret).verify(body, found, json_parse=False)
            return found["webhook-id"]
        except WebhookVerificationError as exc:
            last_error = str(exc)
            if last_error != "No matching signature found":
                break
        except (ValueError, TypeError, UnicodeDecodeError):  # a malformed signature header
            last_error = "No matching signature found"
    if last_error in ("Message timestamp too old", "Message timestamp too new"):
        raise Refused(
            problem(
                401,
                _("Timestamp outside the tolerance"),
                _(
                    "The webhook-timestamp is more than 5 minutes from the server's time: "
                    "check the sender's clock, or this is a replayed request."
                ),
            ),
            Refusal.TIMESTAMP,
        )
    if last_error == "Invalid Signature Headers":
        raise Refused(
            problem(401, _("Wrong signature"), _("The webhook-timestamp is not a number.")),
            Refusal.SIGNATURE_INVALID,
        )
    raise Refused(
        problem(
            401,
            _("Wrong signature"),
            _("No signature matches the source's secret: check the secret the sender uses."),
        ),
        Refusal.SIGNATURE_INVALID,
    )


def _verify_token(source: Source, headers: dict) -> None:
    given = ""
    for k, v in headers.items():
        if k.lower() == TOKEN_HEADER.lower():
            given = v
    ok = False
    for secret in valid_secrets(source):
        # compare every secret, constant time each: no early exit telling which one matched
        ok |= hmac.compare_digest(given.encode(), secret.encode())
    if not given or not ok:
        raise Refused(
            problem(
                401,
                _("Wrong or missing token"),
                _("Send the source's token in the %(header)s header.") % {"header": TOKEN_HEADER},
            ),
            Refusal.TOKEN_INVALID,
        )


def _replayed(delivery: Delivery, body_hash: str) -> Answer:
    if delivery.body_hash != body_hash:
        raise Refused(
            problem(
                409,
                _("Replayed message id"),
                _(
                    "This webhook-id was already used for another batch: give each batch a new "
                    "id, and reuse an id only to resend the same batch."
                ),
            ),
            Refusal.REPLAY,
        )
    return Answer(200, delivery.answer, {"Webhook-Replayed": "true"})


def _parse(source: Source, body: bytes) -> list[formats.Item]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(
            problem(400, _("Malformed JSON"), _("The body is not valid JSON.")), Refusal.MALFORMED
        ) from None
    try:
        if source.format == SourceFormat.TRACCAR:
            return formats.parse_traccar(data)
        return formats.parse_casebook(data)
    except formats.Malformed as exc:
        raise Refused(problem(400, _("Malformed JSON"), str(exc)), Refusal.MALFORMED) from None
    except formats.TooLarge as exc:
        raise Refused(
            problem(
                413,
                _("Batch too large"),
                _("A batch holds at most %(max)s events; this one has %(count)s.")
                % {"max": formats.MAX_BATCH, "count": exc.count},
            ),
            Refusal.TOO_LARGE,
        ) from None
    except formats.Invalid as exc:
        raise Refused(
            problem(
                422,
                _("Invalid events"),
                _("Nothing of this batch was stored: correct the events listed and send it again."),
                errors=exc.errors,
            ),
            Refusal.INVALID,
        ) from None


def _screen(items: list[formats.Item], now) -> None:
    """Reject (per event) what is well formed but not to be kept; mark repeated ids."""
    oldest = now - dt.timedelta(days=retention_days())
    seen: set[str] = set()
    for item in items:
        if item.external_id in seen:
            item.rejected = item.rejected or "__repeat__"
            continue
        seen.add(item.external_id)
        event = item.event
        if event is None:
            continue
        if event.occurred_at > now + FUTURE_TOLERANCE:
            item.rejected = _("Occurred in the future: check the sender's clock.")
        elif event.occurred_at < oldest:
            item.rejected = _("Older than the retention period of monitoring events.")


def _store(source: Source, items: list[formats.Item], message_id: str, body_hash: str, now):
    token = uuid.uuid4().hex
    taken = [i.event for i in items if i.event is not None and not i.rejected]
    prepared = pipeline.prepare(source, taken)
    rows = [
        Event(
            source=source,
            external_id=e.external_id[: formats.MAX_ID],
            kind=e.kind,
            occurred_at=e.occurred_at,
            received_at=now,
            device_id=e.device_id,
            lat=e.lat,
            lon=e.lon,
            fence_ref=e.fence_ref,
            label=e.label,
            attributes=e.attributes,
            batch=token,
        )
        for e in prepared
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '10s'")
        if rows:
            Event.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        # in (device, fence, time) order: listeners that lock rows per device and fence (alert
        # collapsing) then take their locks in the same order in every batch, and cannot deadlock
        mine = (
            list(
                Event.objects.filter(source=source, batch=token).order_by(
                    "device_id", "fence_ref", "occurred_at", "pk"
                )
            )
            if rows
            else []
        )
        stored_ids = {e.external_id for e in mine}
        prepared_ids = {e.external_id for e in prepared}
        results, counts = [], {"stored": 0, "duplicate": 0, "rejected": 0, "processed": 0}
        for item in items:
            if item.rejected == "__repeat__":
                entry = {"id": item.external_id, "status": "duplicate"}
            elif item.rejected:
                entry = {"id": item.external_id, "status": "rejected", "reason": item.rejected}
            elif item.external_id in stored_ids:
                entry = {"id": item.external_id, "status": "stored"}
            elif item.external_id in prepared_ids:
                entry = {"id": item.external_id, "status": "duplicate"}
            else:  # a position, turned into crossings (or nothing) by the matcher
                entry = {"id": item.external_id, "status": "processed"}
            counts[entry["status"]] += 1
            results.append(entry)
        input_ids = {i.external_id for i in items}
        answer = {
            "source": source.code,
            "message_id": message_id,
            **counts,
            "crossings": sum(1 for e in mine if e.external_id not in input_ids),
            "events": results,
        }
        if message_id:
            Delivery.objects.create(
                source=source,
                message_id=message_id,
                body_hash=body_hash,
                received_at=now,
                stored=counts["stored"],
                duplicate=counts["duplicate"],
                rejected=counts["rejected"],
                answer=answer,
            )
        if mine:
            if connection.vendor == "postgresql":
                # one batch of a source at a time through the listeners (alert collapsing
                # locks the alerts of the batch's devices): no deadlock between two batches,
                # whatever order a listener takes its locks in; the inserts above stay parallel
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [LISTENER_LOCK, source.pk]
                    )
            pipeline.on_stored(source, mine)
    return Answer(200, answer)


def ingest(code: str, body: bytes, headers: dict, address: str) -> Answer:
    """Handle one request of the ingestion API; never raises for bad input or a busy database."""
    source = None
    try:
        source = Source.objects.filter(code=code).first() if len(code) <= 40 else None
        if source is None:
            return problem(404, _("Unknown source"), _("No monitoring source has this address."))
        try:
            return _ingest(source, body, headers, address)
        except Refused as refused:
            if refused.reason:
                count_refusal(source, refused.reason)
            return refused.answer
    except (OperationalError, DatabaseError) as exc:
        logger.warning("monitoring batch refused for a database error: %s", exc)
        if _is_contention(exc):
            if source is not None:
                count_refusal(source, Refusal.BUSY)
            return problem(429, _("Over capacity"), _("Too many batches at once: send it again."))
        return problem(
            503, _("Service unavailable"), _("The database is unavailable: send the batch again.")
        )


def _ingest(source: Source, body: bytes, headers: dict, address: str) -> Answer:
    if not source.enabled:
        raise Refused(
            problem(403, _("Source disabled"), _("This source is disabled in Casebook.")),
            Refusal.DISABLED,
        )
    if not _address_allowed(source, address):
        raise Refused(
            problem(
                403,
                _("Address not allowed"),
                _("The source may not send from %(address)s.") % {"address": address[:64]},
            ),
            Refusal.ADDRESS,
        )
    body_hash = hashlib.sha256(body).hexdigest()
    message_id = ""
    if source.format == SourceFormat.TRACCAR:
        _verify_token(source, headers)
    else:
        message_id = _verify_signature(source, body, headers)
        earlier = Delivery.objects.filter(source=source, message_id=message_id).first()
        if earlier is not None:
            return _replayed(earlier, body_hash)
    items = _parse(source, body)
    now = timezone.now()
    _screen(items, now)
    if not _slots.acquire(blocking=False):
        raise Refused(
            problem(429, _("Over capacity"), _("Too many batches at once: send it again.")),
            Refusal.BUSY,
        )
    try:
        for attempt in range(STORE_ATTEMPTS):
            try:
                return _store(source, items, message_id, body_hash, now)
            except OperationalError as exc:
                # a deadlock or lock timeout rolled the batch back: it is idempotent, try again
                if not _is_contention(exc) or attempt == STORE_ATTEMPTS - 1:
                    raise
                logger.info("monitoring batch of %s retried after: %s", source.code, exc)
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")
    except IntegrityError:
        # the same message stored meanwhile by a concurrent request: answer as it was answered
        earlier = Delivery.objects.filter(source=source, message_id=message_id).first()
        if earlier is None:
            raise
        return _replayed(earlier, body_hash)
    finally:
        _slots.release()
