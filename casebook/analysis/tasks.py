"""Background job: evaluate the warning rules over every station (idempotent)."""

from django_tasks import task

from casebook.core import request_context

from . import rules


@task()
def evaluate_warning_rules() -> dict:
    ctx = request_context.RequestContext(request_context.new_request_id(), "", "task")
    with request_context.bind(ctx):
        return rules.evaluate()
