"""Background jobs of the retention module (registered with ``core.jobs``). Both are
idempotent: a notice once per review date, a proposal once per station, class and day."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from .services import propose_destructions, review_run


@task()
def retention_review() -> dict:
    """Announce overdue reviews, restrict after the grace period, start retention clocks."""
    with request_context.for_job():
        return retry_when_busy(review_run)


@task()
def retention_propose() -> int:
    """Propose the destruction of what reached the end of its retention."""
    with request_context.for_job():
        return retry_when_busy(propose_destructions)
