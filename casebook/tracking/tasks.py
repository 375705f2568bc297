"""Background jobs (django-tasks): run by ``manage.py db_worker``, enqueued periodically by
``manage.py run_scheduler`` (or by cron through ``manage.py tracking_jobs --enqueue``). Both jobs
are idempotent: running them twice in a period changes nothing the second time."""

from django_tasks import task

from casebook.core import request_context

from . import services


@task()
def create_scheduled_tasks() -> int:
    """Recurring visits and inspections from each category's visit cycle."""
    with request_context.for_job():
        return services.run_schedules()


@task()
def escalate_deadlines() -> int:
    """Reminders before a deadline, escalation after it."""
    with request_context.for_job():
        return services.run_escalation()
