"""The duty roster: who stands duty for a unit and when."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.accounts.models import User
from casebook.audit.services import record_event

from ..choices import (
    DutyPost,
)
from ..models import DutyShift

#: Longest duty shift one roster line may hold.
MAX_SHIFT = timedelta(hours=72)


def roster_members(unit):
    """Who may stand duty for ``unit``: its own active members."""
    return User.objects.filter(is_active=True, unit=unit).order_by("username")


@transaction.atomic
def duty_shift_add(
    *, actor, unit, user, starts_at: datetime, ends_at: datetime, post: str = DutyPost.LEADER
) -> DutyShift:
    if unit not in policy.roster_units(actor):
        raise PermissionDenied
    errors = {}
    if post not in DutyPost.values:
        errors["post"] = [_("Choose the post.")]
    if user is None or user.unit_id != unit.pk or not user.is_active:
        errors["user"] = [_("Choose a member of this unit.")]
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = [_("The shift must end after it starts.")]
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = [_("A shift lasts at most 72 hours.")]
    elif ends_at <= timezone.now():
        errors["ends_at"] = [_("The shift is already over.")]
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        unit=unit, user=user, post=post, starts_at=starts_at, ends_at=ends_at, created_by=actor
    )
    record_event(
        actor=actor,
        action="duty.add",
        obj=shift,
        details={"user": user.username, "from": starts_at.isoformat(), "to": ends_at.isoformat()},
    )
    return shift


@transaction.atomic
def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    if shift.unit not in policy.roster_units(actor):
        raise PermissionDenied
    if shift.ends_at <= timezone.now():
        raise ValidationError(_("A past shift stays on the roster."))
    record_event(
        actor=actor,
        action="duty.remove",
        obj=shift,
        details={"user": shift.user.username, "from": shift.starts_at.isoformat()},
    )
    shift.delete()


def on_duty(unit, at: datetime | None = None, post: str = DutyPost.LEADER) -> list[User]:
    at = at or timezone.now()
    return [
        s.user
        for s in DutyShift.objects.filter(
            unit=unit, post=post, starts_at__lte=at, ends_at__gt=at, user__is_active=True
        ).select_related("user")
    ]
