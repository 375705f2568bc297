"""Every write of the monitoring sources: registering, changing, rotating the secret (each with
its audit event), counting refusals, and the retention purge of old events.

A source's secret (a Standard Webhooks signing key ``whsec_…`` for the Casebook format, a token
for Traccar) is shown once, when made; it is stored encrypted under the source's data key.
"""

import base64
import datetime as dt
import ipaddress
import secrets
import threading
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.audit.services import changes, record_event
from casebook.core.validators import collect, validate_plain_name
from casebook.crypto.services import data_key_create

from .access import may_manage, stations_for_admin
from .choices import SourceFormat, SourceKind
from .models import Delivery, Event, RefusalCount, Source, SourceSecret

SOURCE_FIELDS = ("name", "kind", "allowed_networks", "enabled")
#: the longest overlap an administrator may give a rotated-out secret
MAX_OVERLAP = dt.timedelta(days=7)


def new_secret(fmt: str) -> str:
    if fmt == SourceFormat.TRACCAR:
        return secrets.token_urlsafe(32)
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def parse_networks(text: str) -> list[str]:
    """The networks of ``text`` (one a line) in canonical form; ValidationError when one is not."""
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            found.append(str(ipaddress.ip_network(line, strict=False)))
        except ValueError:
            raise ValidationError(
                {"allowed_networks": [_("Not an address or network: %(line)s") % {"line": line}]}
            ) from None
    return found


def _validate(data: dict, station, exclude: Source | None = None) -> dict:
    errors: dict[str, list] = {}
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if not data.get("name"):
        errors["name"] = [_("Give the source's name.")]
    collect(errors, "name", validate_plain_name, data.get("name") or "")
    if data.get("kind") not in SourceKind.values:
        errors["kind"] = [_("Choose the kind of source.")]
    if data.get("format") not in SourceFormat.values:
        errors["format"] = [_("Choose the format the source sends.")]
    try:
        data["allowed_networks"] = "\n".join(parse_networks(data.get("allowed_networks") or ""))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        data.get("format") == SourceFormat.TRACCAR
        and not data["allowed_networks"]
        and ("allowed_networks" not in errors)
    ):
        errors["allowed_networks"] = [
            _("A Traccar server cannot sign its requests: give the addresses it sends from.")
        ]
    twins = Source.objects.filter(station=station, name=data.get("name") or "")
    if exclude is not None:
        twins = twins.exclude(pk=exclude.pk)
    if data.get("name") and twins.exists():
        errors["name"] = [_("The station already has a source of this name.")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def source_create(
    *,
    actor,
    station,
    name: str,
    kind: str,
    format: str,  # noqa: A002 - the field's name
    allowed_networks: str = "",
    enabled: bool = True,
) -> tuple[Source, str]:
    """Register a source of one of the admin's stations; returns it and its secret (shown once)."""
    if not may_manage(actor) or not stations_for_admin(actor).filter(pk=station.pk).exists():
        raise PermissionDenied(_("Only the bureau's system administrator registers sources."))
    data = _validate(
        {"name": name, "kind": kind, "format": format, "allowed_networks": allowed_networks},
        station,
    )
    source = Source.objects.create(
        station=station,
        code=uuid.uuid4().hex[:16],
        created_by=actor,
        enabled=enabled,
        data_key=data_key_create(label=f"monitoring-source:{uuid.uuid4().hex}"),
        **{k: data[k] for k in ("name", "kind", "format", "allowed_networks")},
    )
    plain = new_secret(source.format)
    SourceSecret.objects.create(source=source, secret=plain)
    record_event(
        actor=actor,
        action="monitoring.source_create",
        obj=source,
        details={"kind": kind, "format": format, "station": station.pk},
    )
    return source, plain


@transaction.atomic
def source_update(*, actor, source: Source, **data) -> Source:
    if not may_manage(actor, source.station.bureau):
        raise PermissionDenied(_("Only the bureau's system administrator keeps the sources."))
    source = Source.objects.select_for_update().get(pk=source.pk)
    merged = {f: data.get(f, getattr(source, f)) for f in SOURCE_FIELDS}
    merged["format"] = source.format
    clean = _validate(merged, source.station, exclude=source)
    before = {f: getattr(source, f) for f in SOURCE_FIELDS}
    for f in SOURCE_FIELDS:
        setattr(source, f, clean[f])
    source.save()
    record_event(
        actor=actor,
        action="monitoring.source_update",
        obj=source,
        details=changes(before, {f: getattr(source, f) for f in SOURCE_FIELDS}),
    )
    return source


@transaction.atomic
def secret_rotate(*, actor, source: Source, overlap: dt.timedelta, now=None) -> str:
    """A new secret for ``source``; the current ones stay valid for ``overlap`` (0 to 7 days),
    so the sending system can be switched over without losing a batch. Returns the new secret."""
    if not may_manage(actor, source.station.bureau):
        raise PermissionDenied(_("Only the bureau's system administrator keeps the sources."))
    if overlap < dt.timedelta(0) or overlap > MAX_OVERLAP:
        raise ValidationError({"overlap_hours": [_("The overlap is from 0 hours to 7 days.")]})
    now = now or timezone.now()
    source = Source.objects.select_for_update().get(pk=source.pk)
    until = now + overlap
    SourceSecret.objects.filter(source=source).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=until)
    ).update(expires_at=until)
    SourceSecret.objects.filter(source=source, expires_at__lt=now - MAX_OVERLAP).delete()
    plain = new_secret(source.format)
    SourceSecret.objects.create(source=source, secret=plain, created_at=now)
    record_event(
        actor=actor,
        action="monitoring.secret_rotate",
        obj=source,
        details={"overlap_hours": round(overlap.total_seconds() / 3600, 2)},
    )
    return plain


