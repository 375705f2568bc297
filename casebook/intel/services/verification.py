"""Verification (去伪存真) and organisation of records: settled as corroborated, verified or
refuted; topics and corroboration; duplicates suggested and merged by a person."""

import difflib
import math
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access.policy import Action
from casebook.audit.services import record_event

from ..choices import (
    SETTLED,
    TipStatus,
)
from ..models import (
    InformationRecord,
    Tip,
)
from ._common import _check_record, _tags


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
