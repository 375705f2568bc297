"""Benchmark of monitoring ingestion (issue #15): signed batches of 500 events for 60 s through
gunicorn started as in production (scripts/check_production.sh: CASEBOOK_PRODUCTION=1, the
shipped gunicorn.conf.py), events/s and p95 batch latency, side by side with a raw multi-row
INSERT of the same rows into the same table measured in the same run.

    .venv/bin/python bench/monitoring_ingest.py [--duration 60] [--concurrency 6]
    .venv/bin/python bench/monitoring_ingest.py --restart-postgres [--duration 40]

``--restart-postgres`` is the "nothing lost" mode: while the simulator sends, PostgreSQL is
restarted (``pg_ctlcluster --skip-systemctl-redirect 15 main restart``, root only; give another
command with --restart-command); the sender retries refused or failed batches with the same ids
and message id; at the end every sent event id is counted in the database: each must be there
exactly once. It disturbs every other user of the server: opt-in, on a quiet machine only.

Works in its own bench database (``CASEBOOK_BENCH_DATABASE_URL``, default
``casebook_bench_monitoring``; see ``benchdb.py``), recreated on each run. The client (signing,
JSON) runs on the same 2 cores as the server and PostgreSQL: the figures are a floor.
"""

import argparse
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import benchdb  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/casebook_bench_monitoring"
PY = str(ROOT / ".venv" / "bin" / "python")


def production_env(work: Path, url: str) -> dict:
    key = work / "master.key"
    key.write_text("kci:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") + "\n")
    key.chmod(0o600)
    env = dict(os.environ)
    for name in ("CASEBOOK_TESTING", "CASEBOOK_DEBUG"):
        env.pop(name, None)
    env.update(
        CASEBOOK_PRODUCTION="1",
        CASEBOOK_VAR_DIR=str(work / "var"),
        CASEBOOK_MASTER_KEY_FILE=str(key),
        CASEBOOK_STATIC_ROOT=str(work / "static"),
        CASEBOOK_AUDIT_CHECKPOINT_DIR=str(work / "checkpoints"),
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=url,
    )
    (work / "var").mkdir(exist_ok=True)
    return env


def make_source(env: dict) -> tuple[str, str]:
    """A bureau, a station, its admin and a signed video source; returns (code, secret)."""
    script = """
from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create, user_create
from casebook.core.choices import Classification, UnitKind
from casebook.monitoring.services import source_create
b = unit_create(actor=None, kind=UnitKind.BUREAU, name="江州市公安局", code="JZ")
s = unit_create(actor=None, kind=UnitKind.STATION, name="城关派出所", code="JZ01", parent=b)
a = user_create(actor=None, username="000003", real_name="孙丽", unit=b, password="Bench-2026-x",
                roles={Role.SYSTEM_ADMIN}, clearance=Classification.PUBLIC)
src, secret = source_create(actor=a, station=s, name="视频结构化平台", kind="video",
                            format="casebook")
print(src.code, secret)
"""
    out = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PY, "manage.py", "shell", "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[-2], out[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, work: Path, port: int) -> subprocess.Popen:
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "casebook.wsgi",
            "--log-level",
            "warning",
        ],
        env={**env, "CASEBOOK_BIND": f"127.0.0.1:{port}"},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not start: see " + str(work / "gunicorn.log"))


def raw_insert(url: str, source_code: str, rows_wanted: int) -> float:
    """Events/s of multi-row INSERTs (500 rows a statement, one commit each) of rows like the
    ingested ones, into the same table, under a second source of the same station."""
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(url, autocommit=False) as conn:
        source_id = conn.execute(
            "SELECT id FROM monitoring_source WHERE code = %s", [source_code]
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT kind, occurred_at, received_at, device_id, lat, lon, fence_ref, label, "
            "attributes FROM monitoring_event WHERE source_id = %s ORDER BY id LIMIT %s",
            [source_id, rows_wanted],
        ).fetchall()
        conn.execute(
            "INSERT INTO monitoring_source (station_id, code, name, kind, format, "
            "allowed_networks, enabled, created_by_id, created_at, data_key_id) "
            "SELECT station_id, 'rawbench', 'raw', kind, format, '', true, created_by_id, "
            "created_at, data_key_id FROM monitoring_source WHERE id = %s",
            [source_id],
        )
        raw_id = conn.execute("SELECT id FROM monitoring_source WHERE code='rawbench'").fetchone()[
            0
        ]
        conn.commit()
        columns = (
            "source_id, external_id, kind, occurred_at, received_at, device_id, lat, lon, "
            "fence_ref, label, attributes, batch, promoted"
        )
        started = time.perf_counter()
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values, params = [], []
            batch = uuid.uuid4().hex
            for n, row in enumerate(chunk):
                values.append("(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,false)")
                params.extend([raw_id, f"raw-{start + n}", *row[:8], Jsonb(row[8]), batch])
            conn.execute(
                f"INSERT INTO monitoring_event ({columns}) VALUES {','.join(values)} "  # noqa: S608 - placeholders only
                "ON CONFLICT (source_id, external_id) DO NOTHING",
                params,
            )
            conn.commit()
        elapsed = time.perf_counter() - started
    return len(rows) / elapsed if elapsed else 0.0


