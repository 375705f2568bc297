"""What the monitoring app plugs into the lower layers' registries (from ``ready()``)."""

from casebook.core.jobs import register_job

from .tasks import monitoring_purge


def register() -> None:
    register_job(monitoring_purge)
