"""Benchmark of the records search over encrypted content (issue #13 item 3: "search p95 ≤ 200 ms
for a rare name, a common word and an absent word at 5 M records"), each beside the raw SQL that
finds the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/search_bench.py
        [--records 5000000] [--subjects 20000] [--runs 40] [--pool 3000]

Works in its own database, ``casebook_bench_search`` (``CASEBOOK_SEARCH_BENCH_DB`` names
another), never in DATABASE_URL's own. Records are realistic Chinese text, encrypted like the
application's (each pool text has its own data key, AAD bound to it) with keyed tokens; to be
fast the generator encrypts and tokenises a pool of ``--pool`` texts once in Python and copies
them into the records with SQL (``generate_series``). One pool text holds a rare name and is
given to about one record in 50,000; the common word is in about a third of the texts; the
absent word is in none.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["CASEBOOK_BENCH_DB"] = os.environ.get(
    "CASEBOOK_SEARCH_BENCH_DB", "casebook_bench_search"
)

from record_pool import ABSENT_WORD, COMMON_WORD, RARE_EVERY, RARE_NAME, build_pool  # noqa: E402
from subjects_bench import (  # noqa: E402
    bench_database_url,
    ensure_database,
    generate,
    p95,
    setup_django,
    timed,
)

INSERT = """
    WITH inserted AS (
      INSERT INTO intel_informationrecord
        (station_id, method, channel, occurred_at, recorded_at, address, content, observations,
         source_evaluation, info_assessment, handling, handling_conditions, verification,
         verification_note, data_key_id, created_by_id)
      SELECT s.station_id,
             CASE WHEN g %% 10 = 0 THEN 'field_visit' ELSE 'collection' END,
             'community_police',
             now() - ((g %% 365) || ' days')::interval - ((g %% 1440) || ' minutes')::interval,
             now(), s.id::text, p.content, '{{}}',
             (ARRAY['A','B','C'])[1 + g %% 3], (ARRAY['1','2','3','4'])[1 + g %% 4],
             'P', '', 'unverified', 'bench-search', p.data_key_id, %(author)s
      FROM generate_series({first}, {last}) AS g
      JOIN bench_subjects s ON s.rn = (g %% %(subjects)s) + 1
      JOIN bench_pool p ON p.n = CASE WHEN g %% {rare} = 0 THEN 0
                                      ELSE 1 + g %% (%(pool)s - 1) END
      RETURNING id, data_key_id
    )
    INSERT INTO intel_recordtokens (record_id, tokens)
    SELECT i.id, p.tokens FROM inserted i JOIN bench_pool p ON p.data_key_id = i.data_key_id
"""


def add_records(total: int, pool: int) -> None:
    from django.db import connection

    from casebook.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intel_informationrecord")
        have = cursor.fetchone()[0]
    todo = total - have
    if todo <= 0:
        return
    author = User.objects.filter(username="010001").values_list("pk", flat=True).first()
    print(f"inserting {todo} records…", flush=True)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("DROP INDEX IF EXISTS intel_recordtokens_gin")  # rebuilt once at the end
        cursor.execute("DROP TABLE IF EXISTS bench_subjects")
        cursor.execute(
            "CREATE TEMP TABLE bench_subjects AS SELECT row_number() OVER (ORDER BY id) AS rn, "
            "id, station_id FROM subjects_subject WHERE kind = 'person'"
        )
        cursor.execute("SELECT count(*) FROM bench_subjects")
        subjects = cursor.fetchone()[0]
        batch = 250_000
        for offset in range(0, todo, batch):
            size = min(batch, todo - offset)
            first = have + offset + 1
            cursor.execute(
                INSERT.format(first=first, last=first + size - 1, rare=RARE_EVERY),
                {"author": author, "subjects": subjects, "pool": pool},
            )
            done = have + offset + size
            rate = (offset + size) / (time.perf_counter() - start)
            print(f"  {done} ({rate:.0f} records/s)", flush=True)
        cursor.execute("""
            INSERT INTO intel_informationrecord_subjects (informationrecord_id, subject_id)
            SELECT r.id, r.address::bigint FROM intel_informationrecord r
            WHERE r.verification_note = 'bench-search' AND NOT EXISTS (
                SELECT 1 FROM intel_informationrecord_subjects t
                WHERE t.informationrecord_id = r.id)
        """)
        print(f"  linked {cursor.rowcount} records to their subjects", flush=True)
        index_start = time.perf_counter()
        cursor.execute(
            "CREATE INDEX intel_recordtokens_gin ON intel_recordtokens USING gin (tokens)"
        )
        print(f"  GIN index built in {time.perf_counter() - index_start:.0f} s", flush=True)
        cursor.execute("VACUUM ANALYZE intel_informationrecord")
        cursor.execute("VACUUM ANALYZE intel_recordtokens")
        cursor.execute("ANALYZE intel_informationrecord_subjects")
    print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)


def measure(runs: int) -> list[tuple[str, float, float, float, int]]:
    from django.db import connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.crypto.textindex import as_tsquery, query_tokens
    from conftest import login

    leader = User.objects.get(username="010004")
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
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--pool", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    args = parser.parse_args()
    url = bench_database_url()
    assert url.rsplit("/", 1)[-1] == os.environ["CASEBOOK_BENCH_DB"], url
    ensure_database(url, fresh=args.fresh)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casebook.core.models import Unit

    if not Unit.objects.exists():
        call_command("load_demo", "--quiet-logins")
    generate(args.subjects)
    pool = build_pool(args.pool)
    add_records(args.records, pool)
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
