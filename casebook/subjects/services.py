"""Every write to tracked subjects: permission first, validation, the write, the audit event —
in one transaction. Sensitive values never reach the audit log; only the names of the fields
that changed do."""

import uuid
from datetime import date

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.roles import LEADER_ROLES
from casebook.audit.services import changes, record_event
from casebook.core import uploads
from casebook.core.choices import UnitKind
from casebook.core.validators import (
    EARLIEST_DATE,
    collect,
    validate_plain_name,
    validate_plausible_date,
    validate_text_length,
)
from casebook.crypto.services import (
    blind_index,
    data_key_create,
    decrypt_bytes,
    encrypt_bytes,
)

from . import identifiers as ids
from .choices import AssociationType, IdentifierKind, Kind, Status
from .models import (
    Association,
    Category,
    DrugTest,
    Identifier,
    IncidentDetail,
    Offence,
    PersonDetail,
    PlaceDetail,
    RehabPeriod,
    SituationEntry,
    Subject,
    Threat,
)

SUBJECT_FIELDS = (
    "name",
    "category_id",
    "area_id",
    "classification",
    "legal_basis_ref",
    "approved_by_id",
    "approved_on",
    "notes",
)
PERSON_FIELDS = (
    "aliases",
    "sex",
    "date_of_birth",
    "id_number",
    "phones",
    "household_address",
    "current_address",
    "occupation",
    "employer",
    "economic_situation",
    "data_subject_category",
    "supervision_status",
)
PLACE_FIELDS = (
    "licence_numbers",
    "credit_code",
    "address",
    "latitude",
    "longitude",
    "operator_id",
    "operator_name",
    "opening_hours",
)
INCIDENT_FIELDS = (
    "incident_type",
    "started_at",
    "location",
    "latitude",
    "longitude",
    "incident_status",
    "cause",
    "scale",
    "people_involved",
    "departments",
    "rescue_notes",
    "resettlement_notes",
)
DETAIL = {
    Kind.PERSON: (PersonDetail, PERSON_FIELDS),
    Kind.PLACE: (PlaceDetail, PLACE_FIELDS),
    Kind.INCIDENT: (IncidentDetail, INCIDENT_FIELDS),
}


class DuplicateSubject(ValidationError):
    """An identifier already belongs to a subject. ``existing`` is set only when the actor may
    see it; otherwise the message says no more than that the number is registered."""

    def __init__(self, field: str, existing: Subject | None, clash: Subject):
        self.field, self.existing, self.clash = field, existing, clash
        if existing is not None:
            message = _(
                "Already registered: %(name)s. Open the existing record instead of creating a twin."
            ) % {"name": existing.name}
        else:
            message = _(
                "This number is already registered to a subject you cannot see. Ask "
                "your station leader to check it."
            )
        super().__init__({field: [message]})


class StaleEdit(ValidationError):
    """The subject was saved by someone else after the editor opened it (optimistic
    concurrency). Names who, when and which fields, from the audit log; ``current_version`` is
    the version to send to overwrite knowingly; ``changed`` maps the other edit's field names to
    their labels."""

    def __init__(self, subject: Subject):
        from casebook.audit.models import AuditEvent

        self.current_version = subject.version
        self.event = (
            AuditEvent.objects.filter(
                action="subject.update", object_type="subjects.subject", object_id=str(subject.pk)
            )
            .order_by("-seq")
            .first()
        )
        details = self.event.details if self.event else {}
        self.changed = {key: _field_label(subject, key) for key in sorted(details or {})}
        if self.event is not None:
            message = _(
                "%(name)s saved this subject at %(at)s, after you opened it, and changed: "
                "%(fields)s. Your changes are not saved yet: they are kept below; compare them "
                "with the current values and save again."
            ) % {
                "name": self.event.actor_name or _("someone"),
                "at": timezone.localtime(self.event.occurred_at).strftime("%Y-%m-%d %H:%M"),
                "fields": "、".join(str(v) for v in self.changed.values()) or "—",
            }
        else:
            message = _(
                "Someone saved this subject after you opened it. Your changes are not saved "
                "yet: compare them with the current values and save again."
            )
        super().__init__({NON_FIELD_ERRORS: [message]})


