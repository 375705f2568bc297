"""Links between subjects (a combination of personal data, logged as such)."""

from django.core.exceptions import (
    ValidationError,
)
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event

from ..choices import AssociationType
from ..models import (
    Association,
    Subject,
)


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
