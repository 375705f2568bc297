"""Every write of the information module: records and their grading, verification (去伪存真),
organisation (topics, corroboration, merging), attachments, informants, field visits with
rectification orders, public tips."""

import difflib
import hashlib
import math
import secrets
import uuid
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.core import uploads
from casebook.core.validators import (
    collect,
    validate_plain_name,
    validate_plausible_date,
    validate_text_length,
)
from casebook.crypto.services import blind_index, data_key_create, decrypt_bytes, encrypt_bytes
from casebook.crypto.textindex import text_tokens
from casebook.intel.access import may_register_informants

from .choices import (
    SETTLED,
    Channel,
    Handling,
    InfoAssessment,
    ItemResult,
    Method,
    RectificationStatus,
    SourceEvaluation,
    TipStatus,
    Verification,
)
from .models import (
    Attachment,
    ChecklistResult,
    Informant,
    InformationRecord,
    RecordTokens,
    Rectification,
    Tag,
    Tip,
)

# --- records ----------------------------------------------------------------------------------


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


def _tags(names) -> list[Tag]:
    out = []
    for name in names:
        name = str(name).strip()[:30]
        if name:
            out.append(Tag.objects.get_or_create(name=name)[0])
    return out


def _check_record(actor, record) -> None:
    if not policy.can(actor, Action.SUBJECT_VIEW, record):
        raise PermissionDenied
    if not policy.works_at_station(actor, record.station):
        raise PermissionDenied(_("Only officers of the owning station organise its records."))


@transaction.atomic
def record_verify(*, actor, record: InformationRecord, status: str, note: str) -> InformationRecord:
    """去伪存真: mark a record corroborated, verified or refuted — who, when and how."""
    _check_record(actor, record)
    if status not in SETTLED:
        raise ValidationError({"status": [_("Choose corroborated, verified or refuted.")]})
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say how it was verified.")]})
    old = record.verification
    record.verification, record.verified_by, record.verified_at = status, actor, timezone.now()
    record.verification_note = note.strip()
    record.save(update_fields=["verification", "verified_by", "verified_at", "verification_note"])
    record_event(
        actor=actor,
        action="record.verify",
        obj=record,
        details={"from": old, "to": status, "note": note.strip()},
    )
    Tip.objects.filter(record=record).exclude(status=TipStatus.CLOSED).update(
        status=TipStatus.CLOSED
    )
    return record


@transaction.atomic
def record_organise(
    *, actor, record: InformationRecord, tags=None, corroborates=None
) -> InformationRecord:
    """信息整理: topics, and links to the records that corroborate this one."""
    _check_record(actor, record)
    details = {}
    if tags is not None:
        record.tags.set(_tags(tags))
        details["tags"] = sorted(t.name for t in record.tags.all())
    if corroborates is not None:
        visible = InformationRecord.objects.restrict(actor, Action.SUBJECT_VIEW)
        others = [r for r in corroborates if r.pk != record.pk and visible.filter(pk=r.pk).exists()]
        record.corroborates.add(*others)
        details["corroborates"] = [r.pk for r in others]
    record_event(actor=actor, action="record.organise", obj=record, details=details)
    return record


def duplicate_candidates(
    record: InformationRecord, *, hours: int = 48, metres: int = 500, ratio: float = 0.6
) -> list[InformationRecord]:
    """Records that look like the same fact: same subject, similar text, close in time and
    place. A suggestion for a person to confirm by merging, never merged automatically."""
    window = (
        record.occurred_at - timedelta(hours=hours),
        record.occurred_at + timedelta(hours=hours),
    )
    candidates = (
        InformationRecord.objects.filter(
            subjects__in=record.subjects.all(), occurred_at__range=window, merged_into__isnull=True
        )
        .exclude(pk=record.pk)
        .distinct()
    )
    out = []
    for other in candidates:
        if difflib.SequenceMatcher(None, record.content, other.content).ratio() < ratio:
            continue
        if None not in (record.latitude, other.latitude) and _distance(record, other) > metres:
            continue
        out.append(other)
    return out


