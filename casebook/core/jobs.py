"""The registry of background jobs and their schedule, read by `run_scheduler` and
`tracking_jobs`.

`core` is the lowest layer and imports no module above it (docs/architecture.md): each module
registers its own jobs from its ``AppConfig.ready()``:

    register_job(escalate_deadlines)                      # every --interval (five minutes)
    register_job(deliver_urgent_reports, every=FREQUENT)  # every --fast-interval (30 seconds)

A job is a django-tasks task (it has ``enqueue()`` and ``call()``); every job is idempotent, so
several schedulers may run.
"""

PERIODIC = "periodic"
FREQUENT = "frequent"

_JOBS: dict[str, list] = {PERIODIC: [], FREQUENT: []}


def register_job(job, *, every: str = PERIODIC) -> None:
    if every not in _JOBS:
        raise ValueError(f"unknown schedule {every!r}: use PERIODIC or FREQUENT")
    if any(job in jobs for jobs in _JOBS.values()):
        return  # ready() may run twice in tests
    _JOBS[every].append(job)


def periodic_jobs() -> list:
    return list(_JOBS[PERIODIC])


def frequent_jobs() -> list:
    """Jobs that must run every minute or so: urgent reports cannot wait five minutes."""
    return list(_JOBS[FREQUENT])
