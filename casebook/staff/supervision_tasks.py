"""Background job of summaries (registered with ``core.jobs``): idempotent, one reminder per
officer and period."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from .supervision_services import remind_overdue_summaries


@task()
def remind_summaries() -> int:
    """Remind the officers whose work summary is overdue (and their station leader)."""
    with request_context.for_job():
        return retry_when_busy(remind_overdue_summaries)