def _field_label(subject: Subject, key: str) -> str:
    """The translated label of a field named in an audit diff (``category_id`` → 类别)."""
    name = key.removesuffix("_id")
    detail_model = DETAIL[subject.kind][0] if subject.kind in DETAIL else None
    for model in (Subject, detail_model):
        if model is None:
            continue
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return key


# --- helpers -----------------------------------------------------------------------------------


def _detail_of(subject: Subject):
    model, _fields = DETAIL[subject.kind]
    return model.objects.filter(subject=subject).first()


def build_search_text(subject: Subject, detail) -> str:
    """Lower-cased text that list search matches: names, aliases and their pinyin, the area,
    place and incident addresses, notes. Person addresses are encrypted and not indexed."""
    parts = [subject.name, ids.pinyin_forms(subject.name), subject.notes]
    if subject.area_id:
        parts.append(subject.area.name)
    if subject.kind == Kind.PERSON and detail is not None:
        parts += [
            detail.aliases,
            ids.pinyin_forms(detail.aliases),
            detail.occupation,
            detail.employer,
        ]
    elif subject.kind == Kind.PLACE and detail is not None:
        parts += [detail.address, detail.licence_numbers, detail.operator_name]
    elif subject.kind == Kind.INCIDENT and detail is not None:
        parts += [detail.location, detail.incident_type, detail.cause]
    return " ".join(p for p in parts if p).lower()


def _identifiers(kind: str, detail) -> list[tuple[str, str, str]]:
    """(kind, blind index, masked) for every identifier the detail row holds."""
    found = []
    if kind == Kind.PERSON:
        if detail.id_number:
            found.append(
                (
                    IdentifierKind.ID_NUMBER,
                    blind_index(detail.id_number, kind=IdentifierKind.ID_NUMBER),
                    ids.mask_id_number(detail.id_number),
                )
            )
        for phone in detail.phone_list:
            found.append(
                (
                    IdentifierKind.PHONE,
                    blind_index(phone, kind=IdentifierKind.PHONE),
                    ids.mask_phone(phone),
                )
            )
    elif kind == Kind.PLACE:
        for licence in detail.licence_list:
            found.append(
                (IdentifierKind.LICENCE, blind_index(licence, kind=IdentifierKind.LICENCE), licence)
            )
    return found


#: Identifier kinds that must be unique across subjects (a phone may be shared by a family).
UNIQUE_KINDS = {IdentifierKind.ID_NUMBER: "id_number", IdentifierKind.LICENCE: "licence_numbers"}


def _check_duplicates(actor, kind: str, detail, exclude: Subject | None = None) -> None:
    for ident_kind, index, _masked in _identifiers(kind, detail):
        if ident_kind not in UNIQUE_KINDS:
            continue
        clash = Identifier.objects.filter(kind=ident_kind, blind_index=index)
        if exclude is not None:
            clash = clash.exclude(subject=exclude)
        other = clash.select_related("subject").first()
        if other is not None:
            visible = Subject.objects.filter(pk=other.subject_id).restrict(actor)
            existing = visible.first()
            raise DuplicateSubject(UNIQUE_KINDS[ident_kind], existing, other.subject)


def _outside_transaction_on_duplicate(write):
    """Run ``write`` in a transaction; a refused twin of a subject the actor cannot see is
    recorded after the rollback, so that leaders can resolve it."""
    from functools import wraps

    @wraps(write)
    def wrapper(*args, actor, **kwargs):
        try:
            with transaction.atomic():
                return write(*args, actor=actor, **kwargs)
        except DuplicateSubject as exc:
            if exc.existing is None:
                record_event(
                    actor=actor,
                    action="subject.duplicate_blocked",
                    obj=exc.clash,
                    outcome="denied",
                    details={"field": exc.field},
                )
            raise

    return wrapper


