"""Writes of the core: the heartbeats of background services. (The organisation's units are
written by ``casebook.accounts.services``: unit_create, unit_update, checked and audited.)"""

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(service: str, now=None) -> None:
    """A background service reports that it is alive. One tiny write in its own autocommit
    statement (never inside a caller's long transaction); not audited: it is telemetry of the
    system, with no actor and no personal data."""
    now = now or timezone.now()
    if not Heartbeat.objects.filter(service=service).update(beat_at=now):
        Heartbeat.objects.get_or_create(service=service, defaults={"beat_at": now})
