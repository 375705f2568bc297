"""Helpers that several of the information services share."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from casebook.access import policy
from casebook.access.policy import Action

from ..models import (
    Tag,
)


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
