"""Reads of the monitoring sources for the pages (scoped through the access rules)."""

import datetime as dt

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from .models import Delivery, Event, RefusalCount, Source, SourceSecret


def sources_for(user):
    """The sources the user keeps, with their stored-event count and refusals."""
    return (
        Source.objects.restrict(user, "manage")
        .select_related("station")
        .annotate(
            refused=Sum("refusals__count", distinct=True),
        )
    )


def source_overview(source: Source, now=None) -> dict:
    now = now or timezone.now()
    day = now - dt.timedelta(days=1)
    deliveries = Delivery.objects.filter(source=source)
    recent = deliveries.filter(received_at__gte=day).aggregate(
        batches=Count("pk"), stored=Sum("stored"), duplicate=Sum("duplicate")
    )
    events = Event.objects.filter(source=source).aggregate(
        kept=Count("pk"), promoted=Count("pk", filter=Q(promoted=True)), last=Max("received_at")
    )
    return {
        "recent": recent,
        "events": events,
        "deliveries": list(deliveries[:20]),
        "refusals": list(RefusalCount.objects.filter(source=source).order_by("-count", "reason")),
        "secrets": [
            s
            for s in SourceSecret.objects.filter(source=source).only(
                "pk", "created_at", "expires_at", "source_id"
            )
            if s.expires_at is None or s.expires_at > now
        ],
    }
