"""manage.py backup [--prune] [--prune-only] [--dir DIR]: an encrypted, consistent backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casebook.core import request_context
from casebook.retention import backup
from casebook.retention.backup_format import BackupError


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database, the encrypted media and the audit "
        "checkpoints (never the master key). --prune deletes backups older than "
        "CASEBOOK_BACKUP_MAX_AGE_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="directory (default CASEBOOK_BACKUP_DIR)")
        parser.add_argument(
            "--prune", action="store_true", help="then delete backups past their maximum age"
        )
        parser.add_argument("--prune-only", action="store_true", help="only delete expired backups")

    def handle(self, *args, dir=None, prune=False, prune_only=False, **options):
        with request_context.for_job():
            try:
                if not prune_only:
                    result = backup.backup_create(directory=dir)
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"backup written: {result.path} ({result.size} bytes, "
                            f"{sum(result.counts.values())} rows in {len(result.counts)} tables, "
                            f"{result.files} files, audit checkpoint #{result.checkpoint_seq})"
                        )
                    )
                if prune or prune_only:
                    gone = backup.backup_prune(directory=dir)
                    self.stdout.write(f"pruned {len(gone)} expired backup(s)")
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
