"""What the audit log adds to the home pages (registered with ``core.home`` from ``ready()``):
everyone's own recent activity, and the audit administrator's figures."""

from datetime import timedelta

from django.utils import timezone

from casebook.accounts.roles import Role

from .chain import read_checkpoints
from .models import AuditEvent

#: How many of one's own recent actions the home page lists.
MY_EVENTS = 8


def my_events(user, role) -> dict:
    """What I did, not every page I opened (``audit/_my_events.html``)."""
    mine = (
        AuditEvent.objects.filter(actor_id=user.pk)
        .exclude(action__startswith="read.")
        .order_by("-seq")[:MY_EVENTS]
    )
    return {"my_events": mine}


def audit_figures(user, role) -> dict:
    """The audit administrator's page: size of the log, recent refusals, the last checkpoint."""
    if role != Role.AUDIT_ADMIN:
        return {}
    checkpoints = read_checkpoints()
    return {
        "event_count": AuditEvent.objects.count(),
        "last_checkpoint": checkpoints[-1] if checkpoints else None,
        "failures_24h": AuditEvent.objects.filter(
            outcome__in=["failure", "denied"],
            occurred_at__gte=timezone.now() - timedelta(hours=24),
        ).count(),
    }
