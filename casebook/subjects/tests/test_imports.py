"""Bringing in a station's existing registers from Excel (issue 18 item 10): the template, the
check of every row, the choice between all-or-nothing and the clean rows, the background run,
idempotence by content digest, who may import, and formula injection."""

import io
import time
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from casebook.audit.models import AuditEvent
from casebook.subjects import services
from casebook.subjects.models import Category, Subject, SubjectImport
from casebook.subjects.services import imports
from casebook.subjects.workbook import COLUMNS, SHEET_TITLES, build_template

from .conftest import make_id

NOW = "2026-03-02 09:00 +08:00"
BASIS = "城公(治)字〔2026〕1号"


def _categories():
    return {k: list(Category.objects.filter(kind=k, is_active=True)) for k in COLUMNS}


def person_row(n, approver, **over):
    """A clean person row (column key → value) with a distinct ID number per ``n``."""
    born = date(1960, 1, 1).toordinal() + n
    row = {
        "name": f"导入人员{n}",
        "category": "有违法犯罪前科人员",
        "legal_basis_ref": BASIS,
        "approved_by": approver.username,
        "approved_on": "2026-01-05",
        "id_number": make_id(born=date.fromordinal(born).strftime("%Y%m%d"), seq=f"{n % 997:03d}"),
        "phones": f"139{n:08d}",
        "data_subject_category": "convicted",
        "notes": "",
    }
    row.update(over)
    return row


def workbook(station, rows_by_kind) -> bytes:
    """The station's template filled with ``rows_by_kind`` (kind → list of column dicts)."""
    data = build_template(station, _categories())
    book = load_workbook(io.BytesIO(data))
    with translation.override("zh-hans"):
        titles = {kind: str(SHEET_TITLES[kind]) for kind in COLUMNS}
    for kind, rows in rows_by_kind.items():
        sheet = book[titles[kind]]
        keys = [c.key for c in COLUMNS[kind]]
        for i, row in enumerate(rows, start=2):
            for j, key in enumerate(keys, start=1):
                if key in row:
                    sheet.cell(row=i, column=j, value=row[key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def twenty_bad(approver, org):
    """(row index in the person sheet, replacement row) for 20 rows, each wrong in one way."""
    bad_id = make_id(seq="555")[:-1] + ("0" if make_id(seq="555")[-1] != "0" else "1")
    return {
        10: person_row(10, approver, id_number=bad_id),  # check digit
        50: person_row(50, approver, category="不存在的类别"),
        90: person_row(90, approver, legal_basis_ref=""),
        130: person_row(130, approver, approved_by="999999"),
        170: person_row(170, approver, review_due="2026-03-01"),  # in the past
        210: person_row(210, approver, phones="12345"),
        250: person_row(250, approver, approved_on="去年"),
        290: person_row(290, approver, data_subject_category="路人"),
        330: person_row(330, approver, name=""),
        370: person_row(370, approver, review_due="2030-01-01"),  # beyond the cycle
        410: person_row(410, approver, id_number=person_row(411, approver)["id_number"]),
        450: person_row(450, approver, category="娱乐场所"),  # a place category
        490: person_row(490, approver, sex="外星"),
        530: person_row(530, approver, date_of_birth="1999-02-30"),
        570: person_row(570, approver, approved_on="2027-01-01"),  # future
        610: person_row(610, approver, classification="绝密"),
        650: person_row(650, approver, id_number="12345"),
        690: person_row(690, approver, phones="1390000000a"),
        730: person_row(730, approver, name="张\u202e三"),  # hidden direction character
        770: person_row(770, approver, id_number=make_id(seq="777")),  # already registered
    }


@pytest.fixture
def leader(crew):
    return crew["leader"]


@pytest.fixture
def existing(org, leader):
    """A person already registered with the ID number row 770 repeats."""
    return services.subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="prior_offender"),
        name="已登记人员",
        station=org["a"],
        legal_basis_ref=BASIS,
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        detail={"data_subject_category": "convicted", "id_number": make_id(seq="777")},
    )


def check(leader, org, data):
    return imports.import_check(actor=leader, station=org["a"], data=data, file_name="登记.xlsx")


