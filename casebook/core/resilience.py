"""Background work that outlives the database: what counts as a database outage, a bounded
back-off, dropping a broken connection, and a retry for job bodies when SQLite is busy.

The worker (``manage.py casebook_worker``) and the scheduler (``manage.py run_scheduler``) use
these so that a PostgreSQL restart or a locked SQLite file makes them wait and reconnect instead
of exiting."""

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: What a lost connection, a restarting server or a locked SQLite file raise.
DATABASE_OUTAGE = (OperationalError, InterfaceError)


class Backoff:
    """Waits that double from ``first`` up to ``limit`` seconds; ``reset()`` after a success."""

    def __init__(self, first: float = 1.0, limit: float = 30.0):
        self.first, self.limit = first, limit
        self.current = first

    def next(self) -> float:
        wait = self.current
        self.current = min(self.limit, self.current * 2)
        return wait

    def reset(self) -> None:
        self.current = self.first


def drop_connections() -> None:
    """Close every open database connection of this thread; the next query opens a new one.
    Closing a connection the server already dropped may itself fail: that is ignored."""
    for connection in connections.all(initialized_only=True):
        with suppress(DatabaseError):
            connection.close()


def wait_for_database(exc: BaseException, backoff: Backoff, *, who: str) -> float:
    """After an outage: drop the connection, log, sleep the next back-off step. Returns it."""
    drop_connections()
    wait = backoff.next()
    logger.warning("%s: database unavailable (%s); retrying in %.0f s", who, _first_line(exc), wait)
    time.sleep(wait)
    return wait


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" (and MySQL's lock wait)."""
    if not isinstance(exc, OperationalError) or not exc.args:
        return False
    first = exc.args[0]
    return (isinstance(first, str) and "is locked" in first.lower()) or first == 1205


def retry_when_busy(
    fn: Callable[..., T], *args, attempts: int = 5, first: float = 0.5, limit: float = 8.0, **kw
) -> T:
    """Call ``fn(*args, **kw)``; when the database is busy, wait and call it again (at most
    ``attempts`` calls). Only for idempotent job bodies that run their own short transactions:
    inside an outer transaction a retry would repeat half a transaction, so it is not tried."""
    backoff = Backoff(first, limit)
    for attempt in range(1, attempts + 1):
        try:
            return fn(*args, **kw)
        except OperationalError as exc:
            in_transaction = any(c.in_atomic_block for c in connections.all(initialized_only=True))
            if attempt == attempts or not is_busy(exc) or in_transaction:
                raise
            wait = backoff.next()
            logger.warning(
                "%s: database busy (attempt %d of %d); retrying in %.1f s",
                getattr(fn, "__name__", fn),
                attempt,
                attempts,
                wait,
            )
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
