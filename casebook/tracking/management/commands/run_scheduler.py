"""manage.py run_scheduler [--interval SECONDS] [--fast-interval SECONDS]: enqueue the periodic
jobs at a fixed interval, and the urgent-report jobs (outbox, escalation) more often, for
installations without cron. Several copies may run: the jobs are idempotent.

A database outage (PostgreSQL restarting, a locked SQLite file) does not end it: it drops the
connection, waits (1 s, 2 s, 4 s … at most 30 s) and tries the round again. After each round it
records a heartbeat that ``/healthz`` reads."""

import logging
import time

from django.core.management.base import BaseCommand

from casebook.core.health import SCHEDULER
from casebook.core.jobs import frequent_jobs, periodic_jobs
from casebook.core.resilience import DATABASE_OUTAGE, Backoff, wait_for_database
from casebook.core.services import heartbeat_record

logger = logging.getLogger("casebook.scheduler")


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300)
        parser.add_argument("--fast-interval", type=int, default=30)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval=300, fast_interval=30, once=False, **options):
        interval, fast = max(30, interval), max(10, fast_interval)
        backoff = Backoff(first=1.0, limit=30.0)
        last_slow = None
        while True:
            slow = last_slow is None or time.monotonic() - last_slow >= interval
            jobs = list(frequent_jobs()) + (periodic_jobs() if slow else [])
            try:
                for job in jobs:
                    job.enqueue()
                heartbeat_record(SCHEDULER)
            except DATABASE_OUTAGE as exc:
                # Enqueueing again after a partial round is harmless: the jobs are idempotent.
                wait_for_database(exc, backoff, who="scheduler")
                continue
            backoff.reset()
            if slow:
                last_slow = time.monotonic()
            self.stdout.write(f"enqueued {len(jobs)} jobs")
            if once:
                return
            time.sleep(fast)