def _sync_identifiers(actor, subject: Subject, detail) -> None:
    """Replace the subject's identifiers. The check before the write cannot see a twin being
    registered at the same moment; the unique constraint can: the loser gets the same clear
    error as a twin found by the check (naming the other subject only to one who may see it)."""
    Identifier.objects.filter(subject=subject).delete()
    try:
        with transaction.atomic():
            Identifier.objects.bulk_create(
                Identifier(subject=subject, kind=k, blind_index=i, masked=m)
                for k, i, m in _identifiers(subject.kind, detail)
            )
    except IntegrityError:
        _check_duplicates(actor, subject.kind, detail, exclude=subject)
        raise


def _validate_detail(kind: str, data: dict) -> dict:
    """Normalise and validate the kind-specific fields; errors per field."""
    errors: dict[str, list] = {}
    data = dict(data)
    if kind == Kind.PERSON:
        if not data.get("data_subject_category"):
            errors["data_subject_category"] = [_("Choose the data-subject category.")]
        dob = data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            errors["date_of_birth"] = [_("The date of birth is in the future.")]
        if data.get("id_number"):
            try:
                data["id_number"] = ids.validate_id_number(
                    data["id_number"], dob if "date_of_birth" not in errors else None
                )
                data.setdefault("date_of_birth", None)
                data["date_of_birth"] = data["date_of_birth"] or ids.birth_date_of(
                    data["id_number"]
                )
                if data.get("sex") in (None, "", "0"):
                    data["sex"] = ids.sex_of(data["id_number"])
            except ValidationError as exc:
                errors["id_number"] = exc.messages
        phones = [
            p for p in str(data.get("phones") or "").replace("，", ",").split(",") if p.strip()
        ]
        cleaned = []
        for phone in phones:
            try:
                cleaned.append(ids.validate_phone(phone))
            except ValidationError as exc:
                errors.setdefault("phones", []).extend(exc.messages)
        data["phones"] = ",".join(dict.fromkeys(cleaned))
    elif kind == Kind.PLACE:
        if not (data.get("address") or "").strip():
            errors["address"] = [_("A place needs an address.")]
        data["licence_numbers"] = ",".join(
            dict.fromkeys(
                x.strip().upper()
                for x in str(data.get("licence_numbers") or "").replace("，", ",").split(",")
                if x.strip()
            )
        )
        if data.get("credit_code"):
            from stdnum.cn import uscc

            try:
                data["credit_code"] = uscc.validate(data["credit_code"])
            except Exception:  # noqa: BLE001 - stdnum raises several ValidationError kinds
                errors["credit_code"] = [_("This unified social credit code is not valid.")]
        _check_position(data, errors)
    elif kind == Kind.INCIDENT:
        for required in ("incident_type", "location", "started_at"):
            if not data.get(required):
                errors[required] = [_("This field is required.")]
        if data.get("started_at") and data["started_at"] > timezone.now():
            errors["started_at"] = [_("The start time is in the future.")]
        _check_position(data, errors)
    collect(errors, "aliases", validate_plain_name, data.get("aliases") or "")
    collect(errors, "operator_name", validate_plain_name, data.get("operator_name") or "")
    for key, value in data.items():
        if isinstance(value, str):
            collect(errors, key, validate_text_length, value)
    if errors:
        raise ValidationError(errors)
    return data


def _check_position(data: dict, errors: dict) -> None:
    from decimal import Decimal, InvalidOperation

    for key in ("latitude", "longitude"):
        if data.get(key) is not None:
            try:  # six decimals (about 0.1 m), whatever form the number came in
                data[key] = Decimal(str(data[key])).quantize(Decimal("0.000001"))
            except InvalidOperation:
                errors[key] = [_("Not a number.")]
                data[key] = None
    lat, lng = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lng is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        errors["latitude"] = [_("The position is outside the valid range.")]


