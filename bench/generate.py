"""Build a county bureau of bench data in the bench database (``benchdb.py``): the one loader
every benchmark uses.

    .venv/bin/python bench/generate.py --size small|full [--fresh] [--records N]

``full`` is the size of issue #13: 30 stations, 50,000 subjects, 5,000,000 information records;
``small`` (3 stations' worth: 30 stations, 5,000 subjects, 100,000 records) is for a quick run.
Resumable: run it again and it adds only what is missing (``--fresh`` drops the database first).

How it stays fast:

* the demo bureau (``load_demo``) gives the three demo stations and their accounts; 27 stations
  more, their community areas and ten officers each (300 accounts in all for the load test,
  password :data:`benchdb.BENCH_PASSWORD`, hashed once) are added in bulk;
* subjects (with encrypted particulars, blind-indexed identifiers, their responsible officers,
  associations) are built as model instances and written with PostgreSQL ``COPY`` (each row's
  values prepared by its model fields, so they are exactly what the ORM would write);
* record texts: a pool of realistic Chinese texts (conduct only: where someone was, whom they
  met, what they did; never what they believe; a lawful petition is never written as a risk) is
  encrypted — each text with its own data key — and tokenised (keyed unigram and bigram HMACs,
  ``casebook.crypto.textindex``) by two worker processes; the records are then made *inside*
  PostgreSQL, ``INSERT … SELECT`` over ``generate_series`` joined to the pool, 500,000 per
  statement, each with its subject link and its search-token row. Nothing crosses the wire per
  record (faster than ``COPY``, which would ship the 1.8 kB of tokens of each record);
* the GIN index of the tokens is dropped while loading and built once at the end, then
  ``VACUUM ANALYZE``.

Records sharing a pool text share its data key and ciphertext (about one key per 250 records at
the full size), unlike the application, which gives every record its own key; the sizes of the
rows and of the indexes are the same.
"""

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import BENCH_PASSWORD, bench_database_url, ensure_database, setup_django  # noqa: E402

SIZES = {
    "small": {"stations": 30, "subjects": 5_000, "records": 100_000, "pool": 2_000},
    "full": {"stations": 30, "subjects": 50_000, "records": 5_000_000, "pool": 20_000},
}
#: Share of the subjects (and so of the records) held by the big station 城关派出所 (JZ01).
BIG_STATION_SHARE = 0.15

RARE_NAME = "欧阳震华"
COMMON_WORD = "走访"
ABSENT_WORD = "潜水艇"
RARE_EVERY = 49_999
CONTEXT = "intel.InformationRecord.content"
BATCH = 500_000

PLACES = ["网吧", "出租屋", "火车站", "汽车站", "菜市场", "KTV", "足浴店", "小区门口", "工地",
          "宾馆", "棋牌室", "城中村", "物流园", "夜市", "学校附近", "江边公园", "加油站",
          "快递驿站", "超市", "医院门口", "银行网点", "洗车店"]  # fmt: skip
ACTS = ["与两名男子交谈", "独自上网至凌晨", "驾驶电动车离开", "在门口抽烟", "打电话约人见面",
        "购买大量日用品", "与房东发生争执", "领取快递包裹", "向路人借钱", "在此处停留约一小时",
        "情绪稳定，表示按时报到", "称近期在外打工", "家属反映其夜不归宿", "与邻居因停车发生口角",
        "驾驶一辆白色面包车离开", "在路边摊吃夜宵", "陪同家人就医", "到社区办理居住证",
        "多次进出同一栋楼", "携带大号行李箱离开"]  # fmt: skip
OPENERS = ["今日走访，", "民警走访时发现", "据社区网格员反映，", "视频巡查发现", "群众举报称",
           "经电话核实，", "巡逻中发现", "据其家属称，", "据房东反映，", "经查询登记信息，"]  # fmt: skip
