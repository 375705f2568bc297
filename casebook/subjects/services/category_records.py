"""The records that a subject's category calls for: a person's offences, rehabilitation periods,
drug tests and threats, and an incident's situation log."""

from django.core.exceptions import (
    ValidationError,
)
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event

from ..choices import Kind
from ..models import (
    DrugTest,
    Offence,
    RehabPeriod,
    SituationEntry,
    Subject,
    Threat,
)

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