def _distance(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@transaction.atomic
def record_merge(
    *, actor, primary: InformationRecord, duplicate: InformationRecord, reason: str
) -> InformationRecord:
    """Merge a duplicate into a primary record. Both originals stay; the duplicate is marked
    and hidden from lists, the primary gains its subjects, topics and corroboration."""
    _check_record(actor, primary)
    _check_record(actor, duplicate)
    if primary.pk == duplicate.pk or duplicate.merged_into_id or primary.merged_into_id:
        raise ValidationError(_("These records cannot be merged."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why they are the same fact.")]})
    duplicate.merged_into = primary
    duplicate.save(update_fields=["merged_into"])
    primary.subjects.add(*duplicate.subjects.all())
    primary.tags.add(*duplicate.tags.all())
    primary.corroborates.add(duplicate)
    record_event(
        actor=actor,
        action="record.merge",
        obj=primary,
        details={"merged": duplicate.pk, "reason": reason.strip()},
    )
    return primary


# --- attachments ------------------------------------------------------------------------------

MAX_ATTACHMENT = 10 * 1024 * 1024


def sniff(data: bytes) -> str:
    """The real type of an upload, from its content — never from its name."""
    kind = uploads.sniff(data)
    if kind is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only JPEG or PNG photos and PDF documents are accepted "
                        "(the file's content is checked, not its name)."
                    )
                ]
            }
        )
    return kind


@transaction.atomic
def attachment_add(*, actor, record: InformationRecord, name: str, data: bytes) -> Attachment:
    _check_record(actor, record)
    if len(data) > MAX_ATTACHMENT:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    kind = sniff(data)
    thumb = b""
    if kind == uploads.PDF:
        uploads.check_pdf(data, field="file")
    else:
        data, thumb = uploads.reencode_image(data, field="file", thumbnail=320)
        kind = uploads.JPEG
    digest = hashlib.sha256(data).hexdigest()
    context = "intel.Attachment"
    stored = default_storage.save(
        f"attachments/{uuid.uuid4().hex}.bin",
        ContentFile(encrypt_bytes(record.data_key, data, context=context)),
    )
    thumb_name = ""
    if thumb:
        thumb_name = default_storage.save(
            f"attachments/{uuid.uuid4().hex}.bin",
            ContentFile(encrypt_bytes(record.data_key, thumb, context=context + ".thumb")),
        )
    attachment = Attachment.objects.create(
        record=record,
        original_name=uploads.safe_name(name),
        content_type=kind,
        size=len(data),
        sha256=digest,
        stored_name=stored,
        thumbnail_name=thumb_name,
        uploaded_by=actor,
    )
    record_event(
        actor=actor,
        action="record.attach",
        obj=record,
        details={"attachment": attachment.pk, "type": kind, "sha256": digest},
    )
    return attachment


def attachment_bytes(attachment: Attachment, *, thumbnail: bool = False) -> bytes:
    """Decrypt and check the stored file against its checksum."""
    name = attachment.thumbnail_name if thumbnail else attachment.stored_name
    with default_storage.open(name, "rb") as fh:
        data = decrypt_bytes(
            attachment.record.data_key,
            fh.read(),
            context="intel.Attachment" + (".thumb" if thumbnail else ""),
        )
    if not thumbnail and hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise ValidationError(_("The stored file does not match its checksum."))
    return data


# --- informants -------------------------------------------------------------------------------


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
        from casebook.subjects.identifiers import validate_id_number

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


# --- field visits -----------------------------------------------------------------------------

RECTIFY_DAYS = 15


