"""Background jobs of the reports module (django-tasks, run by ``manage.py casebook_worker``): the
urgent-report outbox and its escalation, exports, and the periodic station reports. All are
idempotent, so the scheduler may enqueue them as often as it likes, and a busy SQLite database
only makes them wait and run again (``retry_when_busy``)."""

from django_tasks import task

from casebook.core import request_context
from casebook.core.resilience import retry_when_busy

from . import periodic, services


@task()
def deliver_urgent_reports() -> int:
    """Send the queued e-mail and SMS messages of urgent reports (with retries)."""
    with request_context.for_job():
        sent, _failed = retry_when_busy(services.deliver_pending)
        return sent


@task()
def escalate_urgent_reports() -> int:
    """Move unacknowledged urgent reports up the chain; then send what that queued."""
    with request_context.for_job():
        moved = retry_when_busy(services.run_urgent_escalation)
        retry_when_busy(services.deliver_pending)
        return moved


@task()
def build_export(pk: int) -> str:
    with request_context.for_job():
        return services.export_build(pk).status


@task()
def export_housekeeping() -> dict:
    """Exports nobody picked up are enqueued again, those whose worker died fail, old files go."""
    with request_context.for_job():
        return retry_when_busy(services.export_housekeeping)


@task()
def generate_periodic_reports() -> int:
    """Weekly and monthly station reports for the periods that have ended."""
    with request_context.for_job():
        return retry_when_busy(periodic.generate_due)
