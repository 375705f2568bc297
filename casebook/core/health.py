"""What ``/healthz`` checks besides the database answering: the job worker and the scheduler
still beat, no job waits too long for a worker, and every module's own backlog (the urgent-report
outbox registers itself from its ``AppConfig.ready()``).

Each check is a few indexed queries and returns reasons, plain operator text with counts and ages
only: the endpoint is public, so no reason may name a person, a subject or a message. A limit
of 0 (``CASEBOOK_HEALTH_*`` settings) switches its check off."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import Heartbeat

#: Services that record a heartbeat, and the setting that holds the age at which they stall.
WORKER, SCHEDULER = "worker", "scheduler"
HEARTBEAT_LIMITS = {
    WORKER: "CASEBOOK_HEALTH_WORKER_STALE_SECONDS",
    SCHEDULER: "CASEBOOK_HEALTH_SCHEDULER_STALE_SECONDS",
}

Check = Callable[[datetime], list[str]]
_checks: list[Check] = []


def register_check(check: Check) -> Check:
    """Add a check ``check(now) -> [reason, …]`` (an empty list when all is well)."""
    if check not in _checks:
        _checks.append(check)
    return check


def problems(now: datetime | None = None) -> list[str]:
    """Every reason the background work is not healthy; empty when it is."""
    now = now or timezone.now()
    found = heartbeat_problems(now) + job_queue_problems(now)
    for check in _checks:
        found += check(now)
    return found


def heartbeat_problems(now: datetime) -> list[str]:
    beats = dict(Heartbeat.objects.values_list("service", "beat_at"))
    found = []
    for service, setting in HEARTBEAT_LIMITS.items():
        limit = getattr(settings, setting)
        if not limit:
            continue
        beat = beats.get(service)
        if beat is None:
            found.append(f"{service}: no heartbeat yet (is it running?)")
        elif (age := (now - beat).total_seconds()) > limit:
            found.append(f"{service}: last heartbeat {age:.0f} s ago (limit {limit} s)")
    return found


def job_queue_problems(now: datetime) -> list[str]:
    """Jobs that could have run for longer than the limit and did not: no worker takes them."""

    limit = settings.CASEBOOK_HEALTH_QUEUE_MAX_AGE_SECONDS
    if not limit:
        return []
    cutoff = now - timedelta(seconds=limit)
    waiting = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, enqueued_at__lt=cutoff)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lt=cutoff))
        .count()
    )
    if waiting:
        return [f"jobs: {waiting} ready for more than {limit} s"]
    return []
