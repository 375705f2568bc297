"""Information records: a graded fact recorded about subjects (its content encrypted with the
record's own key, searched through keyed tokens), and the export of records with their handling
codes respected."""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core.validators import (
    collect,
    validate_plausible_date,
    validate_text_length,
)
from casebook.crypto.services import data_key_create
from casebook.crypto.textindex import text_tokens

from ..choices import (
    Channel,
    Handling,
    InfoAssessment,
    Method,
    SourceEvaluation,
)
from ..models import (
    Informant,
    InformationRecord,
    RecordTokens,
)
from ._common import _tags
from .informants import unknown_informant_message


@transaction.atomic
def record_create(
    *,
    actor,
    subjects,
    method: str,
    channel: str,
    occurred_at: datetime,
    content: str,
    source_evaluation: str,
    info_assessment: str,
    handling: str = Handling.SHAREABLE,
    handling_conditions: str = "",
    task=None,
    informant: Informant | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    observations: dict | None = None,
    tags=(),
    recorded_at: datetime | None = None,
) -> InformationRecord:
    """Record a fact. Grading is required at entry; opinions belong in an assessment."""
    subjects = list(subjects)
    errors: dict[str, list] = {}
    if not subjects:
        errors["subjects"] = [_("Choose the subjects the information concerns.")]
    elif any(not policy.can(actor, Action.SUBJECT_VIEW, s) for s in subjects):
        errors["subjects"] = [_("Choose subjects you can see.")]
    elif len({s.station_id for s in subjects}) > 1:
        errors["subjects"] = [_("Record information of one station at a time.")]
    station = subjects[0].station if subjects else None
    if station is not None and not policy.works_at_station(actor, station):
        raise PermissionDenied(_("Only officers of the owning station record information."))
    if method not in Method.values:
        errors["method"] = [_("Choose how the information was obtained.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose the channel.")]
    if source_evaluation not in SourceEvaluation.values:
        errors["source_evaluation"] = [_("Grade the source.")]
    if info_assessment not in InfoAssessment.values:
        errors["info_assessment"] = [_("Grade the information.")]
    if handling not in Handling.values:
        errors["handling"] = [_("Choose the handling code.")]
    elif handling == Handling.CONDITIONS and not (handling_conditions or "").strip():
        errors["handling_conditions"] = [_("State the conditions of sharing.")]
    if not (content or "").strip():
        errors["content"] = [_("Describe what was observed.")]
    collect(errors, "content", validate_text_length, (content or "").strip())
    collect(errors, "address", validate_text_length, (address or "").strip(), 200)
    collect(errors, "handling_conditions", validate_text_length, handling_conditions, 300)
    if occurred_at is None:
        errors["occurred_at"] = [_("Give when it happened.")]
    elif occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("The time is in the future.")]
    else:
        collect(errors, "occurred_at", validate_plausible_date, occurred_at, allow_future=True)
    if channel == Channel.INFORMANT:
        if informant is None:
            errors["informant"] = [_("Choose the informant (by code).")]
        elif station is not None and (
            informant.station_id != station.pk or not informant.is_active
        ):
            errors["informant"] = [unknown_informant_message()]
    elif informant is not None:
        errors["informant"] = [_("An informant is given only for the informant channel.")]
    if task is not None and (
        not policy.can(actor, Action.TASK_VIEW, task)
        or not task.subjects.filter(pk__in=[s.pk for s in subjects]).exists()
    ):
        errors["task"] = [_("The task must concern these subjects and be visible to you.")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if errors:
        raise ValidationError(errors)
    record = InformationRecord.objects.create(
        station=station,
        task=task,
        method=method,
        channel=channel,
        informant=informant,
        occurred_at=occurred_at,
        recorded_at=recorded_at or timezone.now(),
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        content=content.strip(),
        observations=observations or {},
        source_evaluation=source_evaluation,
        info_assessment=info_assessment,
        handling=handling,
        handling_conditions=handling_conditions.strip(),
        data_key=data_key_create(label=f"record:{uuid.uuid4().hex}"),
        created_by=actor,
    )
    # The content column holds ciphertext (the record's own key); search reads keyed tokens.
    RecordTokens.objects.create(record=record, tokens=text_tokens(record.content))
    record.subjects.set(subjects)
    if tags:
        record.tags.set(_tags(tags))
    for subject in subjects:
        record_event(
            actor=actor,
            action="record.create",
            obj=subject,
            details={"record": record.pk, "channel": channel, "grade": record.grade},
        )
    return record


def export_rows(*, actor, records, purpose: str) -> tuple[list[InformationRecord], list[int]]:
    """The records an export may carry, and those it must withhold: a record shared only under
    conditions never leaves the system in an export. The export itself is audited."""
    if len((purpose or "").strip()) < 2:
        raise ValidationError({"purpose": [_("State the purpose of the export.")]})
    allowed, withheld = [], []
    for record in records:
        (withheld if record.handling == Handling.CONDITIONS else allowed).append(record)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="record.export",
            object_type="intel.informationrecord",
            purpose=purpose.strip(),
            details={"exported": [r.pk for r in allowed], "withheld": [r.pk for r in withheld]},
        )
    return allowed, [r.pk for r in withheld]
