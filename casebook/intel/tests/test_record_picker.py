"""The record form and the other subject forms no longer list every subject (issue #13): the
page does not grow with the number of subjects, a subject outside the user's scope is refused
with nothing written, and a form that comes back with an error keeps the chosen subjects."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from casebook.intel.models import InformationRecord
from casebook.subjects.models import Association, Category, Subject
from casebook.subjects.selectors import visible_subjects
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking.models import Task
from conftest import login

pytestmark = pytest.mark.django_db


def person(crew, org, name, *, station="a", seq="601"):
    leader = crew["leader"] if station == "a" else crew["other_leader"]
    return subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name=name,
        station=org[station],
        legal_basis_ref="城公〔2026〕2号",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]] if station == "a" else [crew["other_officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq=seq)},
    )


def clones(template: Subject, n: int, prefix: str) -> None:
    """n more subjects of the template's station, written directly (fast): only their number
    matters here."""
    rows = []
    for i in range(n):
        row = Subject.objects.get(pk=template.pk)
        row.pk = row.id = None
        row.name = f"{prefix}{i:03d}"
        row.search_text = row.name
        rows.append(row)
    Subject.objects.bulk_create(rows)


def record_data(**kw):
    data = {
        "method": "collection",
        "channel": "community_police",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "content": "在网吧门口见到此人",
        "source_evaluation": "B",
        "info_assessment": "2",
        "handling": "P",
    }
    data.update(kw)
    return data


def test_record_form_does_not_grow_with_the_subjects(crew, org):
    first = person(crew, org, "王吸")
    clones(first, 4, "甲克隆")
    officer = login(Client(), crew["officer"])
    small = officer.get("/records/new/")
    assert small.status_code == 200
    assert visible_subjects(crew["officer"]).filter(station=org["a"]).count() == 5

    clones(first, 195, "乙克隆")
    assert visible_subjects(crew["officer"]).filter(station=org["a"]).count() == 200
    large = officer.get("/records/new/")

    html = large.content.decode()
    assert abs(len(large.content) - len(small.content)) < 1024
    assert "王吸" not in html and "克隆" not in html
    assert not re.search(r'<select[^>]*name="subjects"', html)
    assert html.count("<option") == small.content.decode().count("<option")
    assert 'data-testid="picker-subjects"' in html and "/subjects/pick/?name=subjects" in html


def test_record_saved_with_a_picked_subject(crew, org):
    subject = person(crew, org, "王吸")
    officer = login(Client(), crew["officer"])
    response = officer.post("/records/new/", record_data(subjects=[subject.pk]))
    record = InformationRecord.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert list(record.subjects.all()) == [subject]


def test_record_with_out_of_scope_subject_refused(crew, org):
    mine = person(crew, org, "王吸")
    foreign = person(crew, org, "乙站人员", station="b", seq="602")
    officer = login(Client(), crew["officer"])
    response = officer.post("/records/new/", record_data(subjects=[mine.pk, foreign.pk]))
    assert response.status_code == 200
    assert 'data-testid="error-subjects"' in response.content.decode()
    assert "乙站人员" not in response.content.decode()
    assert not InformationRecord.objects.exists()


def test_record_form_error_keeps_the_chosen_subjects(crew, org):
    chosen = person(crew, org, "王吸")
    person(crew, org, "李未选", seq="603")
    officer = login(Client(), crew["officer"])
    response = officer.post("/records/new/", record_data(subjects=[chosen.pk], content=""))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="error-content"' in html
    assert f'<input type="hidden" name="subjects" value="{chosen.pk}">' in html
    assert "王吸" in html and "李未选" not in html
    assert not InformationRecord.objects.exists()


def test_record_form_prefills_a_subject_only_in_scope(crew, org):
    mine = person(crew, org, "王吸")
    foreign = person(crew, org, "乙站人员", station="b", seq="604")
    officer = login(Client(), crew["officer"])
    assert "王吸" in officer.get(f"/records/new/?subject={mine.pk}").content.decode()
    page = officer.get(f"/records/new/?subject={foreign.pk}").content.decode()
    assert "乙站人员" not in page and f'name="subjects" value="{foreign.pk}"' not in page


def test_task_form_picker_refuses_out_of_scope(crew, org):
    foreign = person(crew, org, "乙站人员", station="b", seq="605")
    leader = login(Client(), crew["leader"])
    page = leader.get("/tasks/new/").content.decode()
    assert 'data-testid="picker-subjects"' in page and "乙站人员" not in page
    response = leader.post(
        "/tasks/new/",
        {
            "title": "跟踪",
            "subjects": [foreign.pk],
            "lead": crew["officer"].pk,
            "priority": "normal",
            "origin": "station",
        },
    )
    assert response.status_code == 200 and 'data-testid="error-subjects"' in (
        response.content.decode()
    )
    assert not Task.objects.exists()


def test_associations_tab_lists_no_candidates_and_refuses_out_of_scope(crew, org):
    subject = person(crew, org, "王吸")
    other = person(crew, org, "李同伙", seq="606")
    foreign = person(crew, org, "乙站人员", station="b", seq="607")
    leader = login(Client(), crew["leader"])
    page = leader.get(f"/subjects/{subject.pk}/?tab=associations").content.decode()
    assert 'data-testid="picker-target"' in page
    assert "李同伙" not in page and f'<option value="{other.pk}"' not in page
    data = {"type": "associate", "source": "走访", "confidence": "medium"}
    leader.post(f"/subjects/{subject.pk}/links/", {**data, "target": foreign.pk})
    assert not Association.objects.exists()
    leader.post(f"/subjects/{subject.pk}/links/", {**data, "target": other.pk})
    assert Association.objects.filter(source_subject=subject, target_subject=other).exists()
