"""Background jobs (django-tasks): run by ``manage.py casebook_worker``, enqueued periodically by
``manage.py run_scheduler`` (or by cron through ``manage.py tracking_jobs --enqueue``). Both jobs
are idempotent: running them twice in a period changes nothing the second time, so a busy
SQLite database ("database is locked") only makes them wait and run again."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from . import notify, services


@task()
def create_scheduled_tasks() -> int:
    """Recurring visits and inspections from each category's visit cycle."""
    with request_context.for_job():
        return retry_when_busy(services.run_schedules)


@task()
def escalate_deadlines() -> int:
    """Reminders before a deadline, escalation after it."""
    with request_context.for_job():
        return retry_when_busy(services.run_escalation)


@task()
def send_notification_digests() -> int:
    """The daily digest of those who chose it (once a day, from CASEBOOK_DIGEST_HOUR on)."""
    with request_context.for_job():
        return retry_when_busy(notify.send_digests)
