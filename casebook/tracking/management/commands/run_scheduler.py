"""manage.py run_scheduler [--interval SECONDS] [--fast-interval SECONDS]: enqueue the periodic
jobs at a fixed interval, and the urgent-report jobs (outbox, escalation) more often, for
installations without cron. Several copies may run: the jobs are idempotent."""

import time

from django.core.management.base import BaseCommand

from casebook.core.jobs import frequent_jobs, periodic_jobs


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300)
        parser.add_argument("--fast-interval", type=int, default=30)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, fast_interval=30, once=False, **options):
        interval, fast = max(30, interval), max(10, fast_interval)
        last_slow = None
        while True:
            jobs = list(frequent_jobs())
            if last_slow is None or time.monotonic() - last_slow >= interval:
                jobs += periodic_jobs()
                last_slow = time.monotonic()
            for job in jobs:
                job.enqueue()
            self.stdout.write(f"enqueued {len(jobs)} jobs")
            if once:
                return
            time.sleep(fast)
