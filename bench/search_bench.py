"""Benchmark of the records search over encrypted content (issue #13 item 3: "search p95 ≤ 200 ms
for a rare name, a common word and an absent word at 5 M records"), each beside the raw SQL that
finds the same rows.

    .venv/bin/python bench/search_bench.py [--runs 40]

Reads the bench bureau that ``bench/generate.py`` built in the bench database
(``CASEBOOK_BENCH_DATABASE_URL``, see ``benchdb.py``); it loads nothing itself (``make bench``
runs the same searches among every page).
"""

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import p95, setup_django, timed  # noqa: E402
from generate import ABSENT_WORD, COMMON_WORD, RARE_NAME  # noqa: E402


def measure(runs: int) -> list[tuple[str, float, float, float, int]]:
    from django.db import connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.crypto.textindex import as_tsquery, query_tokens
    from conftest import login

    leader = User.objects.get(username="010101")
    station_id = leader.unit.station.pk
    client = login(Client(), leader)
    rows = []
    for label, word in (
        ("rare name", RARE_NAME),
        ("common word", COMMON_WORD),
        ("absent word", ABSENT_WORD),
    ):
        tsquery = as_tsquery(query_tokens(word))
        found = {}

        def page(word=word, found=found):
            response = client.get("/records/", {"q": word})
            assert response.status_code == 200, response.status_code

        def sql(tsquery=tsquery, found=found):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT r.id FROM intel_informationrecord r WHERE r.station_id = %s AND "
                    "r.id IN (SELECT record_id FROM intel_recordtokens WHERE tokens @@ "
                    "%s::tsquery) ORDER BY r.occurred_at DESC, r.id DESC LIMIT 25",
                    [station_id, tsquery],
                )
                cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM intel_informationrecord r WHERE "
                    "r.station_id = %s AND r.id IN (SELECT record_id FROM intel_recordtokens "
                    "WHERE tokens @@ %s::tsquery) LIMIT 1001) t",
                    [station_id, tsquery],
                )
                found["sql"] = cursor.fetchone()[0]

        page_times = timed(page, runs)
        sql_times = timed(sql, runs)
        name = f"search: {label} ({found['sql']} found)"
        rows.append((name, statistics.median(page_times), p95(page_times), p95(sql_times), 200))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intel_informationrecord")
        records = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('intel_recordtokens'))")
        size = cursor.fetchone()[0]
    print(f"{records} information records; tokens table and index: {size}", flush=True)
    rows = measure(args.runs)
    print()
    print(f"{'measure':40} {'p50 ms':>9} {'p95 ms':>9} {'raw SQL p95':>12} {'target':>7}  ok")
    for name, median, high, sql, target in rows:
        print(
            f"{name:40} {median:9.1f} {high:9.1f} {sql:12.1f} {target:7d}  "
            f"{'yes' if high <= target else 'NO'}"
        )


if __name__ == "__main__":
    main()
