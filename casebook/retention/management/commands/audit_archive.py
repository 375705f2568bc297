"""manage.py audit_archive --before DATE: archive the audit chain segment older than DATE (at
least CASEBOOK_AUDIT_KEEP_DAYS ago) with a checkpoint, verified; nothing is deleted."""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casebook.core import request_context
from casebook.retention.audit_review_archive import ArchiveError, audit_archive, verify_segment


class Command(BaseCommand):
    help = (
        "Write the audit events before --before (≥ CASEBOOK_AUDIT_KEEP_DAYS old) to a verified "
        "archive file with a signed checkpoint; --verify FILE checks an archive file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", type=date.fromisoformat)
        parser.add_argument("--dir", type=Path)
        parser.add_argument("--verify", type=Path, metavar="FILE")

    def handle(self, *args, before=None, dir=None, verify=None, **options):
        try:
            if verify:
                first, last = verify_segment(verify)
                self.stdout.write(self.style.SUCCESS(f"OK: events #{first}–#{last} verified"))
                return
            if before is None:
                raise CommandError("give --before DATE or --verify FILE")
            moment = datetime.combine(before, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
            with request_context.for_job():
                result = audit_archive(before=moment, directory=dir)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        if result.path is None:
            self.stdout.write("nothing to archive")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"archived events #{result.first_seq}–#{result.last_seq} to {result.path}"
                )
            )
