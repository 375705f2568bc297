"""Benchmark of the tracking-record archive export (issue #7: a 200-page dossier PDF in ≤ 10 s),
printed beside the time to read the same rows from the database.

    .venv/bin/python bench/export_bench.py [--pages 200] [--runs 3] [--sqlite]

Works in the bench database (``CASEBOOK_BENCH_DATABASE_URL``, see ``benchdb.py``; whatever else
it holds — the bureau of ``generate.py`` — makes the reads realistic), never in DATABASE_URL's:
it used to write into whatever DATABASE_URL named. One person of 城关派出所 gets archive records in bulk until its PDF reaches the
number of pages asked for; then each run reads the archive as the analyst 010003 may see it and
renders it, timing both apart, and prints the process's peak RSS (issue #13: ≤ 200 MB while
building a 200-page PDF). ``--sqlite`` runs on a throw-away SQLite file instead.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MARK = "【导出基准】"
TEXTS = [
    "走访时对象本人在家，情绪平稳，自述近期在城南物流园打零工，每日早出晚归，与家人关系有所缓和。",
    "社区网格员反映其近一周夜间多次在网吧逗留至凌晨，与两名外地人员交往密切，需进一步核实身份。",
    "经与辖区派出所治安民警联系，对象所驾车辆三次出现在高速出口卡口，行驶轨迹与其陈述基本一致。",
    "家属反映对象近期情绪波动较大，曾因琐事与邻居发生口角，扬言要讨个说法，已当面进行劝导教育。",
]


def setup(sqlite: bool) -> None:
    if not sqlite:
        from benchdb import bench_database_url, ensure_database, setup_django

        url = bench_database_url()  # refuses any database but casebook_bench[_word]
        ensure_database(url, fresh=False)
        setup_django(url)
    else:
        var = Path(tempfile.mkdtemp(prefix="casebook-export-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
        os.environ["CASEBOOK_VAR_DIR"] = str(var)
        os.environ["DJANGO_SETTINGS_MODULE"] = "casebook.settings"
        import django

        django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casebook.accounts.models import User

    if not User.objects.filter(username="010003").exists():
        call_command("load_demo", "--quiet-logins")


def subject_and_user():
    from casebook.accounts.models import User
    from casebook.subjects.models import Subject

    user = User.objects.get(username="010003")
    subject = (
        Subject.objects.filter(station__code="JZ01", kind="person", status="active")
        .order_by("pk")
        .first()
    )
    return subject, user


def add_records(subject, user, count: int) -> None:
    """``count`` more verified field records about ``subject``, in bulk (bench fast path)."""
    from datetime import timedelta

    from django.utils import timezone

    from casebook.crypto.services import data_key_create
    from casebook.intel.models import InformationRecord

    key = data_key_create(label="export-bench")
    start = timezone.now() - timedelta(days=count)
    rows = [
        InformationRecord(
            station=subject.station,
            method="field_visit" if i % 3 else "collection",
            channel="own" if i % 2 else "community_police",
            occurred_at=start + timedelta(days=i, hours=i % 9),
            content=f"{MARK}{TEXTS[i % len(TEXTS)]}（第{i + 1}次）",
            source_evaluation="A" if i % 4 else "B",
            info_assessment=str(1 + i % 3),
            verification="verified",
            verification_note="民警当面核实",
            data_key=key,
            created_by=user,
        )
        for i in range(count)
    ]
    rows = InformationRecord.objects.bulk_create(rows, batch_size=1000)
    through = InformationRecord.subjects.through
    through.objects.bulk_create(
        [through(informationrecord_id=r.pk, subject_id=subject.pk) for r in rows], batch_size=1000
    )


def read(subject, user):
    from casebook.reports import archive

    return archive.collect(user, subject, archive.Filters())


def render(subject, user, fmt: str) -> bytes:
    from django.utils import timezone

    from casebook.reports import archive
    from casebook.reports.documents import issue

    document, _ = archive.build_document(
        user,
        subject,
        archive.Filters(),
        reference="EXP-BENCH-000001",
        at=timezone.now(),
        marking=subject.get_classification_display(),
        purpose="基准测试",
        lists=fmt == "xlsx",
    )
    return issue(fmt, document)[0]  # PDF: rendered, PDF/A, sealed and signed


def pages_of(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def timed(fn, runs: int) -> tuple[float, object]:
    values, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        values.append(time.perf_counter() - start)
    return statistics.median(values), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="a throw-away SQLite database")
    args = parser.parse_args()
    setup(args.sqlite)
    from django.utils import translation

    translation.activate("zh-hans")
    subject, user = subject_and_user()
    pages = pages_of(render(subject, user, "pdf"))
    while pages < args.pages:  # calibrate: add records until the PDF is long enough
        items = len(read(subject, user)[0])
        more = max(50, int(items * (args.pages - pages) / max(pages, 1) * 1.05))
        print(f"{pages} pages from {items} entries: adding {more} records…", flush=True)
        add_records(subject, user, more)
        pages = pages_of(render(subject, user, "pdf"))
    read_s, (items, _) = timed(lambda: read(subject, user), args.runs)
    pdf_s, pdf = timed(lambda: render(subject, user, "pdf"), args.runs)
    docx_s, docx = timed(lambda: render(subject, user, "docx"), args.runs)
    xlsx_s, xlsx = timed(lambda: render(subject, user, "xlsx"), args.runs)
    print()
    print(f"archive of {subject.name}: {len(items)} entries, PDF {pages_of(pdf)} pages")
    print(f"{'measure':44} {'median s':>9} {'target s':>9}  ok")
    print(f"{'read the rows (archive.collect)':44} {read_s:9.2f} {'':>9}")
    print(
        f"{'PDF: read + render + PDF/A + seal + sign':44} {pdf_s:9.2f} {10:9d}  {'yes' if pdf_s <= 10 else 'NO'}"
    )
    print(f"{'Word: read + render + seal':44} {docx_s:9.2f}")
    print(f"{'Excel (with lists): read + render + seal':44} {xlsx_s:9.2f}")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (reads, three of each export): {peak:.0f} MB (goal 200)")
    print(
        f"sizes: PDF {len(pdf) // 1024} KiB, Word {len(docx) // 1024} KiB, Excel {len(xlsx) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