TIMES = ["上午九点", "中午", "下午三点左右", "傍晚", "晚上十点", "凌晨一点", "周末", "昨日",
         "本周二", "前天下午"]  # fmt: skip
CLOSINGS = ["\n已告知其遵守相关规定，后续继续关注。", "\n已登记，待核实。",
            "\n其本人表示配合工作，近期无外出计划。", "\n已通知社区网格员协助了解情况。"]  # fmt: skip


# --- stations and accounts ---------------------------------------------------------------------


def add_stations(count: int) -> None:
    """Stations JZ04… up to ``count``, three community areas each, ten officers per station."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from casebook.accounts.models import User, UserRole
    from casebook.core.models import Unit

    bureau = Unit.objects.get(code="JZ")
    have = {u.code: u for u in Unit.objects.filter(kind="station")}
    for n in range(4, count + 1):
        code = f"JZ{n:02d}"
        if code in have:
            continue
        station = Unit.objects.create(
            kind="station", name=f"江州第{n}派出所", code=code, parent=bureau,
            address=f"江州市第{n}街道{n * 3}号", phone=f"0571-850{n:02d}110",
        )  # fmt: skip
        Unit.objects.bulk_create(
            Unit(kind="area", name=f"第{n}所{a}社区", code=f"{code}-{a}", parent=station)
            for a in range(1, 4)
        )
    # ten accounts per station (the demo's own accounts stay as they are): a leader, five
    # tracking officers, two community officers, an analyst and one more tracking officer
    password = make_password(BENCH_PASSWORD)
    posts = (["station_leader"] + ["tracking_officer"] * 5 + ["community_officer"] * 2
             + ["analyst", "tracking_officer"])  # fmt: skip
    existing = set(User.objects.values_list("username", flat=True))
    fake_names = _names(400, seed=31)
    users, roles = [], []
    now = timezone.now()
    for station in Unit.objects.filter(kind="station").order_by("code"):
        n = int(station.code[2:])
        areas = list(station.children.order_by("code"))
        for i, role in enumerate(posts, start=1):
            username = f"{n:02d}{i + 100:04d}"
            if username in existing:
                continue
            unit = areas[0] if role == "community_officer" and areas else station
            users.append(
                User(
                    username=username, real_name=fake_names[(n * 10 + i) % len(fake_names)],
                    unit=unit, title="民警", password=password, clearance=2,
                    password_changed_at=now,
                )
            )  # fmt: skip
            roles.append((username, role))
    created = {u.username: u for u in User.objects.bulk_create(users)}
    UserRole.objects.bulk_create(
        UserRole(user=created[u], role=r) for u, r in roles if u in created
    )
    print(f"stations: {Unit.objects.filter(kind='station').count()}, "
          f"accounts added: {len(created)}", flush=True)  # fmt: skip


def _names(count: int, seed: int) -> list[str]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return [n for n in (fake.name() for _ in range(count)) if RARE_NAME not in n]


# --- COPY of model instances -------------------------------------------------------------------


def copy_models(model, objects: list, with_pk: bool = True) -> None:
    """Write ``objects`` with ``COPY``, each value prepared by its field as ``save()`` would."""
    from django.db import connection

    fields = [f for f in model._meta.local_concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            row = []
            for f in fields:
                value = f.get_db_prep_save(f.pre_save(obj, True), connection)
                if hasattr(value, "obj") and f.get_internal_type() == "JSONField":
                    value = json.dumps(value.obj)
                row.append(value)
            copy.write_row(row)


def reserve_ids(model, count: int) -> list[int]:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [count],
        )
        return [r[0] for r in cursor.fetchall()]


# --- subjects ----------------------------------------------------------------------------------


def add_subjects(total: int) -> None:
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

    existing = Subject.objects.count()
    todo = total - existing
    if todo <= 0:
        return
    start = time.perf_counter()
    rng = random.Random(7 + existing)
    fake = Faker("zh_CN")
    fake.seed_instance(7 + existing)
    categories = list(Category.objects.filter(is_active=True)) or list(Category.objects.all())
    persons_first = [c for c in categories if c.kind == "person"]
    stations = list(Unit.objects.filter(kind="station").order_by("code"))
    big = stations[0]
    others = stations[1:]
    officers = {}
    for s in stations:
        station_users = list(User.objects.filter(unit=s, roles__role="tracking_officer"))
        leader = User.objects.filter(unit=s, roles__role="station_leader").first()
        officers[s.pk] = (leader, station_users or [leader])
    areas = {s.pk: list(s.children.all()) for s in stations}
    names = _names(8000, seed=7)
    streets = [fake.street_name() for _ in range(500)]
    addresses = [fake.address() for _ in range(2000)]
    phones = [fake.phone_number() for _ in range(5000)]
    issued = set(Identifier.objects.filter(kind="id_number").values_list("blind_index", flat=True))
    today = timezone.localdate()
    now = timezone.now()
    print(f"generating {todo} subjects (have {existing})…", flush=True)
    done = 0
    while done < todo:
        n = min(5000, todo - done)
        keys = [_new_data_key(f"subject:bench-{existing + done + i}") for i in range(n)]
        for key, pk in zip(keys, reserve_ids(DataKey, n), strict=True):
            key.pk = key.id = pk
        copy_models(DataKey, keys)
        subject_ids = reserve_ids(Subject, n)
        subjects, persons, places, incidents, identifiers, links, owners = (
            [],
            [],
            [],
            [],
            [],
            [],
            [],
        )
        for i in range(n):
            station = big if rng.random() < BIG_STATION_SHARE else rng.choice(others)
            leader, trackers = officers[station.pk]
            category = rng.choice(persons_first if rng.random() < 0.8 else categories)
            s = Subject(
                pk=subject_ids[i], kind=category.kind, category=category,
                name=rng.choice(names) if category.kind == "person"
                else f"{rng.choice(streets)}{rng.choice(['KTV', '网吧', '旅馆', '物流', '工地'])}{i}",
                station=station, area=rng.choice(areas[station.pk]) if areas[station.pk] else None,
                status=rng.choice(["active"] * 8 + ["suspended", "closed"]),
                risk_level=rng.choice([0, 0, 1, 1, 1, 2, 3]), classification=1,
                legal_basis_ref="bench", approved_by=leader,
                approved_on=today - timedelta(days=rng.randint(1, 700)),
                review_due=today + timedelta(days=rng.randint(-60, 365)),
                data_key=keys[i], created_by=leader, created_at=now, updated_at=now
                - timedelta(minutes=rng.randint(0, 500_000)),
            )  # fmt: skip
            if s.kind == "person":
                number = _id_number(rng, rng.choice("12"))
                while blind_index(number, kind="id_number") in issued:
                    number = _id_number(rng, rng.choice("12"))
                issued.add(blind_index(number, kind="id_number"))
                phone = rng.choice(phones)
                detail = PersonDetail(
                    subject=s, aliases=rng.choice(["", "阿" + s.name[-1]]), sex=ids.sex_of(number),
                    date_of_birth=ids.birth_date_of(number), data_subject_category="suspect",
                )  # fmt: skip
                ctx = "subjects.PersonDetail."
                detail.__dict__["id_number"] = encrypt_value(
                    keys[i], number, context=ctx + "id_number"
                )
                detail.__dict__["phones"] = encrypt_value(keys[i], phone, context=ctx + "phones")
                detail.__dict__["current_address"] = encrypt_value(
                    keys[i], rng.choice(addresses), context=ctx + "current_address"
                )
                detail.__dict__["household_address"] = ""
                persons.append(detail)
                identifiers += [
                    Identifier(subject=s, kind="id_number", masked=ids.mask_id_number(number),
                               blind_index=blind_index(number, kind="id_number")),
                    Identifier(subject=s, kind="phone", masked=ids.mask_phone(phone),
                               blind_index=blind_index(phone, kind="phone")),
                ]  # fmt: skip
            elif s.kind == "place":
                detail = PlaceDetail(
                    subject=s, address=f"江州市{rng.choice(streets)}{rng.randint(1, 300)}号",
                    licence_numbers=f"B{s.pk}", latitude=Decimal("30.27"),
                    longitude=Decimal("120.15"),
                )  # fmt: skip
                places.append(detail)
            else:
                detail = IncidentDetail(
                    subject=s, incident_type="bench", location=rng.choice(streets), started_at=now
                )
                incidents.append(detail)
            s.search_text = build_search_text(s, detail)
            subjects.append(s)
            owners.append(
                Subject.officers.through(subject_id=s.pk, user_id=rng.choice(trackers).pk)
            )
        for a, b in zip(subjects[::2], subjects[1::2], strict=False):
            if a.station_id == b.station_id:
                links.append(Association(source_subject=a, target_subject=b, type="associate",
                                         source="bench", created_by=officers[a.station_id][0]))  # fmt: skip
        copy_models(Subject, subjects)
        copy_models(PersonDetail, persons)
        copy_models(PlaceDetail, places)
        copy_models(IncidentDetail, incidents)
        copy_models(Identifier, identifiers, with_pk=False)
        copy_models(Subject.officers.through, owners, with_pk=False)
        copy_models(Association, links, with_pk=False)
        done += n
        rate = done / (time.perf_counter() - start)
        print(f"  {existing + done} subjects ({rate:.0f}/s)", flush=True)


def add_tasks() -> None:
    """One open task for about one subject in ten, led by one of the station's officers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracking_task WHERE title LIKE '巡查任务%%'", [])
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            WITH picked AS (
              SELECT s.id AS subject_id, s.station_id, o.user_id,
                     (ARRAY['assigned','collecting','organising','analysing','feedback'])
                       [1 + s.id %% 5] AS stage
              FROM subjects_subject s
              JOIN subjects_subject_officers o ON o.subject_id = s.id
              WHERE s.id %% 10 = 3 AND s.legal_basis_ref = 'bench'
            ), made AS (
              INSERT INTO tracking_task (title, instructions, origin, priority, stage, station_id,
                                         lead_id, created_at, updated_at, schedule_key)
              SELECT '巡查任务 ' || subject_id, '', 'station',
                     (ARRAY['low','normal','normal','high'])[1 + subject_id %% 4], stage,
                     station_id, user_id, now() - (subject_id %% 90) * interval '1 day',
                     now() - (subject_id %% 30) * interval '1 day', 'bench:' || subject_id
              FROM picked RETURNING id, schedule_key
            )
            INSERT INTO tracking_task_subjects (task_id, subject_id)
            SELECT id, substr(schedule_key, 7)::bigint FROM made
        """,
            [],
        )
        print(f"tasks added: {cursor.rowcount}", flush=True)


# --- record texts ------------------------------------------------------------------------------


def pool_texts(size: int) -> list[str]:
    """``size`` record texts: text 0 names the rare person; the others are made of openers,
    names, times, places and conduct (about a third hold the common word 走访)."""
    rng = random.Random(13)
    names = _names(size, seed=13)
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(13)
    streets = [fake.street_name() for _ in range(400)]
    texts = [f"今日走访，{RARE_NAME}在{PLACES[0]}{ACTS[0]}，已登记。"]
    while len(texts) < size:
        parts = [rng.choice(OPENERS), rng.choice(names), rng.choice(TIMES), "在",
                 rng.choice(streets), rng.choice(PLACES), rng.choice(ACTS), "。"]  # fmt: skip
        if rng.random() < 0.5:
            parts += [rng.choice(["同行人员", "另有"]), rng.choice(names), rng.choice(ACTS), "。"]
        if rng.random() < 0.4:
            parts.append(rng.choice(CLOSINGS))
        texts.append("".join(parts))
    return texts


def _tokenise(chunk: list[tuple[int, str]]) -> list[tuple[int, str]]:
    from casebook.crypto.textindex import text_tokens

    return [(n, text_tokens(text).as_tsvector()) for n, text in chunk]


def _worker_setup(url: str) -> None:
    setup_django(url)


def build_pool(size: int, url: str, workers: int = 2) -> None:
    """The table ``bench_pool(n, data_key_id, content, tokens)``: ``size`` texts, each encrypted
    with its own data key and tokenised, in ``workers`` processes."""
    from django.db import connection

    from casebook.crypto.models import DataKey
    from casebook.crypto.services import _new_data_key, encrypt_value

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_pool (n int PRIMARY KEY, data_key_id bigint, "
            "content text, tokens tsvector)"
        )
        cursor.execute("SELECT count(*) FROM bench_pool")
        if cursor.fetchone()[0] >= size:
            return
        cursor.execute("TRUNCATE bench_pool")
    start = time.perf_counter()
    texts = pool_texts(size)
    chunks = [list(enumerate(texts))[i : i + 500] for i in range(0, size, 500)]
    connection.close()  # the workers are forked: none may share this connection
    with get_context("fork").Pool(workers, initializer=_worker_setup, initargs=(url,)) as pool:
        tokens = dict(item for chunk in pool.map(_tokenise, chunks) for item in chunk)
    keys = [_new_data_key(f"intel-bench:{n}") for n in range(size)]
    for key, pk in zip(keys, reserve_ids(DataKey, size), strict=True):
        key.pk = key.id = pk
    copy_models(DataKey, keys)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY bench_pool (n, data_key_id, content, tokens) FROM STDIN") as c,
    ):
        for n, text in enumerate(texts):
            c.write_row((n, keys[n].pk, encrypt_value(keys[n], text, context=CONTEXT), tokens[n]))
    print(f"pool of {size} texts encrypted and tokenised in {time.perf_counter() - start:.1f} s "
          f"({workers} workers)", flush=True)  # fmt: skip


# --- records -----------------------------------------------------------------------------------

INSERT_RECORDS = """
    WITH made AS (
      INSERT INTO intel_informationrecord
        (id, station_id, method, channel, occurred_at, recorded_at, address, content, observations,
         source_evaluation, info_assessment, handling, handling_conditions, verification,
         verification_note, data_key_id, created_by_id)
      SELECT {base} + g, s.station_id,
             CASE WHEN g %% 10 = 0 THEN 'field_visit' ELSE 'collection' END,
             'community_police',
             now() - ((g::bigint * 7919) %% 1576800) * interval '1 minute',
             now() - ((g::bigint * 7919) %% 1576800) * interval '1 minute' + interval '2 hours',
             '', p.content, '{{}}',
             (ARRAY['A','B','C'])[1 + g %% 3], (ARRAY['1','2','3','4'])[1 + g %% 4],
             'P', '', 'unverified', 'bench', p.data_key_id, s.author
      FROM generate_series({first}, {last}) AS g
      JOIN bench_subjects s ON s.rn = 1 + (g::bigint * 104729) %% %(subjects)s
      JOIN bench_pool p ON p.n = CASE WHEN g %% {rare} = 0 THEN 0
                                      ELSE 1 + (g::bigint * 15485863) %% (%(pool)s - 1) END
      RETURNING id, data_key_id
    ), linked AS (
      INSERT INTO intel_informationrecord_subjects (informationrecord_id, subject_id)
      SELECT {base} + g, s.id FROM generate_series({first}, {last}) AS g
      JOIN bench_subjects s ON s.rn = 1 + (g::bigint * 104729) %% %(subjects)s
    )
    INSERT INTO intel_recordtokens (record_id, tokens)
    SELECT m.id, p.tokens FROM made m JOIN bench_pool p ON p.data_key_id = m.data_key_id