def _validate_common(
    actor,
    *,
    kind,
    category: Category | None,
    station,
    area,
    approved_by,
    approved_on: date | None,
    legal_basis_ref: str,
    classification: int,
    compartments,
) -> None:
    errors: dict[str, list] = {}
    if category is None or not category.is_active:
        errors["category"] = [_("Choose a category.")]
    elif category.kind != kind:
        errors["category"] = [_("This category is for another kind of subject.")]
    if station is None or station.kind != UnitKind.STATION:
        errors["station"] = [_("Choose the owning police station.")]
    if area is not None and station is not None and area.parent_id != station.pk:
        errors["area"] = [_("This community area does not belong to the owning station.")]
    if not (legal_basis_ref or "").strip():
        errors["legal_basis_ref"] = [_("Give the legal basis: nothing is tracked without one.")]
    if approved_on is None:
        errors["approved_on"] = [_("Give the approval date.")]
    elif approved_on > timezone.localdate():
        errors["approved_on"] = [_("The approval date is in the future.")]
    elif approved_on < EARLIEST_DATE:
        collect(errors, "approved_on", validate_plausible_date, approved_on)
    if approved_by is None:
        errors["approved_by"] = [_("Name the leader who approved the tracking.")]
    elif station is not None and not policy.may_approve_tracking(approved_by, station):
        errors["approved_by"] = [
            _("The approver must be a leader of the owning station or of the bureau.")
        ]
    if classification > actor.clearance:
        errors["classification"] = [_("You cannot mark a subject above your own clearance.")]
    if compartments and not {c.code for c in compartments} <= actor.compartment_codes:
        errors["compartments"] = [_("You can only use compartments you hold.")]
    if errors:
        raise ValidationError(errors)


def approvers_for(station):
    """Users who may approve tracking for ``station`` (for form choices)."""
    from casebook.accounts.models import User

    candidates = (
        User.objects.filter(is_active=True, roles__role__in=LEADER_ROLES)
        .select_related("unit")
        .distinct()
    )
    return [u for u in candidates if policy.may_approve_tracking(u, station)]


# --- subjects ---------------------------------------------------------------------------------


