"""The bench database: one setting for every benchmark, and the guard that keeps them out of any
other database.

``CASEBOOK_BENCH_DATABASE_URL`` names it (default
``postgres://postgres@127.0.0.1:5432/casebook_bench``). Every script under ``bench/`` — the
generator, the page benchmarks, the export benchmark, the load test — reads it from here, and
refuses to start when its database name is not ``casebook_bench`` or ``casebook_bench_<word>``:
bench data is never written where ``DATABASE_URL`` points (the working database), whatever that
variable holds when the script starts.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTING = "CASEBOOK_BENCH_DATABASE_URL"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casebook_bench"
NAME_PATTERN = re.compile(r"^casebook_bench(_[a-z0-9_]+)?$")
#: The password of every account the generator adds (the demo accounts keep the demo's).
BENCH_PASSWORD = "Bench-Bureau-2026"  # noqa: S105 - bench accounts, bench database only


class NotABenchDatabase(SystemExit):
    pass


def bench_database_url() -> str:
    """The bench database's URL, checked: its name must be casebook_bench[_word]."""
    url = os.environ.get(SETTING, DEFAULT_URL)
    name = urlparse(url).path.lstrip("/")
    if not NAME_PATTERN.match(name):
        raise NotABenchDatabase(
            f"{SETTING} names the database {name!r}; bench scripts only write into a database "
            "called casebook_bench or casebook_bench_<word>."
        )
    return url


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def ensure_database(url: str, fresh: bool = False) -> None:
    """Create the bench database on its server (dropping it first with ``fresh``)."""
    import psycopg

    name = database_name(url)
    assert NAME_PATTERN.match(name), name
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str | None = None) -> str:
    """Point Django at the bench database (never at DATABASE_URL's) and set it up."""
    url = url or bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CASEBOOK_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casebook.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.db import connection

    actual = connection.settings_dict["NAME"]
    if actual != database_name(url):  # settings must not have picked another database
        raise NotABenchDatabase(f"Django connected to {actual!r}, not the bench database")
    return url


def timed(fn, runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds of ``runs`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
