"""Background job of the monitoring app (registered with ``core.jobs``): the retention purge of
unpromoted events, idempotent."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from .services import purge_events


@task()
def monitoring_purge() -> dict:
    """Delete monitoring events older than CASEBOOK_MONITORING_RETENTION_DAYS, unless promoted."""
    with request_context.for_job():
        return retry_when_busy(purge_events)
