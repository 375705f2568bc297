"""The reads of the retention pages, each scoped through the access registry."""

from casebook.access.policy import Action
from casebook.subjects.choices import Status
from casebook.subjects.models import Subject

from .choices import ProposalStatus
from .models import (
    DestructionCertificate,
    DestructionProposal,
    LegalHold,
    Restriction,
    RetentionClass,
)


def open_proposals(user):
    return (
        DestructionProposal.objects.restrict(user, Action.RETENTION_VIEW)
        .filter(status=ProposalStatus.PROPOSED)
        .select_related("station")
        .prefetch_related("approvals__user")
    )


def decided_proposals(user):
    return (
        DestructionProposal.objects.restrict(user, Action.RETENTION_VIEW)
        .exclude(status=ProposalStatus.PROPOSED)
        .select_related("station")
    )


def certificates(user):
    return (
        DestructionCertificate.objects.restrict(user, Action.RETENTION_VIEW)
        .defer("content")
        .select_related("station", "proposal")
    )


def open_restrictions(user):
    """Restricted subjects (the station leader and the audit administrator see them here)."""
    return (
        Restriction.objects.restrict(user, Action.RETENTION_VIEW)
        .filter(lifted_at__isnull=True)
        .select_related("subject__category", "station")
    )


def active_holds(user):
    return (
        LegalHold.objects.restrict(user, Action.RETENTION_VIEW)
        .filter(released_at__isnull=True)
        .select_related("subject", "placed_by")
    )


def holdable_subjects(user):
    """Subjects on which ``user`` may place a legal hold: closed or restricted ones of their
    station (an active subject is not near destruction)."""
    return (
        Subject.objects.restrict(user, Action.LEGAL_HOLD)
        .filter(status__in=[Status.CLOSED, Status.RESTRICTED])
        .order_by("name", "pk")
    )


def retention_classes(user):
    """The retention classes of the user's own bureau (``BureauRule``)."""
    return RetentionClass.objects.restrict(user, Action.RETENTION_VIEW).order_by("days", "code")