@_outside_transaction_on_duplicate
def subject_create(
    *,
    actor,
    kind: str,
    category: Category | None,
    name: str,
    station,
    legal_basis_ref: str,
    approved_by,
    approved_on: date | None,
    area=None,
    officers=(),
    classification: int = 1,
    compartments=(),
    notes: str = "",
    detail: dict | None = None,
) -> Subject:
    """Create a subject of any kind with its detail row; refuses twins of an identifier."""
    if station is None or station.pk not in policy.station_ids(actor, Action.SUBJECT_CREATE):
        raise PermissionDenied(_("You may not create subjects for this station."))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give a name.")]
    collect(errors, "name", validate_plain_name, name)
    collect(errors, "notes", validate_text_length, notes)
    try:
        _validate_common(
            actor,
            kind=kind,
            category=category,
            station=station,
            area=area,
            approved_by=approved_by,
            approved_on=approved_on,
            legal_basis_ref=legal_basis_ref,
            classification=classification,
            compartments=compartments,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        detail_data = _validate_detail(kind, detail or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    model, fields = DETAIL[kind]
    probe = model(**{f: detail_data.get(f) for f in fields if f in detail_data})
    _check_duplicates(actor, kind, probe)
    subject = Subject(
        kind=kind,
        category=category,
        name=name,
        station=station,
        area=area,
        classification=classification,
        legal_basis_ref=legal_basis_ref.strip(),
        approved_by=approved_by,
        approved_on=approved_on,
        notes=notes,
        review_due=Subject.next_review(category),
        created_by=actor,
        data_key=data_key_create(label=f"subject:{uuid.uuid4().hex}"),
    )
    subject.save()
    subject.officers.set(officers or [actor])
    subject.compartments.set(compartments)
    detail_obj = model(subject=subject, **{f: v for f, v in detail_data.items() if f in fields})
    detail_obj.full_clean(exclude=["subject"])
    detail_obj.save()
    _sync_identifiers(actor, subject, detail_obj)
    subject.search_text = build_search_text(subject, detail_obj)
    subject.save(update_fields=["search_text"])
    if not policy.can(actor, Action.SUBJECT_VIEW, subject):  # no creating out of one's reach
        raise ValidationError(
            {
                "classification": [
                    _(
                        "You would not be able to see this subject "
                        "yourself; check the classification."
                    )
                ]
            }
        )
    record_event(
        actor=actor,
        action="subject.create",
        obj=subject,
        details={
            "kind": kind,
            "category": category.code,
            "fields": sorted(k for k, v in detail_data.items() if v),
        },
    )
    return subject


@_outside_transaction_on_duplicate
def subject_update(
    *,
    actor,
    subject: Subject,
    detail: dict | None = None,
    officers=None,
    compartments=None,
    expected_version: int | None = None,
    **fields,
) -> Subject:
    """Change a subject's common fields and/or its detail; never its risk level (assessments
    set that) nor its station (a transfer is its own procedure). ``expected_version`` is the
    version the editor saw: a save on an older one is refused (:class:`StaleEdit`), so that
    nobody silently erases a colleague's change."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.check(actor, Action.SUBJECT_EDIT, subject)
    if expected_version is not None and int(expected_version) != subject.version:
        raise StaleEdit(subject)
    forbidden = set(fields) - {
        "name",
        "category",
        "area",
        "classification",
        "legal_basis_ref",
        "approved_by",
        "approved_on",
        "notes",
    }
    if forbidden:
        raise ValueError(f"not editable here: {sorted(forbidden)}")
    before = {f: getattr(subject, f) for f in SUBJECT_FIELDS}
    for key, value in fields.items():
        setattr(subject, key, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not subject.name:
        errors["name"] = [_("Give a name.")]
    collect(errors, "name", validate_plain_name, subject.name)
    collect(errors, "notes", validate_text_length, subject.notes)
    try:
        _validate_common(
            actor,
            kind=subject.kind,
            category=subject.category,
            station=subject.station,
            area=subject.area,
            approved_by=subject.approved_by,
            approved_on=subject.approved_on,
            legal_basis_ref=subject.legal_basis_ref,
            classification=subject.classification,
            compartments=compartments if compartments is not None else [],
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    model, detail_fields = DETAIL[subject.kind]
    detail_obj = _detail_of(subject)
    detail_before = {f: getattr(detail_obj, f) for f in detail_fields}
    if detail is not None:
        try:
            data = _validate_detail(subject.kind, {**detail_before, **detail})
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            for key in detail_fields:
                if key in data:
                    setattr(detail_obj, key, data[key])
    if errors:
        raise ValidationError(errors)
    if category_changed := before["category_id"] != subject.category_id:
        subject.review_due = Subject.next_review(subject.category)
    _check_duplicates(actor, subject.kind, detail_obj, exclude=subject)
    detail_obj.full_clean(exclude=["subject"])
    detail_obj.save()
    _sync_identifiers(actor, subject, detail_obj)
    subject.search_text = build_search_text(subject, detail_obj)
    # UPDATE … WHERE version = seen: of two saves racing past the check above (SQLite has no
    # row locks), only one moves the version on; the other is refused
    seen = subject.version
    if not Subject.objects.filter(pk=subject.pk, version=seen).update(version=seen + 1):
        raise StaleEdit(Subject.objects.get(pk=subject.pk))
    subject.version = seen + 1
    subject.save()
    if officers is not None:
        subject.officers.set(officers)
    if compartments is not None:
        subject.compartments.set(compartments)
    if not policy.can(actor, Action.SUBJECT_VIEW, subject):
        raise ValidationError(
            {
                "classification": [
                    _(
                        "You would not be able to see this subject "
                        "yourself; check the classification."
                    )
                ]
            }
        )
    diff = changes(before, {f: getattr(subject, f) for f in SUBJECT_FIELDS})
    diff.update(
        changes(
            detail_before,
            {f: getattr(detail_obj, f) for f in detail_fields},
            sensitive=PersonDetail.SENSITIVE,
        )
    )
    if officers is not None:
        diff["officers"] = sorted(u.pk for u in officers)
    if category_changed:
        diff["review_due"] = str(subject.review_due)
    record_event(actor=actor, action="subject.update", obj=subject, details=_jsonable(diff))
    return subject


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


@transaction.atomic
def subject_set_status(*, actor, subject: Subject, status: str, reason: str) -> Subject:
    """Suspend, close or reopen. Closing and reopening need a leader and a reason."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    needs_leader = Status.CLOSED in (status, subject.status)
    policy.check(actor, Action.SUBJECT_APPROVE if needs_leader else Action.SUBJECT_EDIT, subject)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for the change of status.")]})
    if status == subject.status:
        raise ValidationError({"status": [_("The subject already has this status.")]})
    old = subject.status
    subject.status, subject.status_reason = status, reason.strip()
    if old == Status.CLOSED:  # reopened: a fresh review cycle
        subject.review_due = Subject.next_review(subject.category)
    subject.save(update_fields=["status", "status_reason", "review_due", "updated_at"])
    record_event(
        actor=actor,
        action="subject.status",
        obj=subject,
        details={"from": old, "to": status, "reason": reason.strip()},
    )
    return subject


@transaction.atomic
def subject_review(*, actor, subject: Subject, note: str) -> Subject:
    """Record the periodic review of the basis; the next review date follows the category."""
    policy.check(actor, Action.SUBJECT_APPROVE, subject)
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say what the review concluded.")]})
    subject.review_due = Subject.next_review(subject.category)
    subject.save(update_fields=["review_due", "updated_at"])
    record_event(
        actor=actor,
        action="subject.review",
        obj=subject,
        details={"note": note.strip(), "next": str(subject.review_due)},
    )
    return subject


def subject_consult(*, actor, subject: Subject, purpose: str) -> None:
    """Open a person's full particulars: the purpose is required and recorded (L2)."""
    policy.check(actor, Action.SUBJECT_VIEW, subject)
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("State why you need the full particulars.")]})
    record_event(actor=actor, action="subject.consult", obj=subject, purpose=purpose)


