"""Writes to the organisation (units), audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action, administers_unit, require
from casebook.audit.services import changes, record_event

from .choices import UnitKind
from .models import ALLOWED_PARENT, Heartbeat, Unit

UNIT_FIELDS = ("kind", "name", "code", "parent_id", "address", "phone", "time_zone", "is_active")


def _validate(unit: Unit) -> None:
    wanted = ALLOWED_PARENT.get(unit.kind)
    parent_kind = unit.parent.kind if unit.parent_id else None
    if parent_kind != wanted:
        if wanted is None:
            raise ValidationError({"parent": _("A bureau has no parent unit.")})
        raise ValidationError(
            {
                "parent": _("This kind of unit must sit under: %(kind)s.")
                % {"kind": UnitKind(wanted).label}
            }
        )
    unit.full_clean()


@transaction.atomic
def unit_create(
    *,
    actor,
    kind: str,
    name: str,
    code: str,
    parent: Unit | None = None,
    address: str = "",
    phone: str = "",
    time_zone: str = "",
) -> Unit:
    if actor is not None:
        require(actor, Action.UNIT_MANAGE)
        # An administrator works inside their own bureau; a new bureau is the installer's.
        if not administers_unit(actor, Action.UNIT_MANAGE, parent):
            raise ValidationError({"parent": _("Choose a parent unit of your own bureau.")})
    unit = Unit(
        kind=kind,
        name=name,
        code=code,
        parent=parent,
        address=address,
        phone=phone,
        time_zone=time_zone,
    )
    _validate(unit)
    unit.save()
    record_event(
        actor=actor,
        action="unit.create",
        obj=unit,
        actor_name="installer" if actor is None else "",
        details={"kind": kind, "code": code},
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    require(actor, Action.UNIT_MANAGE)
    if not administers_unit(actor, Action.UNIT_MANAGE, unit):
        raise PermissionDenied(_("This unit is not in your bureau."))
    before = {f: getattr(unit, f) for f in UNIT_FIELDS}
    for name, value in fields.items():
        if name not in UNIT_FIELDS and name != "parent":
            raise ValueError(name)
        setattr(unit, name, value)
    # The unit stays inside the bureau: no new bureau, no move to another one.
    if unit.parent_id is None:
        inside = unit.pk == getattr(actor.unit.bureau, "pk", None)
    else:
        inside = unit.parent_id != unit.pk and administers_unit(
            actor, Action.UNIT_MANAGE, unit.parent
        )
    if not inside:
        raise ValidationError({"parent": _("Choose a parent unit of your own bureau.")})
    _validate(unit)
    if not unit.is_active and unit.members.filter(is_active=True).exists():
        raise ValidationError({"is_active": _("Move or disable this unit's active users first.")})
    unit.save()
    diff = changes(before, {f: getattr(unit, f) for f in UNIT_FIELDS})
    if diff:
        record_event(actor=actor, action="unit.update", obj=unit, details=diff)
    return unit


def heartbeat_record(service: str, now=None) -> None:
    """A background service reports that it is alive. One tiny write in its own autocommit
    statement (never inside a caller's long transaction); not audited: it is telemetry of the
    system, with no actor and no personal data."""
    now = now or timezone.now()
    if not Heartbeat.objects.filter(service=service).update(beat_at=now):
        Heartbeat.objects.get_or_create(service=service, defaults={"beat_at": now})
