"""The backup module's background job and audit action codes (registered by the app config)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from casebook.audit.labels import register_action
from casebook.core import request_context
from casebook.core.jobs import register_job
from casebook.core.resilience import retry_when_busy

from . import backup

ACTIONS = {
    "backup.create": _("Backup written"),
    "backup.prune": _("Expired backups deleted"),
    "backup.restore_drill": _("Restore drill run"),
}


@task()
def prune_backups() -> int:
    """Delete the backups older than CASEBOOK_BACKUP_MAX_AGE_DAYS (idempotent)."""

    with request_context.for_job():
        return len(retry_when_busy(backup.backup_prune))


def register() -> None:
    for code, label in ACTIONS.items():
        register_action(code, label)
    register_job(prune_backups)
