"""The life of a subject's tracking: suspending, closing and reopening, and the periodic review of
its basis."""

from django.core.exceptions import (
    ValidationError,
)
from django.db import transaction
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.audit.services import record_event

from ..choices import Status
from ..models import (
    Subject,
)


@transaction.atomic
def subject_set_status(*, actor, subject: Subject, status: str, reason: str) -> Subject:
    """Suspend, close or reopen. Closing and reopening need a leader and a reason."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status == Status.RESTRICTED:
        raise ValidationError(
            {"status": [_("Only an overdue review restricts a subject, never a hand-made change.")]}
        )
    if subject.status == Status.RESTRICTED and status != Status.CLOSED:
        raise ValidationError(
            {
                "status": [
                    _(
                        "A restricted subject is renewed with a reason on the retention page, "
                        "or closed."
                    )
                ]
            }
        )
    needs_leader = Status.CLOSED in (status, subject.status) or subject.status == Status.RESTRICTED
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
