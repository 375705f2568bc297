"""Writes of geofences, bindings and alert triage. Each asks the policy, validates, writes and
records an audit event inside one transaction (docs/architecture.md, law 1)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.audit.services import record_event
from casebook.intel.choices import Channel, Method
from casebook.intel.services.records import record_create
from casebook.subjects.choices import Kind

from . import geo
from . import geo_access as rights  # a module: geo_access imports the demo, which imports us
from .geo_models import (
    LIVE,
    Alert,
    AlertKind,
    AlertStatus,
    Binding,
    BindingKind,
    FenceKind,
    Geofence,
)
from .models import Event, Source

#: How an urgent report is sent (reports sits above monitoring and registers its service here
#: from ``ReportsConfig.ready()``): ``send(actor=, text=, place=, subject=)`` → the report.
_URGENT_SENDERS: list = []

MAX_DEVICES = 200


def register_urgent_sender(send) -> None:
    if send not in _URGENT_SENDERS:
        _URGENT_SENDERS.append(send)


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _check_station(actor, action, station) -> None:
    if station is None or station.pk not in policy.station_ids(actor, action):
        raise PermissionDenied
    if not policy.works_at_station(actor, station):
        raise PermissionDenied(_("Only officers of the owning station do this."))


def _device_list(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").replace("\n", ",").split(",")
    out = []
    for item in value or []:
        item = str(item).strip()
        if not item:
            continue
        if len(item) > 100:
            raise ValidationError({"device_ids": [_("A device id has at most 100 characters.")]})
        if item not in out:
            out.append(item)
    if len(out) > MAX_DEVICES:
        raise ValidationError(
            {"device_ids": [_("At most %(n)s devices per fence.") % {"n": MAX_DEVICES}]}
        )
    return out


def _check_period(errors: dict, valid_from, valid_until) -> None:
    if valid_from is None:
        errors["valid_from"] = [_("Give the start of the validity period.")]
    if valid_until is None:
        errors["valid_until"] = [_("Give the end of the validity period.")]
    elif valid_from is not None and valid_until <= valid_from:
        errors["valid_until"] = [_("The end must come after the start.")]


def _check_fence_fields(actor, station, data: dict) -> dict:
    errors: dict[str, list] = {}
    name = _text(data.get("name"))
    if not name:
        errors["name"] = [_("Name the fence.")]
    legal_basis = _text(data.get("legal_basis"))
    if len(legal_basis) < 4:
        errors["legal_basis"] = [_("State the legal basis (for example the decision's number).")]
    kind = data.get("kind") or FenceKind.AREA
    if kind not in FenceKind.values:
        errors["kind"] = [_("Choose the kind of fence.")]
    place = data.get("place")
    if kind == FenceKind.PLACE and place is None:
        errors["place"] = [_("Choose the key place the fence surrounds.")]
    if place is not None and (
        place.kind != Kind.PLACE
        or place.station_id != station.pk
        or not policy.can(actor, policy.Action.SUBJECT_VIEW, place)
    ):
        errors["place"] = [_("Choose a key place of the station.")]
    subjects = list(data.get("subjects") or [])
    if any(
        s.station_id != station.pk or not policy.can(actor, policy.Action.SUBJECT_VIEW, s)
        for s in subjects
    ):
        errors["subjects"] = [_("Choose subjects of the station.")]
    _check_period(errors, data.get("valid_from"), data.get("valid_until"))
    try:
        devices = _device_list(data.get("device_ids"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        devices = []
    geometry = None
    if "geometry" in data:
        try:
            geometry = geo.parse_geometry(data.get("geometry"))
        except ValidationError as exc:
            errors["geometry"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return {
        "name": name[:100],
        "legal_basis": legal_basis[:300],
        "kind": kind,
        "place": place,
        "valid_from": data["valid_from"],
        "valid_until": data["valid_until"],
        "device_ids": devices,
        "external_ref": _text(data.get("external_ref"))[:100],
        "subjects": subjects,
        "geometry": geometry,
    }


@transaction.atomic
def fence_create(*, actor, station, **data) -> Geofence:
    """Draw a fence (``geometry``: GeoJSON text or dict) with its legal basis and period."""
    _check_station(actor, rights.FENCE_MANAGE, station)
    clean = _check_fence_fields(actor, station, data)
    subjects = clean.pop("subjects")
    fence = Geofence.objects.create(station=station, created_by=actor, **clean)
    fence.subjects.set(subjects)
    record_event(
        actor=actor,
        action="monitoring.fence_create",
        obj=fence,
        details={"valid_until": fence.valid_until.isoformat(), "devices": len(fence.device_ids)},
    )
    return fence


@transaction.atomic
def fence_update(*, actor, fence: Geofence, **data) -> Geofence:
    """Change a fence; its area only when ``geometry`` is given."""
    fence = Geofence.objects.select_for_update().get(pk=fence.pk)
    if not policy.can(actor, rights.FENCE_MANAGE, fence):
        raise PermissionDenied
    _check_station(actor, rights.FENCE_MANAGE, fence.station)
    clean = _check_fence_fields(actor, fence.station, data)
    subjects = clean.pop("subjects")
    if clean["geometry"] is None:
        clean.pop("geometry")
    changed = [k for k, v in clean.items() if getattr(fence, k) != v]
    for key, value in clean.items():
        setattr(fence, key, value)
    fence.save()
    fence.subjects.set(subjects)
    record_event(
        actor=actor, action="monitoring.fence_update", obj=fence, details={"fields": changed}
    )
    return fence


@transaction.atomic
def fence_withdraw(*, actor, fence: Geofence, reason: str) -> Geofence:
    fence = Geofence.objects.select_for_update().get(pk=fence.pk)
    if not policy.can(actor, rights.FENCE_MANAGE, fence):
        raise PermissionDenied
    _check_station(actor, rights.FENCE_MANAGE, fence.station)
    reason = _text(reason)
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why the fence is withdrawn.")]})
    fence.is_active = False
    fence.save(update_fields=["is_active", "updated_at"])
    record_event(
        actor=actor, action="monitoring.fence_withdraw", obj=fence, details={"reason": reason}
    )
    return fence


@transaction.atomic
def fence_import(
    *,
    actor,
    station,
    geojson,
    legal_basis: str,
    valid_from: datetime,
    valid_until: datetime,
    name: str = "",
) -> list[Geofence]:
    """Import the areas of a GeoJSON file as fences: all of them, or none (a clear error)."""
    _check_station(actor, rights.FENCE_MANAGE, station)
    try:
        areas = geo.parse_import(geojson)
    except ValidationError as exc:
        raise ValidationError({"geojson": exc.messages}) from exc
    base = _text(name)
    fences = []
    for n, (area_name, geometry) in enumerate(areas, start=1):
        fence_name = area_name or (f"{base} {n}" if len(areas) > 1 else base)
        clean = _check_fence_fields(
            actor,
            station,
            {
                "name": fence_name or _("Imported area %(n)s") % {"n": n},
                "legal_basis": legal_basis,
                "kind": FenceKind.AREA,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
        clean.pop("subjects")
        clean["geometry"] = geometry
        fences.append(Geofence.objects.create(station=station, created_by=actor, **clean))
    record_event(
        actor=actor,
        action="monitoring.fence_import",
        object_type="monitoring.geofence",
        object_id=",".join(str(f.pk) for f in fences)[:100],
        object_repr=base or fences[0].name,
        details={"count": len(fences)},
    )
    return fences


@transaction.atomic
def binding_create(
    *,
    actor,
    station,
    kind: str,
    device_id: str,
    subject,
    legal_basis: str,
    starts_on,
    ends_on,
    source: Source | None = None,
) -> Binding:
    """Bind a camera or device to a place or subject: only with a legal basis and an end date."""
    _check_station(actor, rights.BINDING_MANAGE, station)
    errors: dict[str, list] = {}
    device_id = _text(device_id)
    if not device_id:
        errors["device_id"] = [_("Give the camera's or device's id.")]
    elif len(device_id) > 100:
        errors["device_id"] = [_("A device id has at most 100 characters.")]
    if kind not in BindingKind.values:
        errors["kind"] = [_("Choose camera or device.")]
    legal_basis = _text(legal_basis)
    if len(legal_basis) < 4:
        errors["legal_basis"] = [
            _("State the legal basis (for example the court's monitoring decision).")
        ]
    if (
        subject is None
        or subject.station_id != station.pk
        or not policy.can(actor, policy.Action.SUBJECT_VIEW, subject)
    ):
        errors["subject"] = [_("Choose a place or subject of the station.")]
    elif kind == BindingKind.CAMERA and subject.kind != Kind.PLACE:
        errors["subject"] = [_("A camera is bound to a key place.")]
    if source is not None and source.station_id != station.pk:
        errors["source"] = [_("Choose a source of the station.")]
    if starts_on is None:
        errors["starts_on"] = [_("Give the start date.")]
    if ends_on is None:
        errors["ends_on"] = [_("A binding needs an end date.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date must not come before the start date.")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [_("The end date has passed.")]
    if errors:
        raise ValidationError(errors)
    binding = Binding.objects.create(
        station=station,
        kind=kind,
        source=source,
        device_id=device_id,
        subject=subject,
        legal_basis=legal_basis[:300],
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="monitoring.binding_create",
        obj=binding,
        details={"subject": subject.pk, "ends_on": ends_on.isoformat(), "kind": kind},
    )
    return binding


@transaction.atomic
def binding_revoke(*, actor, binding: Binding) -> Binding:
    binding = Binding.objects.select_for_update().get(pk=binding.pk)
    if not policy.can(actor, rights.BINDING_MANAGE, binding):
        raise PermissionDenied
    _check_station(actor, rights.BINDING_MANAGE, binding.station)
    if binding.revoked_at is None:
        binding.revoked_at, binding.revoked_by = timezone.now(), actor
        binding.save(update_fields=["revoked_at", "revoked_by"])
        record_event(actor=actor, action="monitoring.binding_revoke", obj=binding)
    return binding


def _triage(actor, alert: Alert) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not policy.can(actor, rights.TRIAGE, alert):
        raise PermissionDenied
    if not policy.works_at_station(actor, alert.station):
        raise PermissionDenied(_("Only officers of the owning station triage its alerts."))
    if alert.status not in LIVE:
        raise ValidationError(_("This alert has already been dealt with."))
    return alert


def _close(alert: Alert, actor, status: str, **fields) -> None:
    alert.status = status
    alert.handled_by = actor
    alert.handled_at = timezone.now()
    for key, value in fields.items():
        setattr(alert, key, value)
    alert.save()


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert) -> Alert:
    alert = _triage(actor, alert)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("This alert has already been acknowledged."))
    _close(alert, actor, AlertStatus.ACKNOWLEDGED)
    record_event(actor=actor, action="monitoring.alert_acknowledge", obj=alert)
    return alert


@transaction.atomic
def alert_dismiss(*, actor, alert: Alert, reason: str) -> Alert:
    alert = _triage(actor, alert)
    reason = _text(reason)
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why the alert is dismissed.")]})
    _close(alert, actor, AlertStatus.DISMISSED, reason=reason[:300])
    record_event(
        actor=actor,
        action="monitoring.alert_dismiss",
        obj=alert,
        details={"reason": reason[:300], "events": alert.count},
    )
    return alert


def _event_ids(alert: Alert):
    return alert.links.values("event_id")


@transaction.atomic
def alert_promote(
    *,
    actor,
    alert: Alert,
    subject,
    content: str,
    source_evaluation: str,
    info_assessment: str,
    task=None,
) -> Alert:
    """Promote an alert to an information record (channel video or geofence, graded, attached
    to the subject and, if chosen, a task); its events are marked promoted so that retention
    keeps them as long as the record."""
    alert = _triage(actor, alert)
    if subject is None:
        raise ValidationError({"subject": [_("Choose the subject the information concerns.")]})
    if subject.station_id != alert.station_id:
        raise ValidationError({"subject": [_("Choose a subject of the alert's station.")]})
    channel = Channel.VIDEO if alert.kind == AlertKind.VIDEO else Channel.GEOFENCE
    record = record_create(
        actor=actor,
        subjects=[subject],
        method=Method.TECHNICAL,
        channel=channel,
        occurred_at=alert.first_at,
        content=content,
        source_evaluation=source_evaluation,
        info_assessment=info_assessment,
        task=task,
        observations={"monitoring_alert": alert.pk, "events": alert.count},
    )
    marked = Event.objects.filter(pk__in=_event_ids(alert)).update(promoted=True)
    _close(alert, actor, AlertStatus.PROMOTED, record=record, subject=subject)
    record_event(
        actor=actor,
        action="monitoring.alert_promote",
        obj=alert,
        details={"record": record.pk, "events": marked, "task": task.pk if task else None},
    )
    return alert


@transaction.atomic
def alert_raise_urgent(*, actor, alert: Alert, text: str) -> Alert:
    """Raise an urgent report about the alert (through the sender reports registered)."""
    alert = _triage(actor, alert)
    if not _URGENT_SENDERS:
        raise ValidationError(_("Urgent reports cannot be sent from here."))
    if not policy.can(actor, policy.Action.URGENT_SEND):
        raise PermissionDenied
    place = alert.fence.name if alert.fence_id else (alert.subject.name if alert.subject else "")
    report = _URGENT_SENDERS[0](actor=actor, text=text, place=place[:200], subject=alert.subject)
    marked = Event.objects.filter(pk__in=_event_ids(alert)).update(promoted=True)
    _close(alert, actor, AlertStatus.ESCALATED, urgent_report_id=report.pk)
    record_event(
        actor=actor,
        action="monitoring.alert_urgent",
        obj=alert,
        details={"urgent": report.pk, "events": marked},
    )
    return alert
