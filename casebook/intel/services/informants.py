"""The protected informant register: registration by a station leader holding the compartment,
look-up by code that reveals nothing about other stations, the identity revealed with a purpose,
and reliability from the verification of earlier reports."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core.validators import (
    collect,
    validate_plain_name,
    validate_text_length,
)
from casebook.crypto.services import data_key_create
from casebook.intel.access import may_register_informants
from casebook.subjects.identifiers import validate_id_number

from ..choices import (
    SourceEvaluation,
    Verification,
)
from ..models import (
    Informant,
)


def unknown_informant_message() -> str:
    """The one answer for a code that is unknown, another station's, or no longer active."""
    return _("No informant of this station has this code.")


def informant_by_code(*, station, code: str) -> Informant | None:
    """The station's active informant with this code, or None.

    Another station's code answers exactly as an unknown one (the same single query, the same
    None), so that nobody can learn which codes exist elsewhere.
    """
    code = (code or "").strip()
    if station is None or not code:
        return None
    return Informant.objects.filter(station=station, code=code, is_active=True).first()


@transaction.atomic
def informant_register(
    *, actor, handler, real_name: str, id_number: str = "", phone: str = "", notes: str = ""
) -> Informant:
    station = actor.unit.station
    if not may_register_informants(actor):
        raise PermissionDenied(
            _("Only a station leader holding the informant compartment registers informants.")
        )
    if handler is None or not policy.works_at_station(handler, station):
        raise ValidationError({"handler": [_("The handler must be an officer of the station.")]})
    if not (real_name or "").strip():
        raise ValidationError({"real_name": [_("Give the informant's real name.")]})
    errors: dict[str, list] = {}
    collect(errors, "real_name", validate_plain_name, real_name)
    collect(errors, "real_name", validate_text_length, real_name.strip(), 50)
    collect(errors, "notes", validate_text_length, notes)
    if errors:
        raise ValidationError(errors)
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
    count = Informant.objects.filter(station=station).count() + 1
    informant = Informant(
        code=f"{station.code}-E{count:04d}",
        station=station,
        handler=handler,
        real_name=real_name.strip(),
        id_number=id_number,
        phone=phone.strip(),
        notes=notes.strip(),
        data_key=data_key_create(label=f"informant:{uuid.uuid4().hex}"),
    )
    informant.save()
    record_event(
        actor=actor, action="informant.register", obj=informant, details={"handler": handler.pk}
    )
    return informant


def informant_reveal(*, actor, informant: Informant, purpose: str) -> dict:
    """The identity, for the handler and the station leader only; purpose required, audited.
    The view asks for re-authentication first (SECURITY.md S6)."""
    if not policy.can(actor, Action.INFORMANT_REVEAL, informant):
        with transaction.atomic():
            record_event(actor=actor, action="informant.reveal", obj=informant, outcome="denied")
        raise PermissionDenied
    if len((purpose or "").strip()) < 2:
        raise ValidationError({"purpose": [_("State why you need the identity.")]})
    with transaction.atomic():
        record_event(actor=actor, action="informant.reveal", obj=informant, purpose=purpose.strip())
    return {
        "real_name": informant.real_name,
        "id_number": informant.id_number,
        "phone": informant.phone,
        "notes": informant.notes,
    }


def informant_grade(informant: Informant) -> str:
    """Reliability from how the informant's earlier reports were verified: A reliable (≥ 80 %
    confirmed), B untested (fewer than three settled reports, or 50–80 %), C not reliable."""
    counts = dict.fromkeys(Verification.values, 0)
    for status in informant.records.filter(merged_into__isnull=True).values_list(
        "verification", flat=True
    ):
        counts[status] += 1
    confirmed = counts[Verification.VERIFIED] + counts[Verification.CORROBORATED]
    settled = confirmed + counts[Verification.REFUTED]
    if settled < 3:
        return SourceEvaluation.UNTESTED
    share = confirmed / settled
    return (
        SourceEvaluation.RELIABLE
        if share >= 0.8
        else SourceEvaluation.UNTESTED
        if share >= 0.5
        else SourceEvaluation.NOT_RELIABLE
    )
