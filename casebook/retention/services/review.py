"""Review and expiry (issue #14, item 1).

Every day the job :func:`review_run`:

1. announces each subject whose review date has passed to its responsible officers and its
   station leaders (once per review date, a :class:`ReviewNotice`);
2. restricts the subjects still unreviewed ``CASEBOOK_REVIEW_GRACE_DAYS`` after the review date
   (status *restricted*: only the station leader reaches it — ``subjects.access.SubjectRule``;
   no new tasks), until a leader renews it with a reason (:func:`subject_renew`) or closes it
   (:func:`subject_close`);
3. starts the retention clock of every closed subject (from the day it was closed, for the
   period of its category's retention class).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action
from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.audit.services import record_event
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject
from casebook.tracking.notify import notify

from ..choices import DataScope, RestrictionOutcome
from ..models import Restriction, RetentionClass, RetentionClock, ReviewNotice

REVIEWABLE = (Status.ACTIVE, Status.SUSPENDED)


def grace_days() -> int:
    return int(getattr(settings, "CASEBOOK_REVIEW_GRACE_DAYS", 14))


def station_leaders(station):
    leaders = User.objects.filter(roles__role=Role.STATION_LEADER).values("pk")
    return User.objects.filter(
        Q(unit=station) | Q(unit__parent=station), is_active=True, pk__in=leaders
    ).order_by("pk")


def _announce(subject: Subject) -> bool:
    with transaction.atomic():
        notice, created = ReviewNotice.objects.get_or_create(
            subject=subject, review_due=subject.review_due
        )
        if not created:
            return False
        text = _(
            "The review of a tracked subject was due on %(date)s: renew its basis or close it "
            "within %(days)s days, or it will be restricted."
        ) % {"date": subject.review_due.isoformat(), "days": grace_days()}
        notify(
            [*subject.officers.all(), *station_leaders(subject.station)],
            text,
            url=subject.get_absolute_url(),
        )
        record_event(
            actor=None,
            actor_name="scheduler",
            action="retention.review_overdue",
            obj=subject,
            details={"review_due": subject.review_due.isoformat()},
        )
    return True


def _restrict(subject: Subject) -> bool:
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.status not in REVIEWABLE:
            return False
        Restriction.objects.filter(subject=subject, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), outcome=RestrictionOutcome.CLOSED, reason="superseded"
        )
        Restriction.objects.create(
            subject=subject,
            station_id=subject.station_id,
            review_due=subject.review_due,
            previous_status=subject.status,
        )
        old = subject.status
        subject.status = Status.RESTRICTED
        subject.save(update_fields=["status", "updated_at"])
        record_event(
            actor=None,
            actor_name="scheduler",
            action="retention.restrict",
            obj=subject,
            details={"from": old, "review_due": subject.review_due.isoformat()},
        )
        notify(
            station_leaders(subject.station),
            _(
                "A tracked subject is restricted: its review is overdue since %(date)s. "
                "Renew it with a reason or close it."
            )
            % {"date": subject.review_due.isoformat()},
            url=subject.get_absolute_url(),
        )
    return True


def _closed_on(subject: Subject) -> date:
    """The day the subject was closed: its last ``subject.status`` event to closed, else the
    day it was last changed."""
    events = AuditEvent.objects.filter(
        action="subject.status", object_type="subjects.subject", object_id=str(subject.pk)
    ).order_by("-seq")
    for event in events[:20]:
        if (event.details or {}).get("to") == Status.CLOSED:
            return timezone.localdate(event.occurred_at)
    return timezone.localdate(subject.updated_at)


def lift_stale_restrictions() -> int:
    """Close the restrictions of subjects that left the restricted status another way (closed
    through the status form, which is refused any other move)."""
    stale = Restriction.objects.filter(lifted_at__isnull=True).exclude(
        subject__status=Status.RESTRICTED
    )
    return stale.update(
        lifted_at=timezone.now(), outcome=RestrictionOutcome.CLOSED, reason="status changed"
    )


def start_clocks() -> int:
    """A retention clock for every closed subject that has none; a reopened subject loses its
    clock (closed again, it starts afresh)."""
    RetentionClock.objects.exclude(subject__status=Status.CLOSED).delete()
    # the category names its class by code, within the category's (the subject's) bureau
    periods = {
        (bureau_id, code): days
        for bureau_id, code, days in RetentionClass.objects.filter(
            scope=DataScope.SUBJECTS
        ).values_list("bureau_id", "code", "days")
    }
    started = 0
    closed = Subject.objects.filter(status=Status.CLOSED, retention_clock__isnull=True)
    for subject in closed.select_related("category").order_by("pk").iterator():
        code = subject.category.retention_class
        days = periods.get((subject.category.bureau_id, code))
        if days is None:
            continue  # a class without a period: nothing is proposed (the page shows it)
        closed_on = _closed_on(subject)
        RetentionClock.objects.get_or_create(
            subject=subject,
            defaults={
                "retention_class": code,
                "closed_on": closed_on,
                "retain_until": closed_on + timedelta(days=days),
            },
        )
        started += 1
    return started


def review_run(today: date | None = None) -> dict[str, int]:
    """The daily job: announce, restrict, start retention clocks. Idempotent."""
    today = today or timezone.localdate()
    counts = {"notified": 0, "restricted": 0, "clocks": 0}
    limit = today - timedelta(days=grace_days())
    noticed = ReviewNotice.objects.filter(subject=OuterRef("pk"), review_due=OuterRef("review_due"))
    # only what has something to do: not announced yet, or due for restriction (a job run every
    # few minutes must not walk every overdue subject each time)
    overdue = Subject.objects.filter(status__in=REVIEWABLE, review_due__lt=today).filter(
        ~Exists(noticed) | Q(review_due__lt=limit)
    )
    for subject in overdue.select_related("station").order_by("pk").iterator():
        if _announce(subject):
            counts["notified"] += 1
        if subject.review_due < limit and _restrict(subject):
            counts["restricted"] += 1
    lift_stale_restrictions()
    counts["clocks"] = start_clocks()
    return counts


def _open_restriction(subject: Subject) -> Restriction:
    restriction = (
        Restriction.objects.select_for_update().filter(subject=subject, lifted_at__isnull=True)
    ).first()
    if restriction is None:
        raise ValidationError(_("This subject is not restricted."))
    return restriction


@transaction.atomic
def subject_renew(
    *, actor, subject: Subject, reason: str, review_due: date | None = None, legal_basis_ref=""
) -> Subject:
    """A leader renews a restricted subject: a reason, and a new basis (reference) or a new
    review date. The subject returns to the status it had before."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.check(actor, Action.SUBJECT_APPROVE, subject)
    restriction = _open_restriction(subject)
    reason = (reason or "").strip()
    legal_basis_ref = (legal_basis_ref or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Give the reason for renewing the tracking.")]
    if not legal_basis_ref and review_due is None:
        errors["review_due"] = [_("Give a new review date or a new legal basis reference.")]
    if review_due is not None and review_due <= timezone.localdate():
        errors["review_due"] = [_("The new review date must be in the future.")]
    if errors:
        raise ValidationError(errors)
    subject.review_due = review_due or Subject.next_review(subject.category)
    if legal_basis_ref:
        subject.legal_basis_ref = legal_basis_ref[:200]
    subject.status = restriction.previous_status
    subject.save(update_fields=["review_due", "legal_basis_ref", "status", "updated_at"])
    restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
    restriction.outcome, restriction.reason = RestrictionOutcome.RENEWED, reason[:300]
    restriction.save(update_fields=["lifted_at", "lifted_by", "outcome", "reason"])
    record_event(
        actor=actor,
        action="retention.renew",
        obj=subject,
        details={
            "reason": reason,
            "review_due": subject.review_due.isoformat(),
            "new_basis": bool(legal_basis_ref),
            "to": subject.status,
        },
    )
    return subject


@transaction.atomic
def subject_close(*, actor, subject: Subject, reason: str) -> Subject:
    """A leader closes a restricted subject: its retention period starts."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.check(actor, Action.SUBJECT_APPROVE, subject)
    restriction = _open_restriction(subject)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for closing the tracking.")]})
    old = subject.status
    subject.status, subject.status_reason = Status.CLOSED, reason[:300]
    subject.save(update_fields=["status", "status_reason", "updated_at"])
    restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
    restriction.outcome, restriction.reason = RestrictionOutcome.CLOSED, reason[:300]
    restriction.save(update_fields=["lifted_at", "lifted_by", "outcome", "reason"])
    record_event(
        actor=actor,
        action="subject.status",
        obj=subject,
        details={"from": old, "to": Status.CLOSED, "reason": reason},
    )
    return subject