def run(leader, subject_import, mode, capture):
    with capture(execute=True):
        imports.import_start(actor=leader, subject_import=subject_import, mode=mode)
    subject_import.refresh_from_db()
    return subject_import


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_template_is_chinese_with_lists_and_instructions(org, leader):
    book = load_workbook(io.BytesIO(build_template(org["a"], _categories())))
    assert len(book.sheetnames) == 5  # instructions, lists, three kinds
    person = book.worksheets[2]
    headers = [c.value for c in person[1]]
    assert headers[0].endswith("*") and len(headers) == len(COLUMNS["person"])
    validated = {str(v.sqref).split(":")[0] for v in person.data_validations.dataValidation}
    assert "B2" in validated  # the category column offers the bureau's categories
    values = [c.value for c in book.worksheets[1]["A"]]
    assert "有违法犯罪前科人员" in values and "娱乐场所" not in values


@pytest.mark.django_db(transaction=False)
@time_machine.travel(NOW, tick=False)
def test_five_thousand_rows_twenty_bad(org, leader, existing, django_capture_on_commit_callbacks):
    rows = [person_row(n, leader) for n in range(5000)]
    for index, row in twenty_bad(leader, org).items():
        rows[index] = row
    data = workbook(org["a"], {"person": rows})
    started = time.perf_counter()
    checked = check(leader, org, data)
    check_seconds = time.perf_counter() - started
    assert checked.total_rows == 5000
    assert checked.rows_with_errors == 20
    assert checked.clean_rows == 4980
    rows_in_error = sorted({e["row"] for e in checked.errors})
    # row = index + 2; of the two rows sharing an ID number the second (index 411) is flagged
    expected = {i + 2 for i in twenty_bad(leader, org)} - {412} | {413}
    assert rows_in_error == sorted(expected)
    by_row = {e["row"]: e for e in checked.errors}
    assert by_row[12]["column"] == "id_number"
    assert by_row[52]["column"] == "category"
    assert by_row[92]["column"] == "legal_basis_ref"
    assert by_row[132]["column"] == "approved_by"
    assert by_row[172]["column"] == "review_due"
    assert by_row[212]["column"] == "phones"
    assert by_row[772]["column"] == "id_number"
    assert "already registered" in by_row[772]["message"] or "已" in by_row[772]["message"]
    before = Subject.objects.count()

    # only when clean: refused, nothing written
    with pytest.raises(services.ValidationError):
        imports.import_start(actor=leader, subject_import=checked, mode=SubjectImport.Mode.ALL)
    checked.refresh_from_db()
    assert checked.state == SubjectImport.State.PREVIEW
    assert Subject.objects.count() == before

    # the clean rows, by choice
    started = time.perf_counter()
    done = run(leader, checked, SubjectImport.Mode.CLEAN, django_capture_on_commit_callbacks)
    import_seconds = time.perf_counter() - started
    assert done.state == SubjectImport.State.DONE, done.failure
    assert done.created_count == 4980
    assert Subject.objects.count() == before + 4980
    assert AuditEvent.objects.filter(action="subject.import").count() == 1
    assert AuditEvent.objects.filter(action="subject.create").count() == 4981
    assert str(done.rows) == ""  # the particulars read from the file are dropped
    print(f"\n5000-row workbook: check {check_seconds:.1f} s, import {import_seconds:.1f} s")

    # the same file again: nothing twice, and it says so
    with pytest.raises(imports.AlreadyImported) as refused:
        check(leader, org, data)
    assert "nothing is created twice" in str(refused.value.messages) or refused.value.previous
    assert Subject.objects.count() == before + 4980


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_all_or_nothing_imports_a_clean_file_with_all_kinds(
    org, leader, django_capture_on_commit_callbacks
):
    place = {
        "name": "星光KTV",
        "category": "娱乐场所",
        "legal_basis_ref": BASIS,
        "approved_by": leader.username,
        "approved_on": "2026-01-05",
        "address": "城关区解放路9号",
        "licence_numbers": "JY-001,JY-002",
    }
    incident = {
        "name": "东门聚集",
        "category": "群体性事件",
        "legal_basis_ref": BASIS,
        "approved_by": leader.username,
        "approved_on": "2026-02-01",
        "incident_type": "聚集",
        "started_at": "2026-02-01 14:30",
        "location": "东门广场",
        "people_involved": 40,
        "departments": "交警、街道办",
    }
    data = workbook(
        org["a"],
        {
            "person": [person_row(1, leader), person_row(2, leader)],
            "place": [place],
            "incident": [incident],
        },
    )
    checked = check(leader, org, data)
    assert checked.errors == [] and checked.clean_rows == 4
    done = run(leader, checked, SubjectImport.Mode.ALL, django_capture_on_commit_callbacks)
    assert done.created_count == 4
    ktv = Subject.objects.get(name="星光KTV")
    assert ktv.station == org["a"] and ktv.place.licence_numbers == "JY-001,JY-002"
    gathering = Subject.objects.get(name="东门聚集")
    assert gathering.incident.people_involved == 40


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_review_date_from_the_file(org, leader, django_capture_on_commit_callbacks):
    data = workbook(org["a"], {"person": [person_row(3, leader, review_due="2026-04-01")]})
    run(
        leader, check(leader, org, data), SubjectImport.Mode.ALL, django_capture_on_commit_callbacks
    )
    assert Subject.objects.get(name="导入人员3").review_due == date(2026, 4, 1)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_formula_in_a_cell_stays_text(org, leader, django_capture_on_commit_callbacks):
    formula = '=HYPERLINK("http://evil.example/","点此")'
    data = workbook(org["a"], {"person": [person_row(4, leader, notes=formula)]})
    checked = check(leader, org, data)
    assert checked.errors == []
    run(leader, checked, SubjectImport.Mode.ALL, django_capture_on_commit_callbacks)
    assert Subject.objects.get(name="导入人员4").notes == formula


