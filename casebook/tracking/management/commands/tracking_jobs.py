"""manage.py tracking_jobs [--enqueue]: run (or enqueue for the worker) the schedule and
escalation jobs once. Safe to run as often as you like: both are idempotent."""

from django.core.management.base import BaseCommand

from casebook.core.health import SCHEDULER
from casebook.core.jobs import frequent_jobs, periodic_jobs
from casebook.core.services import heartbeat_record


class Command(BaseCommand):
    help = "Create scheduled visit tasks and escalate deadlines (now, or through the worker)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue for `manage.py db_worker` instead of running here",
        )

    def handle(self, *args, enqueue=False, **options):
        for job in [*periodic_jobs(), *frequent_jobs()]:
            if enqueue:
                result = job.enqueue()
                self.stdout.write(f"{job.name}: enqueued {result.id}")
            else:
                self.stdout.write(f"{job.name}: {job.call()}")
        if enqueue:  # from cron, this stands in for run_scheduler: /healthz watches its beat
            heartbeat_record(SCHEDULER)
