"""Benchmark of analysis (issue: station dashboard p95 ≤ 300 ms and a full warning-rule
evaluation ≤ 60 s with 50,000 subjects and 5,000,000 information records on PostgreSQL), each
printed beside the raw SQL aggregate of the same numbers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/analysis_bench.py
        [--records 5000000] [--runs 40]

Reuses (or creates) the ``casebook_bench`` database of ``subjects_bench.py`` with its 50,000
subjects, then adds information records in bulk with SQL (``generate_series``).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from record_pool import build_pool  # noqa: E402
from subjects_bench import (  # noqa: E402
    bench_database_url,
    ensure_database,
    generate,
    p95,
    setup_django,
    timed,
)


def add_records(total: int) -> None:
    """Records spread over the subjects and the last year; 10 % field visits, alerts at places.
    The subject of each bench record is kept in its ``address`` to build the M2M rows; bench
    records are marked by ``verification_note = 'bench'``. Their content is encrypted text with
    its keyed search tokens, copied from the pool of ``record_pool.py``."""
    from django.db import connection

    from casebook.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intel_informationrecord WHERE verification_note = 'bench'"
        )
        have = cursor.fetchone()[0]
    todo = total - have
    start = time.perf_counter()
    if todo > 0:
        print(f"inserting {todo} information records…", flush=True)
        pool = build_pool(3000)
        author = User.objects.filter(username="010001").values_list("pk", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_subjects")
            cursor.execute(
                "CREATE TEMP TABLE bench_subjects AS SELECT row_number() OVER "
                "(ORDER BY id) AS rn, id, station_id, kind FROM subjects_subject"
            )
            cursor.execute("SELECT count(*) FROM bench_subjects")
            n = cursor.fetchone()[0]
            batch = 1_000_000
            for offset in range(0, todo, batch):
                size = min(batch, todo - offset)
                cursor.execute(
                    INSERT_RECORDS.format(first=offset + have + 1, last=offset + have + size),
                    [author, n, pool],
                )
                print(f"  {have + offset + size}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intel_informationrecord")
        cursor.execute("ANALYZE intel_informationrecord_subjects")
        cursor.execute("""
            INSERT INTO intel_informationrecord_subjects (informationrecord_id, subject_id)
            SELECT r.id, r.address::bigint FROM intel_informationrecord r
            WHERE r.verification_note = 'bench' AND NOT EXISTS (
                SELECT 1 FROM intel_informationrecord_subjects t
                WHERE t.informationrecord_id = r.id)
        """)
        print(f"  linked {cursor.rowcount} records to their subjects", flush=True)
        cursor.execute("ANALYZE")
    print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)


INSERT_RECORDS = """
    WITH inserted AS (
      INSERT INTO intel_informationrecord
        (station_id, method, channel, occurred_at, recorded_at, address, content, observations,
         source_evaluation, info_assessment, handling, handling_conditions, verification,
         verification_note, data_key_id, created_by_id)
      SELECT s.station_id,
             CASE WHEN g %% 10 = 0 THEN 'field_visit' ELSE 'collection' END,
             CASE WHEN s.kind = 'place' AND g %% 7 = 0 THEN 'video' ELSE 'community_police' END,
             now() - ((g %% 365) || ' days')::interval - ((g %% 24) || ' hours')::interval,
             now(), s.id::text, p.content, '{{}}',
             (ARRAY['A','B','C'])[1 + g %% 3], (ARRAY['1','2','3','4'])[1 + g %% 4],
             'P', '', (ARRAY['unverified','verified','corroborated'])[1 + g %% 3], 'bench',
             p.data_key_id, %s
      FROM generate_series({first}, {last}) AS g
      JOIN bench_subjects s ON s.rn = (g %% %s) + 1
      JOIN bench_pool p ON p.n = g %% %s
      RETURNING id, data_key_id
    )
    INSERT INTO intel_recordtokens (record_id, tokens)
    SELECT i.id, p.tokens FROM inserted i JOIN bench_pool p ON p.data_key_id = i.data_key_id
"""


def measure(runs: int) -> list[tuple[str, float, float, float, float]]:
    from django.db import connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.analysis import rules
    from casebook.analysis.models import Warning
    from conftest import login

    leader = User.objects.get(username="010004")
    station_id = leader.unit.station.pk
    client = login(Client(), leader)

    def dashboard():
        response = client.get("/analysis/dashboard/")
        assert response.status_code == 200, response.status_code

    def dashboard_sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kind, category_id, risk_level, count(*) FROM subjects_subject "
                "WHERE station_id = %s AND status = 'active' "
                "GROUP BY GROUPING SETS ((kind), (category_id), (risk_level))",
                [station_id],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT count(*) FROM subjects_subject WHERE station_id = %s AND "
                "status <> 'closed' AND review_due < current_date",
                [station_id],
            )
            cursor.fetchall()

    rows = []
    page = timed(dashboard, runs)
    sql = timed(dashboard_sql, runs)
    rows.append(
        ("station dashboard (server time)", statistics.median(page), p95(page), p95(sql), 300)
    )

    # A full evaluation: clear the warnings so that every rule does all of its work.
    Warning.objects.all().delete()
    start = time.perf_counter()
    created = rules.evaluate()
    full = (time.perf_counter() - start) * 1000
    print(f"warnings raised: {created}", flush=True)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("""
            SELECT s.id, max(r.occurred_at) FILTER (WHERE r.method = 'field_visit')
            FROM subjects_subject s
            LEFT JOIN intel_informationrecord_subjects t ON t.subject_id = s.id
            LEFT JOIN intel_informationrecord r ON r.id = t.informationrecord_id
            WHERE s.status = 'active' AND s.kind IN ('person', 'place')
            GROUP BY s.id
        """)
        cursor.fetchall()
        cursor.execute("""
            SELECT t.subject_id, count(DISTINCT r.id) FROM intel_informationrecord r
            JOIN intel_informationrecord_subjects t ON t.informationrecord_id = r.id
            JOIN subjects_subject s ON s.id = t.subject_id AND s.kind = 'place'
            WHERE r.channel IN ('video', 'geofence') AND r.occurred_at >= now() - interval '7 days'
            GROUP BY t.subject_id HAVING count(DISTINCT r.id) >= 3
        """)
        cursor.fetchall()
        raw = (time.perf_counter() - start) * 1000
    rows.append(("full warning-rule evaluation", full, full, raw, 60_000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=50_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    url = bench_database_url()
    ensure_database(url, fresh=False)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casebook.core.models import Unit

    if not Unit.objects.exists():
        call_command("load_demo", "--quiet-logins")
    generate(args.subjects)
    add_records(args.records)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM subjects_subject")
        subjects = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM intel_informationrecord")
        records = cursor.fetchone()[0]
    print(f"{subjects} subjects, {records} information records", flush=True)
    rows = measure(args.runs)
    print()
    print(f"{'measure':36} {'p50 ms':>9} {'p95 ms':>9} {'raw SQL ms':>11} {'target':>8}  ok")
    for name, median, high, sql, target in rows:
        print(
            f"{name:36} {median:9.1f} {high:9.1f} {sql:11.1f} {target:8d}  "
            f"{'yes' if high <= target else 'NO'}"
        )


if __name__ == "__main__":
    main()
