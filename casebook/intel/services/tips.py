"""Public tips: taken from anyone (honeypot, per-address limit, a reference to follow it by),
triaged into an information record or dismissed."""

import secrets
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event
from casebook.crypto.services import blind_index, data_key_create

from ..choices import (
    Channel,
    InfoAssessment,
    Method,
    SourceEvaluation,
    TipStatus,
)
from ..models import (
    InformationRecord,
    Tip,
)
from .records import record_create

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