"""


def add_records(total: int, pool: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intel_informationrecord WHERE verification_note = 'bench'"
        )
        have = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM intel_informationrecord")
        top = cursor.fetchone()[0]
    todo = total - have
    if todo <= 0:
        return
    start = time.perf_counter()
    print(f"inserting {todo} records (have {have})…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("DROP INDEX IF EXISTS intel_recordtokens_gin")  # rebuilt once at the end
        cursor.execute("DROP TABLE IF EXISTS bench_subjects")
        cursor.execute("""
            CREATE TEMP TABLE bench_subjects AS
            SELECT row_number() OVER (ORDER BY s.id) AS rn, s.id, s.station_id,
                   coalesce((SELECT min(o.user_id) FROM subjects_subject_officers o
                             WHERE o.subject_id = s.id), s.created_by_id) AS author
            FROM subjects_subject s
        """)
        cursor.execute("CREATE UNIQUE INDEX ON bench_subjects (rn)")
        cursor.execute("SELECT count(*) FROM bench_subjects")
        subjects = cursor.fetchone()[0]
        base = top - have  # ids of bench records: base + g, g = 1…total
        for offset in range(0, todo, BATCH):
            size = min(BATCH, todo - offset)
            first = have + offset + 1
            cursor.execute(
                INSERT_RECORDS.format(
                    base=base, first=first, last=first + size - 1, rare=RARE_EVERY
                ),
                {"subjects": subjects, "pool": pool},
            )
            rate = (offset + size) / (time.perf_counter() - start)
            print(f"  {first + size - 1} records ({rate:.0f}/s, "
                  f"{time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('intel_informationrecord', 'id'), "
            "(SELECT max(id) FROM intel_informationrecord))"
        )
    print(f"records inserted in {time.perf_counter() - start:.0f} s", flush=True)


def finish() -> None:
    """Build the tokens' GIN index (when missing) and refresh the planner's statistics."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'intel_recordtokens_gin'")
        if not cursor.fetchone():
            cursor.execute(
                "CREATE INDEX intel_recordtokens_gin ON intel_recordtokens USING gin (tokens)"
            )
            print(f"GIN index built in {time.perf_counter() - start:.0f} s", flush=True)
        connection.connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    print(f"finished (index, VACUUM ANALYZE) in {time.perf_counter() - start:.0f} s", flush=True)


