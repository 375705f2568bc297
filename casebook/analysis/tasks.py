"""Background job: evaluate the warning rules over every station (idempotent)."""

from django_tasks import task

from casebook.core import request_context

from . import rules


@task()
def evaluate_warning_rules() -> dict:
    with request_context.for_job():
        return rules.evaluate()
