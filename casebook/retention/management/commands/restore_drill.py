"""manage.py restore_drill BACKUP: restore into a scratch database and prove the copy."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casebook.core import request_context
from casebook.retention import backup


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database (never the live one) and prove it: audit "
        "chain against the checkpoint, row counts against the manifest, a sample of encrypted "
        "fields decrypted. Writes a JSON report; exits 1 when the drill fails."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup_file", nargs="?", type=Path)
        parser.add_argument("--report-dir", type=Path, help="where the report goes")
        parser.add_argument(
            "--check-restored",
            type=Path,
            metavar="MANIFEST",
            help="(internal) run the checks on the database this process is connected to",
        )

    def handle(self, *args, backup_file=None, report_dir=None, check_restored=None, **options):
        if check_restored is not None:
            manifest = json.loads(check_restored.read_text())
            self.stdout.write(json.dumps(backup.check_restored(manifest)))
            return
        if backup_file is None:
            raise CommandError("name the backup file to drill")
        with request_context.for_job():
            result = backup.restore_drill(backup_file, report_dir=report_dir)
        for name, check in result.checks.items():
            mark = "ok" if check.get("ok") else "FAILED"
            detail = {k: v for k, v in check.items() if k != "ok"}
            self.stdout.write(f"{name}: {mark} {json.dumps(detail, ensure_ascii=False)}")
        self.stdout.write(f"report: {result.report_path}")
        if not result.ok:
            raise CommandError(result.error)
        self.stdout.write(self.style.SUCCESS("restore drill passed"))