def summary() -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for label, sql in (
            ("stations", "SELECT count(*) FROM core_unit WHERE kind = 'station'"),
            ("accounts", "SELECT count(*) FROM accounts_user"),
            ("subjects", "SELECT count(*) FROM subjects_subject"),
            ("records", "SELECT count(*) FROM intel_informationrecord"),
            ("tasks", "SELECT count(*) FROM tracking_task"),
            ("database size", "SELECT pg_size_pretty(pg_database_size(current_database()))"),
        ):
            cursor.execute(sql)
            out[label] = cursor.fetchone()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--records", type=int, help="records instead of the size's number")
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    parser.add_argument("--finish-only", action="store_true", help="only build indexes, analyse")
    args = parser.parse_args()
    size = dict(SIZES[args.size])
    if args.records is not None:
        size["records"] = args.records
    url = bench_database_url()
    begin = time.perf_counter()
    ensure_database(url, fresh=args.fresh)
    setup_django(url)
    if not args.finish_only:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from casebook.core.models import Unit

        if not Unit.objects.filter(code="JZ01").exists():
            call_command("load_demo", "--quiet-logins")
        add_stations(size["stations"])
        add_subjects(size["subjects"])
        add_tasks()
        build_pool(size["pool"], url)
        add_records(size["records"], size["pool"])
    finish()
    print(f"bench bureau ({args.size}) ready in {time.perf_counter() - begin:.0f} s: {summary()}")


if __name__ == "__main__":
    main()