@transaction.atomic
def field_visit(
    *,
    actor,
    subject,
    occurred_at: datetime,
    findings: str,
    present: str = "",
    condition: str = "",
    checklist: dict | None = None,
    task=None,
    rectify_days: int = RECTIFY_DAYS,
) -> InformationRecord:
    """A visit to a person or an inspection of a place. For places every active checklist
    point needs a result; a failed point creates a rectification order and a follow-up task."""
    from casebook.subjects.choices import Kind

    checklist = checklist or {}
    errors = {}
    items = (
        list(subject.category.checklist.filter(is_active=True))
        if subject.kind == Kind.PLACE
        else []
    )
    for item in items:
        result, finding = checklist.get(item.pk, (None, ""))
        if result not in ItemResult.values:
            errors[f"item_{item.pk}"] = [_("Choose pass, fail or not applicable.")]
        elif result == ItemResult.FAIL and not (finding or "").strip():
            errors[f"item_{item.pk}"] = [_("Describe what failed.")]
    if not (findings or "").strip():
        errors["findings"] = [_("Summarise the visit.")]
    if not 1 <= rectify_days <= 180:
        errors["rectify_days"] = [_("Between 1 and 180 days.")]
    if errors:
        raise ValidationError(errors)
    observations = (
        {"present": present.strip(), "condition": condition.strip()}
        if subject.kind != Kind.PLACE
        else {}
    )
    record = record_create(
        actor=actor,
        subjects=[subject],
        method=Method.FIELD_VISIT,
        channel=Channel.OWN,
        occurred_at=occurred_at,
        content=findings,
        source_evaluation=SourceEvaluation.RELIABLE,
        info_assessment=InfoAssessment.DIRECT,
        task=task,
        observations=observations,
        address=getattr(getattr(subject, "place", None), "address", "")
        if subject.kind == Kind.PLACE
        else "",
    )
    failed = []
    for item in items:
        result, finding = checklist[item.pk]
        row = ChecklistResult.objects.create(
            record=record, item=item, result=result, finding=(finding or "").strip()
        )
        if result == ItemResult.FAIL:
            failed.append(row)
    for row in failed:
        _rectification(actor, subject, row, rectify_days)
    return record


def _rectification(actor, subject, row: ChecklistResult, days: int) -> Rectification:
    from casebook.tracking.choices import Origin, Priority
    from casebook.tracking.services import _spread, task_create

    deadline = timezone.localdate() + timedelta(days=days)
    order = Rectification.objects.create(
        subject=subject,
        result=row,
        requirement=f"{row.item.label}：{row.finding}",
        deadline=deadline,
    )
    lead = actor if actor.unit.station == subject.station else subject.officers.first()
    end = timezone.now() + timedelta(days=days)
    order.follow_up = task_create(
        actor=None,
        title=(_("Rectification follow-up: %(item)s") % {"item": row.item.label})[:120],
        station=subject.station,
        lead=lead,
        subjects=[subject],
        origin=Origin.WARNING,
        priority=Priority.HIGH,
        deadlines=_spread(end),
        instructions=_("Check that “%(finding)s” is rectified by %(date)s.")
        % {"finding": row.finding, "date": deadline.isoformat()},
    )
    order.save(update_fields=["follow_up"])
    record_event(
        actor=actor,
        action="rectification.order",
        obj=subject,
        details={"order": order.pk, "deadline": deadline.isoformat(), "task": order.follow_up.pk},
    )
    return order


@transaction.atomic
def rectification_close(*, actor, order: Rectification, note: str) -> Rectification:
    if not policy.can(actor, Action.SUBJECT_VIEW, order.subject) or not policy.works_at_station(
        actor, order.subject.station
    ):
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError({"note": [_("Say how the rectification was checked.")]})
    order.status, order.closed_at = RectificationStatus.DONE, timezone.now()
    order.save(update_fields=["status", "closed_at"])
    record_event(
        actor=actor,
        action="rectification.close",
        obj=order.subject,
        details={"order": order.pk, "note": note.strip()},
    )
    return order


# --- public tips ------------------------------------------------------------------------------

TIP_LIMIT = 5  # per address and hour
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TipRefused(Exception):
    """A tip not taken (flood or bot). The message is safe to show to the public."""


def _reference() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"JB-{body[:4]}-{body[4:]}"


