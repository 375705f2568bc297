"""The kind-specific detail rows of subjects (person, place, incident): which fields they hold,
their validation and normalisation, the text that list search matches, and the consultation of a
person's full particulars."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import (
    ValidationError,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core.validators import (
    collect,
    validate_plain_name,
    validate_text_length,
)

from .. import identifiers as ids
from ..choices import Kind
from ..models import (
    IncidentDetail,
    PersonDetail,
    PlaceDetail,
    Subject,
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


def subject_consult(*, actor, subject: Subject, purpose: str) -> None:
    """Open a person's full particulars: the purpose is required and recorded (L2)."""
    policy.check(actor, Action.SUBJECT_VIEW, subject)
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("State why you need the full particulars.")]})
    record_event(actor=actor, action="subject.consult", obj=subject, purpose=purpose)
