"""Benchmark of the work-assessment figures (issue #17: every officer's figures for a bureau of
30 stations, 600 officers and 5 M records in under 60 s), printed beside a hand-written raw SQL
aggregate of the same figures — and the two compared, figure by figure, officer by officer.

    CASEBOOK_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/casebook_bench_small \\
        .venv/bin/python bench/assessment_figures.py [--period 2026Q3] [--runs 3]

Reads the bench bureau that ``bench/generate.py`` built (``benchdb.py`` refuses any database
not named casebook_bench[_word]); it only adds the assessment tables (``migrate assessment``)
and writes nothing else — the ORM side calls ``figures.compute``, not the snapshot writer.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import load_average, setup_django  # noqa: E402

#: One aggregate per figure: (station, officer, counted, out of), for the stations %(s)s and the
#: quarter [%(a)s, %(b)s), %(now)s the instant "now". The same definitions as figures.py.
SQL = {
    "accuracy": """
        SELECT station_id, created_by_id,
               count(*) FILTER (WHERE verification IN ('verified', 'corroborated')), count(*)
        FROM intel_informationrecord
        WHERE station_id = ANY(%(s)s) AND recorded_at >= %(a)s AND recorded_at < %(b)s
          AND merged_into_id IS NULL AND verification IN ('verified', 'corroborated', 'refuted')
        GROUP BY 1, 2""",
    "record_complete": """
        SELECT r.station_id, r.created_by_id,
               count(*) FILTER (WHERE r.address <> ''
                 AND NOT EXISTS (SELECT 1 FROM intel_checklistresult c
                                 WHERE c.record_id = r.id AND c.result = 'fail' AND c.finding = '')
                 AND (r.method <> 'field_visit'
                      OR EXISTS (SELECT 1 FROM intel_checklistresult c WHERE c.record_id = r.id))),
               count(*)
        FROM intel_informationrecord r
        WHERE r.station_id = ANY(%(s)s) AND r.recorded_at >= %(a)s AND r.recorded_at < %(b)s
          AND r.merged_into_id IS NULL
        GROUP BY 1, 2""",
    "dossier_complete": """
        SELECT t.station_id, t.lead_id,
               count(*) FILTER (WHERE
                 EXISTS (SELECT 1 FROM intel_informationrecord r WHERE r.task_id = t.id)
                 AND EXISTS (SELECT 1 FROM analysis_riskassessment a WHERE a.task_id = t.id)
                 AND EXISTS (SELECT 1 FROM reports_feedbackreport f WHERE f.task_id = t.id)),
               count(*)
        FROM tracking_task t
        WHERE t.station_id = ANY(%(s)s) AND t.stage = 'archived'
          AND t.archived_at >= %(a)s AND t.archived_at < %(b)s
        GROUP BY 1, 2""",
    "analysis_confirmed": """
        WITH nxt AS (
          SELECT a.id, a.assessor_id, a.level, a.assessed_at, s.station_id,
                 (SELECT b.level FROM analysis_riskassessment b
                  WHERE b.subject_id = a.subject_id AND b.status = 'approved'
                    AND b.assessed_at > a.assessed_at
                  ORDER BY b.assessed_at, b.id LIMIT 1) AS next_level
          FROM analysis_riskassessment a JOIN subjects_subject s ON s.id = a.subject_id
          WHERE s.station_id = ANY(%(s)s) AND a.status = 'approved'
            AND a.assessed_at >= %(a)s AND a.assessed_at < %(b)s)
        SELECT station_id, assessor_id, count(*) FILTER (WHERE next_level = level), count(*)
        FROM nxt WHERE next_level IS NOT NULL GROUP BY 1, 2""",
    "overrides_reasoned": """
        SELECT s.station_id, a.assessor_id, count(*) FILTER (WHERE a.override_reason <> ''),
               count(*)
        FROM analysis_riskassessment a JOIN subjects_subject s ON s.id = a.subject_id
        WHERE s.station_id = ANY(%(s)s) AND a.status = 'approved' AND a.level <> a.suggested_level
          AND a.assessed_at >= %(a)s AND a.assessed_at < %(b)s
        GROUP BY 1, 2""",
    "deadlines_met": """
        SELECT t.station_id, t.lead_id,
               count(*) FILTER (WHERE EXISTS (
                 SELECT 1 FROM audit_auditevent e
                 WHERE e.action = 'task.transition' AND e.object_type = 'tracking.task'
                   AND e.object_id = t.id::text AND e.occurred_at <= d.due_at
                   AND e.details ->> 'from' = d.stage)),
               count(*)
        FROM tracking_taskdeadline d JOIN tracking_task t ON t.id = d.task_id
        WHERE t.station_id = ANY(%(s)s) AND d.due_at >= %(a)s AND d.due_at < LEAST(%(b)s, %(now)s)
        GROUP BY 1, 2""",
    "feedback_on_time": """
        SELECT f.station_id, f.author_id, count(*) FILTER (WHERE f.submitted_at <= d.due_at),
               count(*)
        FROM reports_feedbackreport f
        JOIN tracking_taskdeadline d ON d.task_id = f.task_id AND d.stage = 'feedback'
        WHERE f.station_id = ANY(%(s)s) AND f.submitted_at >= %(a)s AND f.submitted_at < %(b)s
        GROUP BY 1, 2""",
    "urgent_acknowledged": """
        SELECT station_id, author_id,
               count(*) FILTER (WHERE acknowledged_at IS NOT NULL AND acknowledged_at <= ack_due_at),
               count(*)
        FROM reports_urgentreport
        WHERE station_id = ANY(%(s)s) AND created_at >= %(a)s AND created_at < %(b)s
          AND (acknowledged_at IS NOT NULL OR ack_due_at < %(now)s)
        GROUP BY 1, 2""",
    "visits_in_cycle": """
        WITH v AS (
          SELECT t.id, t.station_id, t.lead_id, t.stage,
                 (SELECT max(d.due_at) FROM tracking_taskdeadline d WHERE d.task_id = t.id) AS last_due
          FROM tracking_task t
          WHERE t.station_id = ANY(%(s)s) AND t.schedule_key LIKE 'visit:%%'
            AND t.created_at >= %(a)s AND t.created_at < %(b)s)
        SELECT station_id, lead_id,
               count(*) FILTER (WHERE EXISTS (
                 SELECT 1 FROM intel_informationrecord r WHERE r.task_id = v.id
                   AND r.method = 'field_visit' AND r.occurred_at <= v.last_due)),
               count(*)
        FROM v WHERE v.last_due < %(now)s OR v.stage = 'archived' GROUP BY 1, 2""",
    "spot_confirmed": """
        SELECT c.station_id, i.officer_id, count(*) FILTER (WHERE i.result = 'confirmed'), count(*)
        FROM assessment_spotcheckitem i JOIN assessment_spotcheck c ON c.id = i.spot_check_id
        WHERE c.station_id = ANY(%(s)s) AND c.period = %(p)s
          AND i.result IN ('confirmed', 'discrepancy')
        GROUP BY 1, 2""",
}


def raw(cursor, stations, quarter, now) -> dict:
    out = {}
    params = {
        "s": list(stations),
        "a": quarter.start,
        "b": quarter.end,
        "now": now,
        "p": quarter.code,
    }
    for code, sql in SQL.items():
        cursor.execute(sql, params)
        for station, officer, num, den in cursor.fetchall():
            out[(station, officer, code)] = (num, den)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", default="")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from casebook.assessment import figures
    from casebook.assessment.periods import Quarter
    from casebook.core.choices import UnitKind
    from casebook.core.models import Unit
    from casebook.intel.models import InformationRecord

    call_command("migrate", "assessment", verbosity=0)
    stations = list(Unit.objects.filter(kind=UnitKind.STATION).values_list("pk", flat=True))
    quarter = Quarter.parse(args.period) if args.period else Quarter.current().previous
    now = timezone.now()
    records = InformationRecord.objects.count()
    in_quarter = InformationRecord.objects.filter(
        recorded_at__gte=quarter.start, recorded_at__lt=quarter.end
    ).count()
    officers = set()

    orm_ms, sql_ms = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        orm = figures.compute(quarter, stations, now)
        orm_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            sql = raw(cursor, stations, quarter, now)
        sql_ms.append((time.perf_counter() - start) * 1000)
    per_officer = {k: v for k, v in orm.items() if k[1] is not None}
    officers = {k[1] for k in per_officer}
    mismatched = sorted(k for k in set(per_officer) | set(sql) if per_officer.get(k) != sql.get(k))
    print(
        f"database {url.rsplit('/', 1)[-1]}: {len(stations)} stations, {records:,} records "
        f"({in_quarter:,} in {quarter.code}), {len(officers)} officers with figures; "
        f"load {load_average()}"
    )
    print(f"{'':28}{'median ms':>12}{'max ms':>10}")
    print(f"{'figures.compute (ORM)':28}{statistics.median(orm_ms):12.0f}{max(orm_ms):10.0f}")
    print(f"{'raw SQL aggregate':28}{statistics.median(sql_ms):12.0f}{max(sql_ms):10.0f}")
    print(
        f"{len(per_officer)} (officer, figure) values; {len(mismatched)} differ between ORM and SQL"
    )
    for code in SQL:
        cells = [v for k, v in per_officer.items() if k[2] == code]
        print(f"  {code:22}{len(cells):6} officers, {sum(d for _n, d in cells):8,} rows counted")
    for key in mismatched[:10]:
        print("  differs:", key, per_officer.get(key), sql.get(key))


if __name__ == "__main__":
    main()