# -- secrets at ingestion: decrypted once per process and secret ------------------------------

_plain_cache: dict[tuple[int, str], str] = {}
_cache_lock = threading.Lock()


def valid_secrets(source: Source, now=None) -> list[str]:
    """The secrets a request of ``source`` may use now (newest first)."""
    now = now or timezone.now()
    rows = SourceSecret.objects.filter(source=source).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    found = []
    for row in rows:
        token = row.__dict__["secret"]
        key = (row.pk, str(token))
        plain = _plain_cache.get(key)
        if plain is None:
            row.source = source
            plain = row.secret
            if plain is None:
                continue
            with _cache_lock:
                if len(_plain_cache) > 1000:
                    _plain_cache.clear()
                _plain_cache[key] = plain
        found.append(plain)
    return found


def count_refusal(source: Source, reason: str) -> None:
    """One more refusal of ``source`` for ``reason`` (its own transaction; never raises for a
    database that is down — the refusal is answered all the same)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = RefusalCount.objects.filter(source=source, reason=reason).update(
                count=F("count") + 1, last_at=now
            )
            if not updated:
                try:
                    with transaction.atomic():
                        RefusalCount.objects.create(
                            source=source, reason=reason, count=1, last_at=now
                        )
                except IntegrityError:
                    RefusalCount.objects.filter(source=source, reason=reason).update(
                        count=F("count") + 1, last_at=now
                    )
    except Exception:  # noqa: BLE001 - counting must not turn a refusal into a server error
        return


# -- retention --------------------------------------------------------------------------------


def retention_days() -> int:
    return int(getattr(settings, "CASEBOOK_MONITORING_RETENTION_DAYS", 30))


@transaction.atomic
def purge_events(now=None) -> dict:
    """Delete the events not promoted and older than the retention period, and the delivery
    records as old; one audit event with the counts (none when nothing was deleted)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    old = Event.objects.filter(promoted=False, received_at__lt=cutoff)
    by_kind: dict[str, int] = {}
    for kind in old.values_list("kind", flat=True).distinct():
        by_kind[kind] = old.filter(kind=kind).delete()[1].get(Event._meta.label, 0)
    deliveries = Delivery.objects.filter(received_at__lt=cutoff).delete()[0]
    result = {
        "events": sum(by_kind.values()),
        "by_kind": by_kind,
        "deliveries": deliveries,
        "cutoff": cutoff.isoformat(),
        "retention_days": retention_days(),
    }
    if result["events"] or deliveries:
        record_event(
            actor=None,
            action="monitoring.purge",
            object_type="monitoring.event",
            details=result,
        )
    return result
