"""Benchmark of the subjects pages (issue: list ≤ 150 ms, dossier ≤ 250 ms, search ≤ 200 ms p95
with 50,000 subjects on PostgreSQL), printed beside a raw SQL query of the same rows.

Usage (the bench database, ``CASEBOOK_BENCH_DATABASE_URL``: see ``benchdb.py``; never
DATABASE_URL's):

    .venv/bin/python bench/subjects_bench.py [--subjects 50000] [--runs 60] [--keep]
 After the page figures it
prints the cost of the read events (SECURITY.md L1): pages with and without them, one event
alone, and events per second from 1–8 threads appending at once.

Server time is measured in-process through Django's test client: middleware, access policy,
queries, template rendering — everything but the network. ``--keep`` reuses the data of an
earlier run.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


sys.path.insert(0, str(ROOT / "bench"))
from benchdb import bench_database_url, ensure_database, setup_django  # noqa: E402, F401


def generate(total: int) -> None:
    """Bulk-load ``total`` subjects across the demo stations (persons with encrypted fields and
    identifiers, places, incidents), with associations. Fast path for benchmarks only."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from faker import Faker

    from casebook.accounts.models import User
    from casebook.core.models import Unit
    from casebook.crypto.models import DataKey
    from casebook.crypto.services import _new_data_key, blind_index, encrypt_value
    from casebook.subjects import identifiers as ids
    from casebook.subjects.demo import _id_number
    from casebook.subjects.models import (
        Association,
        Category,
        Identifier,
        IncidentDetail,
        PersonDetail,
        PlaceDetail,
        Subject,
    )
    from casebook.subjects.services import build_search_text

    rng = random.Random(7)
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    categories = list(Category.objects.all())
    stations = list(Unit.objects.filter(kind="station").order_by("code"))
    leaders = {
        s.pk: User.objects.filter(unit=s, roles__role="station_leader").first() for s in stations
    }
    areas = {s.pk: list(s.children.all()) for s in stations}
    existing = Subject.objects.count()
    todo = max(0, total - existing)
    print(f"generating {todo} subjects (have {existing})…", flush=True)
    today = timezone.localdate()
    batch = 1000
    created = 0
    names = [fake.name() for _ in range(5000)]
    # an ID number identifies one subject (a unique constraint): never issue one twice, nor
    # one that an earlier run already registered
    issued = set(Identifier.objects.filter(kind="id_number").values_list("blind_index", flat=True))
    while created < todo:
        n = min(batch, todo - created)
        keys = DataKey.objects.bulk_create(
            [_new_data_key(f"subject:bench-{existing + created + i}") for i in range(n)]
        )
        subjects = []
        for i in range(n):
            station = rng.choice(stations)
            category = rng.choice(categories)
            subjects.append(
                Subject(
                    kind=category.kind,
                    category=category,
                    name=rng.choice(names)
                    if category.kind == "person"
                    else f"{fake.street_name()}{rng.choice(['KTV', '网吧', '化工', '聚集', '火灾'])}{i}",
                    station=station,
                    area=rng.choice(areas[station.pk]),
                    status=rng.choice(["active"] * 8 + ["suspended", "closed"]),
                    risk_level=rng.choice([0, 0, 1, 1, 2, 3, 4]),
                    classification=1,
                    legal_basis_ref="bench",
                    approved_by=leaders[station.pk],
                    approved_on=today - timedelta(days=rng.randint(1, 700)),
                    review_due=today + timedelta(days=rng.randint(-60, 365)),
                    data_key=keys[i],
                    created_by=leaders[station.pk],
                )
            )
        subjects = Subject.objects.bulk_create(subjects)
        persons, places, incidents, identifiers = [], [], [], []
        for s in subjects:
            if s.kind == "person":
                number = _id_number(rng, rng.choice("12"))
                while blind_index(number, kind="id_number") in issued:
                    number = _id_number(rng, rng.choice("12"))
                issued.add(blind_index(number, kind="id_number"))
                phone = fake.phone_number()
                p = PersonDetail(
                    subject=s,
                    aliases=rng.choice(["", "阿" + s.name[-1]]),
                    sex=ids.sex_of(number),
                    date_of_birth=ids.birth_date_of(number),
                    data_subject_category="suspect",
                )
                ctx = "subjects.PersonDetail."
                p.__dict__["id_number"] = encrypt_value(
                    s.data_key, number, context=ctx + "id_number"
                )
                p.__dict__["phones"] = encrypt_value(s.data_key, phone, context=ctx + "phones")
                p.__dict__["current_address"] = encrypt_value(
                    s.data_key, fake.address(), context=ctx + "current_address"
                )
                p.__dict__["household_address"] = ""
                persons.append(p)
                identifiers += [
                    Identifier(
                        subject=s,
                        kind="id_number",
                        blind_index=blind_index(number, kind="id_number"),
                        masked=ids.mask_id_number(number),
                    ),
                    Identifier(
                        subject=s,
                        kind="phone",
                        blind_index=blind_index(phone, kind="phone"),
                        masked=ids.mask_phone(phone),
                    ),
                ]
                detail = p
            elif s.kind == "place":
                detail = PlaceDetail(
                    subject=s,
                    address=f"江州市{fake.street_address()}",
                    licence_numbers=f"B{s.pk}",
                    latitude=Decimal("30.27"),
                    longitude=Decimal("120.15"),
                )
                places.append(detail)
            else:
                detail = IncidentDetail(
                    subject=s,
                    incident_type="bench",
                    location=fake.street_name(),
                    started_at=timezone.now(),
                )
                incidents.append(detail)
            s.search_text = build_search_text(s, detail)
        PersonDetail.objects.bulk_create(persons)
        PlaceDetail.objects.bulk_create(places)
        IncidentDetail.objects.bulk_create(incidents)
        Identifier.objects.bulk_create(identifiers)
        Subject.objects.bulk_update(subjects, ["search_text"])
        for s in subjects:
            s.officers.add(leaders[s.station_id])
        links = [
            Association(
                source_subject=a,
                target_subject=b,
                type="associate",
                source="bench",
                created_by=leaders[a.station_id],
            )
            for a, b in zip(subjects[::2], subjects[1::2], strict=False)
            if a.pk != b.pk
        ]
        Association.objects.bulk_create(links, ignore_conflicts=True)
        created += n
        print(f"  {existing + created}", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def measure(runs: int) -> list[tuple[str, float, float, float, float]]:
    from django.db import connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.subjects.models import Subject
    from conftest import login

    leader = User.objects.get(username="010004")
    client = login(Client(), leader)
    station_id = leader.unit.station.pk
    rng = random.Random(3)
    person_ids = list(
        Subject.objects.filter(station_id=station_id, kind="person").values_list("pk", flat=True)[
            :2000
        ]
    )
    names = list(
        Subject.objects.filter(station_id=station_id, kind="person").values_list("name", flat=True)[
            :500
        ]
    )
    total = Subject.objects.count()
    in_station = Subject.objects.filter(station_id=station_id).count()
    print(f"{total} subjects, {in_station} in the leader's station", flush=True)

    def raw(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    list_url = "/subjects/?kind=person&status=active&sort=updated"
    list_sql = (
        "SELECT s.*, c.*, u.*, a.* FROM subjects_subject s "
        "JOIN subjects_category c ON c.id = s.category_id "
        "JOIN core_unit u ON u.id = s.station_id LEFT JOIN core_unit a ON a.id = s.area_id "
        "WHERE s.station_id = %s AND s.kind = 'person' AND s.status = 'active' "
        "ORDER BY s.updated_at DESC, s.id DESC LIMIT 25"
    )
    rows = []

    def get(url, params=None):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response

    from casebook.subjects.selectors import ListFilters, subject_list

    matching = subject_list(leader, ListFilters(kind="person", status="active"))[0].count()
    print(f"list page: {matching} matching rows, first 25 shown", flush=True)
    page = timed(lambda: get(list_url), runs)
    sql = timed(lambda: raw(list_sql, [station_id]), runs)
    rows.append(
        ("list page (filtered, first page)", statistics.median(page), p95(page), p95(sql), 150)
    )

    def dossier():
        get(f"/subjects/{rng.choice(person_ids)}/")

    def dossier_sql():
        pk = rng.choice(person_ids)
        raw(
            "SELECT * FROM subjects_subject s JOIN subjects_persondetail p ON p.subject_id = s.id "
            "WHERE s.id = %s",
            [pk],
        )

    page = timed(dossier, runs)
    sql = timed(dossier_sql, runs)
    rows.append(("dossier page", statistics.median(page), p95(page), p95(sql), 250))

    def search():
        name = rng.choice(names)
        get("/subjects/", {"q": name})

    def search_sql():
        name = rng.choice(names).lower()
        raw(
            "SELECT * FROM subjects_subject WHERE station_id = %s AND search_text LIKE %s "
            "ORDER BY updated_at DESC LIMIT 25",
            [station_id, f"%{name}%"],
        )

    page = timed(search, runs)
    sql = timed(search_sql, runs)
    rows.append(("full-text search (name)", statistics.median(page), p95(page), p95(sql), 200))
    return rows


def measure_reads(runs: int) -> None:
    """What logging every read costs (SECURITY.md L1): the same pages with the read event and
    with it switched off, one read event alone, and appends from several threads at once —
    every append locks the chain head (``ChainHead`` FOR UPDATE), so appends are serialised."""
    from concurrent.futures import ThreadPoolExecutor
    from unittest import mock

    from django.db import close_old_connections, connection
    from django.test import Client

    from casebook.accounts.models import User
    from casebook.audit import reads
    from casebook.subjects.models import Subject
    from conftest import login

    leader = User.objects.get(username="010004")
    client = login(Client(), leader)
    person_ids = list(
        Subject.objects.filter(station_id=leader.unit.station.pk, kind="person").values_list(
            "pk", flat=True
        )[:2000]
    )
    rng = random.Random(5)

    def get(url):
        assert client.get(url).status_code == 200, url

    pages = {
        "list page": lambda: get("/subjects/?kind=person&status=active&sort=updated"),
        "dossier page": lambda: get(f"/subjects/{rng.choice(person_ids)}/"),
    }
    print()
    print(f"{'read logging':36} {'p50 on':>8} {'p50 off':>8} {'p95 on':>8} {'p95 off':>8}")
    for name, fn in pages.items():
        fn()
        on, off = [], []
        for _ in range(runs):  # interleaved, so that a change in the machine's load hits both
            on += timed(fn, 1)
            with mock.patch.object(reads, "record_event", lambda **kw: None):
                off += timed(fn, 1)
        print(
            f"{name:36} {statistics.median(on):8.1f} {statistics.median(off):8.1f} "
            f"{p95(on):8.1f} {p95(off):8.1f}"
        )
    ids = person_ids[:25]

    def one_event():
        reads.record_read(
            leader, what="subject_list", objects=ids, object_type="subjects.subject", fields=["x"]
        )

    alone = timed(one_event, runs)
    print(
        f"{'one read event (25 ids) alone':36} p50 {statistics.median(alone):.2f} ms, "
        f"p95 {p95(alone):.2f} ms"
    )
    per_thread = max(runs, 100)

    def worker(_):
        close_old_connections()
        try:
            return timed(one_event, per_thread)
        finally:
            connection.close()

    print(f"{'concurrent appends':36} {'threads':>8} {'events/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for threads in (1, 2, 4, 8):
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            latencies = [t for chunk in pool.map(worker, range(threads)) for t in chunk]
        elapsed = time.perf_counter() - start
        print(
            f"{'':36} {threads:8d} {len(latencies) / elapsed:10.0f} "
            f"{statistics.median(latencies):8.2f} {p95(latencies):8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse existing bench data")
    args = parser.parse_args()
    url = bench_database_url()
    ensure_database(url, fresh=not args.keep)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casebook.core.models import Unit

    if not Unit.objects.exists():
        call_command("load_demo", "--quiet-logins")
    generate(args.subjects)
    rows = measure(args.runs)
    print()
    print(f"{'measure':36} {'p50 ms':>8} {'p95 ms':>8} {'raw SQL p95':>12} {'target':>8}  ok")
    for name, median, high, sql, target in rows:
        print(
            f"{name:36} {median:8.1f} {high:8.1f} {sql:12.2f} {target:8d}  "
            f"{'yes' if high <= target else 'NO'}"
        )
    measure_reads(args.runs)


if __name__ == "__main__":
    main()
