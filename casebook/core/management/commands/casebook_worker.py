"""manage.py casebook_worker [db_worker's options]: run the background jobs, like django-tasks-db's
``db_worker``, but survive the database.

``db_worker`` exits on the first error of its connection (a PostgreSQL restart terminates every
client's session) and never comes back. This worker drops the broken connection, logs, waits
(1 s, 2 s, 4 s … at most 30 s) and carries on; a locked SQLite file is waited out the same way.
After every round it records a heartbeat that ``/healthz`` reads (at most every 10 s). The
library's pieces are reused: its queue query, row claim, job runner and signal handling."""

import logging
import random
import time

from django.db import OperationalError, close_old_connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from casebook.core.health import WORKER
from casebook.core.resilience import DATABASE_OUTAGE, Backoff, is_busy, wait_for_database
from casebook.core.services import heartbeat_record

logger = logging.getLogger("casebook.worker")

#: Seconds between two heartbeat writes of one worker.
HEARTBEAT_EVERY = 10.0


class ResilientWorker(db_worker.Worker):
    """django-tasks-db's worker with a loop that outlives database outages."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.backoff = Backoff(first=1.0, limit=30.0)
        self._last_beat: float | None = None

    def run(self) -> None:
        logger.info("worker %s started, queues %s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spread workers started together
        while self.running:
            try:
                ran = self.run_once()
                self.beat()
            except DATABASE_OUTAGE as exc:
                wait_for_database(exc, self.backoff, who=f"worker {self.worker_id}")
                continue
            self.backoff.reset()
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("worker %s ran %d jobs: done", self.worker_id, self._run_tasks)
                return
            if self.batch and not ran:
                logger.info("worker %s: no more jobs, done", self.worker_id)
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def run_once(self) -> bool:
        """Claim one ready job and run it; False when there was none (or the database was too
        busy to hand one out). Raises the errors of a lost connection to the caller."""
        close_old_connections()  # a connection the server dropped while we slept
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):  # short: find, lock and claim one row
            try:
                job = tasks.get_locked()
                if job is not None:
                    job.claim(self.worker_id)
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                job = None
        if job is None:
            return False
        self.run_task(job)  # the job runs outside that transaction, with its own
        return True

    def beat(self) -> None:
        now = time.monotonic()
        if self._last_beat is None or now - self._last_beat >= HEARTBEAT_EVERY:
            heartbeat_record(WORKER)
            self._last_beat = now


class Command(db_worker.Command):
    help = (
        "Run the background jobs; outlives database restarts (reconnects with back-off) and "
        "records a heartbeat for /healthz. Same options as db_worker; --reload is not supported."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
