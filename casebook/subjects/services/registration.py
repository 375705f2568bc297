"""Registering and editing subjects: the basis (category, legal basis, approver, station) checked,
the detail row and identifiers written, twins refused, and edits guarded by optimistic
concurrency."""

import uuid
from datetime import date

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import LEADER_ROLES
from casebook.audit.models import AuditEvent
from casebook.audit.services import changes, record_event
from casebook.core.choices import UnitKind
from casebook.core.validators import (
    EARLIEST_DATE,
    collect,
    validate_plain_name,
    validate_plausible_date,
    validate_text_length,
)
from casebook.crypto.services import (
    data_key_create,
)

from ..models import (
    Category,
    PersonDetail,
    Subject,
)
from .details import DETAIL, SUBJECT_FIELDS, _detail_of, _validate_detail, build_search_text
from .identifiers import _check_duplicates, _outside_transaction_on_duplicate, _sync_identifiers


class StaleEdit(ValidationError):
    """The subject was saved by someone else after the editor opened it (optimistic
    concurrency). Names who, when and which fields, from the audit log; ``current_version`` is
    the version to send to overwrite knowingly; ``changed`` maps the other edit's field names to
    their labels."""

    def __init__(self, subject: Subject):
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


#: Detail fields whose values never enter the audit log (SECURITY.md L2): the encrypted
#: particulars, coordinates and other identifying values; the event names the field instead.
_DETAIL_SENSITIVE = PersonDetail.SENSITIVE | frozenset(
    {
        "latitude",
        "longitude",
        "date_of_birth",
        "aliases",
        "credit_code",
        "licence_numbers",
        "operator_name",
    }
)


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
    elif station is not None and category.bureau_id != station.parent_id:
        # a station uses its own bureau's categories only (configuration belongs to a bureau)
        errors["category"] = [_("Choose a category of your own bureau.")]
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

    candidates = (
        User.objects.filter(is_active=True, roles__role__in=LEADER_ROLES)
        .select_related("unit")
        .distinct()
    )
    return [u for u in candidates if policy.may_approve_tracking(u, station)]


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
    review_due: date | None = None,
) -> Subject:
    """Create a subject of any kind with its detail row; refuses twins of an identifier.

    ``review_due`` (a register brought in with its own review dates) may bring the first review
    forward, never past the category's cycle; by default the cycle sets it."""
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
    if review_due is not None and category is not None:
        if review_due < timezone.localdate():
            errors["review_due"] = [_("The review date is in the past.")]
        elif review_due > Subject.next_review(category):
            errors["review_due"] = [
                _("The review date is later than the category's review cycle allows.")
            ]
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
        review_due=review_due or Subject.next_review(category),
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
    # the name and the notes are personal data: named, never copied (the log outlives them, D6)
    diff = changes(
        before,
        {f: getattr(subject, f) for f in SUBJECT_FIELDS},
        sensitive=frozenset({"name", "notes"}),
    )
    diff.update(
        changes(
            detail_before,
            {f: getattr(detail_obj, f) for f in detail_fields},
            sensitive=_DETAIL_SENSITIVE,
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
