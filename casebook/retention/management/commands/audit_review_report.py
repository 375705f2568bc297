"""manage.py audit_review_report [--day DATE] [--out FILE] [--file-weekly]: the weekly audit
review as a sealed PDF (SECURITY.md L5)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from casebook.core import request_context
from casebook.retention import audit_review


class Command(BaseCommand):
    help = (
        "Write the audit review of the week containing --day (default: the last complete week) "
        "as a sealed PDF, or --file-weekly: file last week's review once, as the weekly job does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", type=date.fromisoformat, help="a day of the week (ISO)")
        parser.add_argument("--out", type=Path, help="PDF file to write")
        parser.add_argument("--file-weekly", action="store_true")

    def handle(self, *args, day=None, out=None, file_weekly=False, **options):
        with request_context.for_job():
            if file_weekly:
                path = audit_review.file_weekly_review()
                self.stdout.write(f"filed {path}" if path else "last week's review is on file")
                return
            start, end = audit_review.week_bounds(day) if day else audit_review.last_complete_week()
            review = audit_review.build_review(start, end)
            for title, lines, _median in audit_review.sections(review):
                self.stdout.write(f"{title}: {len(lines)}")
                for line in lines:
                    self.stdout.write(f"  {line.name} ({line.unit}) {line.count} {line.note}")
            if out:
                data, _algorithm, digest = audit_review.render_review_pdf(
                    review, reader="manage.py"
                )
                out.write_bytes(data)
                self.stdout.write(f"sealed PDF written to {out} (digest {digest})")