def tip_submit(
    *,
    ip: str,
    what: str,
    where: str = "",
    when: str = "",
    station=None,
    anonymous: bool = True,
    contact: str = "",
    honeypot: str = "",
) -> Tip:
    """Take a tip from the public. Refuses bots (honeypot) and floods (per-address limit)
    without saying which; validation errors name the field."""
    source = blind_index(ip or "unknown", kind="tip-ip")
    if honeypot:
        raise TipRefused(_("Your tip could not be taken. Please call the station instead."))
    key = f"tip-rate:{source}"
    count = cache.get(key, 0)
    if (
        count >= TIP_LIMIT
        or Tip.objects.filter(
            source_hash=source, received_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        >= TIP_LIMIT
    ):
        raise TipRefused(
            _(
                "Too many tips from your connection in the last hour. Please try "
                "again later or call the station."
            )
        )
    errors = {}
    if len((what or "").strip()) < 10:
        errors["what"] = [_("Describe what happened (at least 10 characters).")]
    if len(what or "") > 5000:
        errors["what"] = [_("At most 5000 characters.")]
    if not anonymous and not (contact or "").strip():
        errors["contact"] = [_("Give a way to contact you, or choose to stay anonymous.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tip = Tip(
            reference=_reference(),
            station=station,
            what=what.strip(),
            where=where.strip()[:200],
            when=when.strip()[:100],
            anonymous=anonymous,
            contact="" if anonymous else contact.strip()[:200],
            source_hash=source,
            data_key=data_key_create(label=f"tip:{uuid.uuid4().hex}"),
        )
        while Tip.objects.filter(reference=tip.reference).exists():
            tip.reference = _reference()
        tip.save()
        record_event(
            actor=None,
            actor_name="public",
            action="tip.receive",
            object_type="intel.tip",
            object_id=str(tip.pk),
            object_repr=tip.reference,
            details={"anonymous": anonymous},
        )
    cache.set(key, count + 1, 3600)
    return tip


def tip_status(reference: str) -> str | None:
    tip = Tip.objects.filter(reference=(reference or "").strip().upper()).only("status").first()
    return tip.status if tip else None


@transaction.atomic
def tip_link(
    *,
    actor,
    tip: Tip,
    subjects,
    source_evaluation: str = SourceEvaluation.UNTESTED,
    info_assessment: str = InfoAssessment.INDIRECT,
    task=None,
) -> InformationRecord:
    """Triage: the tip becomes an information record on the subjects it concerns."""
    if not policy.can(actor, Action.TIP_TRIAGE, tip):
        raise PermissionDenied
    if tip.status != TipStatus.RECEIVED:
        raise ValidationError(_("This tip has already been triaged."))
    content = (
        tip.what
        + (f"\n{_('Where')}: {tip.where}" if tip.where else "")
        + (f"\n{_('When')}: {tip.when}" if tip.when else "")
    )
    record = record_create(
        actor=actor,
        subjects=subjects,
        method=Method.COLLECTION,
        channel=Channel.PUBLIC_TIP,
        occurred_at=tip.received_at,
        content=content,
        source_evaluation=source_evaluation,
        info_assessment=info_assessment,
        task=task,
        address=tip.where,
    )
    tip.status, tip.record, tip.handled_by = TipStatus.HANDLING, record, actor
    tip.save(update_fields=["status", "record", "handled_by"])
    record_event(
        actor=actor,
        action="tip.link",
        object_type="intel.tip",
        object_id=str(tip.pk),
        object_repr=tip.reference,
        details={"record": record.pk},
    )
    return record


@transaction.atomic
def tip_dismiss(*, actor, tip: Tip, reason: str) -> Tip:
    if not policy.can(actor, Action.TIP_TRIAGE, tip):
        raise PermissionDenied
    if tip.status != TipStatus.RECEIVED:
        raise ValidationError(_("This tip has already been triaged."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason for dismissing the tip.")]})
    tip.status, tip.dismissed_reason, tip.handled_by = TipStatus.CLOSED, reason.strip(), actor
    tip.save(update_fields=["status", "dismissed_reason", "handled_by"])
    record_event(
        actor=actor,
        action="tip.dismiss",
        object_type="intel.tip",
        object_id=str(tip.pk),
        object_repr=tip.reference,
        details={"reason": reason.strip()},
    )
    return tip


# --- export -----------------------------------------------------------------------------------


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