# --- associations ---------------------------------------------------------------------------


@transaction.atomic
def association_create(
    *,
    actor,
    source: Subject,
    target: Subject | None,
    type: str,
    source_text: str,
    confidence: str,
    role: str = "",
) -> Association:
    """Link two subjects (a 'combination' of personal data, logged as such)."""
    policy.check(actor, Action.SUBJECT_EDIT, source)
    errors = {}
    if target is None or not policy.can(actor, Action.SUBJECT_VIEW, target):
        errors["target"] = [_("Choose a subject you can see.")]
    elif target.pk == source.pk:
        errors["target"] = [_("A subject cannot be linked to itself.")]
    if type not in AssociationType.values:
        errors["type"] = [_("Choose the relation.")]
    if not (source_text or "").strip():
        errors["source"] = [_("Say where this information comes from.")]
    if (
        not errors
        and Association.objects.filter(
            source_subject=source, target_subject=target, type=type
        ).exists()
    ):
        errors["target"] = [_("This link already exists.")]
    if errors:
        raise ValidationError(errors)
    link = Association.objects.create(
        source_subject=source,
        target_subject=target,
        type=type,
        role=role.strip(),
        source=source_text.strip(),
        confidence=confidence,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="subject.link",
        obj=source,
        details={"to": target.pk, "type": type, "confidence": confidence},
    )
    return link


