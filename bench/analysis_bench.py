"""Benchmark of analysis (issue: station dashboard p95 ≤ 300 ms and a full warning-rule
evaluation ≤ 60 s with 50,000 subjects and 5,000,000 information records on PostgreSQL), each
printed beside the raw SQL aggregate of the same numbers.

    .venv/bin/python bench/analysis_bench.py [--runs 40]

Reads the bench bureau that ``bench/generate.py`` built in the bench database
(``CASEBOOK_BENCH_DATABASE_URL``, see ``benchdb.py``); it loads nothing itself.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import p95, setup_django, timed  # noqa: E402


def measure(runs: int) -> list[tuple[str, float, float, float, float]]:
    from django.db import connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.analysis import rules
    from casebook.analysis.models import Warning
    from conftest import login

    leader = User.objects.get(username="010101")
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
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django()
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
