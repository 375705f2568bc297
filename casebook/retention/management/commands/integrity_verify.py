"""manage.py integrity_verify [--seal-untagged]: check every covered row against its keyed MAC."""

import sys

from django.core.management.base import BaseCommand

from casebook.audit.services import record_event
from casebook.core import request_context
from casebook.retention import integrity


class Command(BaseCommand):
    help = (
        "List every subject, risk assessment, destruction proposal, approval and certificate and "
        "access request whose key fields no longer match their keyed MAC (changed behind the "
        "application's back), has no tag, or whose tag has no row. "
        "Exit 1 when any is found. --seal-untagged tags rows that have none (audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seal-untagged", action="store_true")

    def handle(self, *args, seal_untagged=False, **options):
        with request_context.for_job():
            if seal_untagged:
                self.stdout.write(f"tagged {integrity.seal_untagged()} untagged row(s)")
            problems = integrity.verify_all()
            record_event(
                actor=None,
                actor_name="manage.py",
                action="integrity.verify",
                outcome="success" if not problems else "failure",
                details={"problems": len(problems)},
            )
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(f"{len(problems)} integrity problem(s)")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("OK: every covered row matches its tag"))
