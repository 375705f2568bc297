"""manage.py run_scheduler [--interval SECONDS]: enqueue the periodic jobs at a fixed interval
(for installations without cron). Several copies may run: the jobs are idempotent."""

import time

from django.core.management.base import BaseCommand

from casebook.core.jobs import periodic_jobs


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, once=False, **options):
        while True:
            for job in periodic_jobs():
                job.enqueue()
            self.stdout.write(f"enqueued {len(periodic_jobs())} jobs")
            if once:
                return
            time.sleep(max(30, interval))
