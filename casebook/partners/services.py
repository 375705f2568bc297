"""Every write to the partner register: permission, validation, the write and its audit event
in one transaction. A contact's phone never reaches the audit log."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.audit.services import changes, record_event
from casebook.core.validators import collect, validate_plain_name, validate_text_length
from casebook.crypto.services import data_key_create
from casebook.subjects import identifiers as ids

from .access import bureau_of, may_manage
from .choices import PartnerKind
from .models import PartnerContact, PartnerUnit

PARTNER_FIELDS = ("name", "kind", "address", "notes", "is_active")


def _validate(bureau, data: dict, exclude: PartnerUnit | None = None) -> dict:
    errors: dict[str, list] = {}
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if not data.get("name"):
        errors["name"] = [_("Give the department's name.")]
    collect(errors, "name", validate_plain_name, data.get("name") or "")
    if data.get("kind") not in PartnerKind.values:
        errors["kind"] = [_("Choose the kind of department.")]
    collect(errors, "notes", validate_text_length, data.get("notes") or "")
    twins = PartnerUnit.objects.filter(bureau=bureau, name=data.get("name") or "")
    if exclude is not None:
        twins = twins.exclude(pk=exclude.pk)
    if data.get("name") and twins.exists():
        errors["name"] = [_("This department is already registered.")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def partner_create(
    *, actor, name: str, kind: str, address: str = "", notes: str = ""
) -> PartnerUnit:
    """Register a department with the actor's bureau."""
    bureau = bureau_of(actor)
    if not may_manage(actor, bureau):
        raise PermissionDenied(_("Only leaders and the system administrator keep this register."))
    data = _validate(bureau, {"name": name, "kind": kind, "address": address, "notes": notes})
    partner = PartnerUnit.objects.create(
        bureau=bureau,
        created_by=actor,
        data_key=data_key_create(label=f"partner:{uuid.uuid4().hex}"),
        **{k: data[k] for k in ("name", "kind", "address", "notes")},
    )
    record_event(actor=actor, action="partner.create", obj=partner, details={"kind": kind})
    return partner


@transaction.atomic
def partner_update(*, actor, partner: PartnerUnit, **data) -> PartnerUnit:
    if not may_manage(actor, partner.bureau):
        raise PermissionDenied(_("Only leaders and the system administrator keep this register."))
    partner = PartnerUnit.objects.select_for_update().get(pk=partner.pk)
    merged = {f: data.get(f, getattr(partner, f)) for f in PARTNER_FIELDS}
    clean = _validate(partner.bureau, merged, exclude=partner)
    before = {f: getattr(partner, f) for f in PARTNER_FIELDS}
    for f in PARTNER_FIELDS:
        setattr(partner, f, clean[f])
    partner.save()
    record_event(
        actor=actor,
        action="partner.update",
        obj=partner,
        details=changes(before, {f: getattr(partner, f) for f in PARTNER_FIELDS}),
    )
    return partner


@transaction.atomic
def contact_add(
    *, actor, partner: PartnerUnit, name: str, title: str = "", phone: str = ""
) -> PartnerContact:
    if not may_manage(actor, partner.bureau):
        raise PermissionDenied(_("Only leaders and the system administrator keep this register."))
    errors: dict[str, list] = {}
    name, title, phone = (name or "").strip(), (title or "").strip(), (phone or "").strip()
    if not name:
        errors["name"] = [_("Give the contact's name.")]
    collect(errors, "name", validate_plain_name, name)
    if phone:
        try:
            phone = ids.validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    contact = PartnerContact(partner=partner, name=name, title=title[:60])
    contact.phone = phone
    contact.save()
    record_event(
        actor=actor,
        action="partner.contact_add",
        obj=partner,
        details={"contact": contact.pk, "fields": ["name", "phone"] if phone else ["name"]},
    )
    return contact


@transaction.atomic
def contact_retire(*, actor, contact: PartnerContact) -> PartnerContact:
    if not may_manage(actor, contact.partner.bureau):
        raise PermissionDenied(_("Only leaders and the system administrator keep this register."))
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    record_event(
        actor=actor,
        action="partner.contact_retire",
        obj=contact.partner,
        details={"contact": contact.pk},
    )
    return contact
