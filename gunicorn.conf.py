"""gunicorn settings for Casebook on a small server (sized for 2 cores; docs/operations.md,
"Sizing and tuning (2 cores)").

    gunicorn -c /opt/casebook/gunicorn.conf.py casebook.wsgi

Every value can be changed from the environment (the systemd unit's EnvironmentFile) without
editing this file; gunicorn's own command-line options override it as well.

Why threads: a Casebook request spends most of its time waiting for the database (the access
rules are EXISTS subqueries, the audit log an INSERT under a row lock), not on the CPU. The
``gthread`` worker lets a process serve several requests while some of them wait, so
3 processes × 4 threads keep 2 cores busy with 12 requests in flight, at the memory cost of
3 Django processes instead of the 5 that ``2 × cores + 1`` sync workers would need. Django,
psycopg and the code of Casebook are thread-safe (per-request state lives on the request and in
context variables, database connections are per thread).
"""

import os

_cores = os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- where and how many -----------------------------------------------------------------------
#: nginx ends TLS in front and sets X-Forwarded-Proto: listen on the loopback address only.
bind = os.environ.get("CASEBOOK_BIND", "127.0.0.1:8000")
worker_class = "gthread"
#: one process more than cores: a process stalled in Python (a PDF export, a big template) still
#: leaves every core something to run
workers = _int("CASEBOOK_WEB_WORKERS", _cores + 1)
threads = _int("CASEBOOK_WEB_THREADS", 4)
#: waiting connections the kernel keeps when every thread is busy (nginx retries after that)
backlog = 512

# --- time limits --------------------------------------------------------------------------------
#: a worker that has not answered gunicorn's heartbeat for this long is killed and replaced; the
#: database's statement_timeout (below) ends a runaway query well before that
timeout = _int("CASEBOOK_WEB_TIMEOUT", 60)
#: on restart or reload, requests in hand get this long to finish
graceful_timeout = 30
#: nginx keeps upstream connections open (proxy_http_version 1.1, keepalive)
keepalive = 5

# --- recycling ----------------------------------------------------------------------------------
#: a worker is replaced after this many requests (plus jitter, so the workers do not all restart
#: at once): memory that a long-lived process fragments or leaks is given back
max_requests = _int("CASEBOOK_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10

# --- loading --------------------------------------------------------------------------------------
#: Django is imported and checked once in the master, before forking: the workers share its
#: memory (copy on write), start at once, and a broken configuration (or an active demo account,
#: SECURITY.md S7) stops gunicorn before any worker answers. A code upgrade needs a restart.
preload_app = True
#: the heartbeat file lives in memory: a slow disk never makes gunicorn kill a healthy worker
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

#: web requests only: PostgreSQL ends a statement that runs longer than this (seconds, 0 = never).
#: Management commands, the job worker and the scheduler do not read this file and so run without
#: a limit (migrations, exports and backups may legitimately take longer).
os.environ.setdefault("CASEBOOK_DB_STATEMENT_TIMEOUT", "30")

# --- logs ---------------------------------------------------------------------------------------
accesslog = os.environ.get("CASEBOOK_ACCESS_LOG", "-")
errorlog = os.environ.get("CASEBOOK_ERROR_LOG", "-")
loglevel = os.environ.get("CASEBOOK_GUNICORN_LOG_LEVEL", "info")
#: client (as nginx forwards it), method, path WITHOUT the query string (searches carry names and
#: ID numbers, which must not land in a plain log file), status, bytes, duration in ms, and the
#: request id that the audit events of the same request carry (X-Request-ID, set by
#: casebook.core.middleware.RequestContextMiddleware)
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
)


def pre_fork(server, worker):
    """Close the database connections the master opened while loading the application (the
    demo-account check queries the database): a forked child must never share a socket with
    its parent or with a sibling."""
    from django.db import connections

    connections.close_all()
