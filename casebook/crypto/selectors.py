"""Reads of the crypto app that pages use: the state of the keys, never a key itself."""

from django.db.models import Count

from .keyring import load_keyring
from .models import DataKey
from .profiles import current_profile


def key_status() -> dict:
    """What the security page shows: the algorithm profile, the active master key's id, how
    many data keys are live or destroyed, and the live ones per master key."""
    live = DataKey.objects.filter(destroyed_at__isnull=True)
    return {
        "profile": current_profile().name,
        "active_kid": load_keyring().active[0],
        "key_count": live.count(),
        "destroyed_count": DataKey.objects.filter(destroyed_at__isnull=False).count(),
        "kid_counts": live.values("master_kid").order_by("master_kid").annotate(n=Count("pk")),
    }