def count_ids(url: str, code: str, ids: list[str]) -> tuple[int, int, int]:
    """(ids sent, distinct sent ids found, rows for the sent ids) — equal when nothing is lost."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE sent (id text)")
        with conn.cursor().copy("COPY sent (id) FROM STDIN") as copy:
            for ident in ids:
                copy.write_row([ident])
        found, rows = conn.execute(
            "SELECT count(DISTINCT e.external_id), count(*) FROM monitoring_event e "
            "JOIN monitoring_source s ON s.id = e.source_id AND s.code = %s "
            "JOIN sent ON sent.id = e.external_id",
            [code],
        ).fetchone()
    return len(set(ids)), found, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--restart-after", type=float, default=10)
    parser.add_argument("--restart-not-before", default="", help="HH:MM UTC")
    parser.add_argument(
        "--restart-command",
        default="pg_ctlcluster --skip-systemctl-redirect 15 main restart",
    )
    args = parser.parse_args()

    os.environ.setdefault(benchdb.SETTING, DEFAULT_DB)
    url = benchdb.bench_database_url()  # refuses any database but casebook_bench[_word]
    benchdb.ensure_database(url, fresh=True)
    work = Path(tempfile.mkdtemp(prefix="casebook-bench-monitoring-"))
    env = production_env(work, url)
    print(f"bench database {benchdb.database_name(url)}; work dir {work}")
    print(f"load average before: {benchdb.load_average()}")
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    code, secret = make_source(env)
    port = free_port()
    server = start_gunicorn(env, work, port)
    try:
        from casebook.monitoring.simulator import Sender, Totals, run

        sender = Sender(
            f"http://127.0.0.1:{port}",
            code,
            secret,
            kind="video",
            max_wait=120,
            extra_headers={"X-Forwarded-Proto": "https"},
        )
        run(sender, rate=0, duration=3, batch=args.batch, concurrency=2)  # warm-up
        totals = Totals()
        restarted = {}
        if args.restart_postgres:

            def restart():
                time.sleep(args.restart_after)
                if args.restart_not_before:  # HH:MM UTC: wait for a quiet moment agreed on
                    import datetime as dt  # noqa: PLC0415 - bench script, this mode only

                    hour, minute = map(int, args.restart_not_before.split(":"))
                    now = dt.datetime.now(dt.UTC)
                    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
                    time.sleep(max(0.0, (at - now).total_seconds()))
                began = time.monotonic()
                subprocess.run(args.restart_command.split(), check=True)  # noqa: S603 - the operator's restart command
                restarted["seconds"] = time.monotonic() - began

            threading.Thread(target=restart, daemon=True).start()
        started = time.monotonic()
        run(
            sender,
            rate=0,
            duration=args.duration,
            batch=args.batch,
            concurrency=args.concurrency,
            totals=totals,
        )
        elapsed = time.monotonic() - started
        rate = (totals.stored + totals.duplicate) / elapsed
        p95 = (
            statistics.quantiles(totals.latencies, n=20)[-1] * 1000
            if len(totals.latencies) > 1
            else 0
        )
        print(f"load average after: {benchdb.load_average()}")
        print(
            f"ingestion: {totals.sent} events in {totals.batches} signed batches of {args.batch} "
            f"in {elapsed:.1f} s, concurrency {args.concurrency}: {rate:,.0f} events/s; "
            f"p95 batch latency {p95:.0f} ms, median "
            f"{statistics.median(totals.latencies) * 1000:.0f} ms; retries {totals.retries}, "
            f"failed {totals.failed}"
        )
        if args.restart_postgres:
            sent, found, rows = count_ids(url, code, totals.ids)
            print(
                f"nothing lost: PostgreSQL restarted after {args.restart_after:.0f} s "
                f"({restarted.get('seconds', float('nan')):.1f} s); {sent} ids sent and "
                f"acknowledged, {found} found, {rows} rows: "
                + ("OK, each exactly once" if sent == found == rows else "MISMATCH")
            )
        else:
            raw = raw_insert(url, code, totals.stored)
            print(
                f"raw multi-row INSERT of the same rows (500 a statement, one commit each): "
                f"{raw:,.0f} events/s; ingestion is {100 * rate / raw:.0f} % of it"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