@pytest.mark.django_db
def test_a_file_that_is_not_xlsx_is_refused(org, leader):
    for data in (b"name,id\n1,2\n", b"%PDF-1.4\n", b"PK\x03\x04garbage", b""):
        with pytest.raises(services.ValidationError):
            check(leader, org, data)
    assert not SubjectImport.objects.exists()


@pytest.mark.django_db
def test_only_a_station_leader_imports(org, crew):
    data = workbook(org["a"], {"person": [person_row(5, crew["leader"])]})
    for key in ("officer", "analyst", "bureau", "supervisor", "admin", "other_leader"):
        with pytest.raises(services.PermissionDenied):
            imports.import_check(actor=crew[key], station=org["a"], data=data, file_name="x.xlsx")
    assert not SubjectImport.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_twin_registered_after_the_check_stops_an_all_or_nothing_import(
    org, leader, django_capture_on_commit_callbacks
):
    rows = [person_row(6, leader), person_row(7, leader)]
    checked = check(leader, org, workbook(org["a"], {"person": rows}))
    services.subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="prior_offender"),
        name="抢先登记",
        station=org["a"],
        legal_basis_ref=BASIS,
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        detail={"data_subject_category": "convicted", "id_number": rows[1]["id_number"]},
    )
    done = run(leader, checked, SubjectImport.Mode.ALL, django_capture_on_commit_callbacks)
    assert done.state == SubjectImport.State.FAILED and done.created_count == 0
    assert not Subject.objects.filter(name__startswith="导入人员").exists()


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_pages_upload_preview_import_progress(
    org, crew, client_for, django_capture_on_commit_callbacks
):
    from django.test import Client

    from conftest import login

    leader = crew["leader"]
    client = login(Client(), leader)
    page = client.get(reverse("subjects:import"))
    assert page.status_code == 200
    template = client.get(reverse("subjects:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [person_row(8, leader), person_row(9, leader, phones="12")]
    upload = io.BytesIO(workbook(org["a"], {"person": rows}))
    upload.name = "登记.xlsx"
    with translation.override("en"):
        response = client.post(reverse("subjects:import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    subject_import = SubjectImport.objects.get()
    body = response.content.decode()
    assert "Phone numbers" in body or "联系电话" in body
    assert ">3<" in body  # row 3 of the sheet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subjects:import_start", args=[subject_import.pk]), {"mode": "clean"}
        )
    assert response.status_code == 302
    progress = client.get(reverse("subjects:import_progress", args=[subject_import.pk]))
    assert b"<progress" in progress.content and b'value="100"' in progress.content
    assert Subject.objects.filter(name="导入人员8").exists()
    assert not Subject.objects.filter(name="导入人员9").exists()

    # nobody else sees the import
    other = login(Client(), crew["other_leader"])
    assert other.get(reverse("subjects:import_detail", args=[subject_import.pk])).status_code == 404
    officer = login(Client(), crew["officer"])
    assert officer.get(reverse("subjects:import")).status_code == 403
    assert (
        officer.get(reverse("subjects:import_detail", args=[subject_import.pk])).status_code == 404
    )
