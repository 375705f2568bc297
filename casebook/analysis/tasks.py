"""Background job: evaluate the warning rules over every station (idempotent)."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from . import rules


@task()
def evaluate_warning_rules() -> dict:
    with request_context.for_job():
        return retry_when_busy(rules.evaluate)
