"""Background jobs of the reports module (django-tasks, run by ``manage.py db_worker``): the
urgent-report outbox and its escalation, exports, and the periodic station reports. All are
idempotent, so the scheduler may enqueue them as often as it likes."""

from django_tasks import task

from casebook.core import request_context

from . import periodic, services


def _context():
    return request_context.bind(
        request_context.RequestContext(request_context.new_request_id(), "", "task")
    )


@task()
def deliver_urgent_reports() -> int:
    """Send the queued e-mail and SMS messages of urgent reports (with retries)."""
    with _context():
        sent, _failed = services.deliver_pending()
        return sent


@task()
def escalate_urgent_reports() -> int:
    """Move unacknowledged urgent reports up the chain; then send what that queued."""
    with _context():
        moved = services.run_urgent_escalation()
        services.deliver_pending()
        return moved


@task()
def build_export(pk: int) -> str:
    with _context():
        return services.export_build(pk).status


@task()
def export_housekeeping() -> dict:
    """Exports nobody picked up are enqueued again, those whose worker died fail, old files go."""
    with _context():
        return services.export_housekeeping()


@task()
def generate_periodic_reports() -> int:
    """Weekly and monthly station reports for the periods that have ended."""
    with _context():
        return periodic.generate_due()