@transaction.atomic
def association_delete(*, actor, link: Association, reason: str) -> None:
    policy.check(actor, Action.SUBJECT_EDIT, link.source_subject)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for removing the link.")]})
    record_event(
        actor=actor,
        action="subject.unlink",
        obj=link.source_subject,
        details={"to": link.target_subject_id, "type": link.type, "reason": reason},
    )
    link.delete()


# --- category records ------------------------------------------------------------------------

RECORD_MODELS = {"offence": Offence, "rehab": RehabPeriod, "drug_test": DrugTest, "threat": Threat}


@transaction.atomic
def person_record_add(*, actor, subject: Subject, record: str, data: dict):
    """Add an offence, rehabilitation period, drug test or threat to a person."""
    policy.check(actor, Action.SUBJECT_EDIT, subject)
    if subject.kind != Kind.PERSON or record not in RECORD_MODELS:
        raise ValidationError(_("This record does not belong to this kind of subject."))
    today = timezone.localdate()
    errors = {}
    for field in ("offence_date", "start", "tested_on", "said_on"):
        if data.get(field) and data[field] > today:
            errors[field] = [_("The date is in the future.")]
    if record == "rehab" and data.get("end") and data.get("start") and data["end"] < data["start"]:
        errors["end"] = [_("The end is before the start.")]
    if errors:
        raise ValidationError(errors)
    obj = RECORD_MODELS[record](person=subject.person, **data)
    obj.full_clean(exclude=["person"])
    obj.save()
    record_event(
        actor=actor, action=f"subject.{record}.add", obj=subject, details={"record": obj.pk}
    )
    return obj


@transaction.atomic
def situation_add(
    *, actor, subject: Subject, text: str, at=None, status: str = ""
) -> SituationEntry:
    """A line in an incident's situation log; optionally moves the incident's situation."""
    policy.check(actor, Action.SUBJECT_EDIT, subject)
    if subject.kind != Kind.INCIDENT:
        raise ValidationError(_("Only incidents have a situation log."))
    if not (text or "").strip():
        raise ValidationError({"text": [_("Describe the situation.")]})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": [_("The time is in the future.")]})
    entry = SituationEntry.objects.create(
        incident=subject.incident, at=at, text=text.strip(), author=actor
    )
    details = {"entry": entry.pk}
    if status and status != subject.incident.incident_status:
        details["situation"] = {"from": subject.incident.incident_status, "to": status}
        subject.incident.incident_status = status
        subject.incident.full_clean(exclude=["subject"])
        subject.incident.save(update_fields=["incident_status"])
    record_event(actor=actor, action="subject.situation", obj=subject, details=details)
    return entry


# --- photo ------------------------------------------------------------------------------------

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def _clean_image(data: bytes) -> bytes:
    """Re-encode the photo (see casebook.core.uploads): drops EXIF/GPS and anything appended."""
    return uploads.reencode_image(data, field="photo", max_side=1200)[0]


@transaction.atomic
def photo_set(*, actor, subject: Subject, data: bytes) -> None:
    policy.check(actor, Action.SUBJECT_EDIT, subject)
    if subject.kind != Kind.PERSON:
        raise ValidationError({"photo": [_("Only persons have a photo.")]})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": [_("The photo is larger than 5 MB.")]})
    clean = _clean_image(data)
    token = encrypt_bytes(subject.data_key, clean, context="subjects.PersonDetail.photo")
    name = default_storage.save(f"photos/{uuid.uuid4().hex}.bin", ContentFile(token))
    person = subject.person
    old = person.photo
    person.photo = name
    person.save(update_fields=["photo"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    record_event(actor=actor, action="subject.photo", obj=subject, details={"bytes": len(clean)})


def photo_bytes(subject: Subject) -> bytes | None:
    name = subject.person.photo if subject.kind == Kind.PERSON else ""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return decrypt_bytes(subject.data_key, fh.read(), context="subjects.PersonDetail.photo")
