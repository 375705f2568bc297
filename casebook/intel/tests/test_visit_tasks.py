"""A visit serves the task it was made for (issue #18 item 1): the task page offers it, the
subject's Information tab passes its only open task on and the visit page asks when there are
several; the visit lands in the task's records and goes through 去伪存真 with them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from casebook.intel import services
from casebook.intel.models import InformationRecord
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking.choices import Stage
from casebook.tracking.services import task_accept, task_advance, task_create
from conftest import login


@pytest.fixture
def person(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name="走访对象",
        station=org["a"],
        legal_basis_ref="城公〔2026〕3号",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 5),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="318")},
    )


def new_task(crew, person, title="走访核查", lead="officer"):
    task = task_create(
        actor=crew["leader"],
        title=title,
        station=person.station,
        lead=crew[lead],
        subjects=[person],
    )
    if lead == "officer":
        task = task_accept(actor=crew["officer"], task=task)
    return task


def visit_data(**extra):
    return {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "present": "本人",
        "condition": "正常",
        "findings": "本人在家，近期无异常。",
        **extra,
    }


@pytest.mark.django_db
class TestOneOpenTask:
    def test_tab_passes_the_task_and_the_visit_joins_its_records(self, crew, person):
        task = new_task(crew, person)
        client = login(Client(), crew["officer"])
        tab = client.get(f"/subjects/{person.pk}/?tab=records").content.decode()
        assert f"/subjects/{person.pk}/visit/?task={task.pk}" in tab
        page = client.get(f"/tasks/{task.pk}/").content.decode()
        assert f"/subjects/{person.pk}/visit/?task={task.pk}" in page  # the task's own button

        visit_url = f"/subjects/{person.pk}/visit/?task={task.pk}"
        response = client.post(visit_url, visit_data(task=task.pk))  # as the form sends it
        assert response.status_code == 302
        visit = InformationRecord.objects.get(method="field_visit")
        assert visit.task == task and visit.verification == "unverified"
        page = client.get(f"/tasks/{task.pk}/").content.decode()
        assert f"/records/{visit.pk}/" in page

        # 去伪存真: the visit is one of the task's records, so it must be settled before analysis
        task = task_advance(actor=crew["officer"], task=task, to_stage=Stage.ORGANISING)
        with pytest.raises(ValidationError) as exc:
            task_advance(actor=crew["officer"], task=task, to_stage=Stage.ANALYSING)
        assert "unverified" in str(exc.value) or "未核实" in str(exc.value)
        services.record_verify(actor=crew["officer"], record=visit, status="verified", note="当面")
        assert task_advance(actor=crew["officer"], task=task, to_stage=Stage.ANALYSING)

    def test_visit_page_without_task_parameter_takes_the_only_task(self, crew, person):
        task = new_task(crew, person)
        client = login(Client(), crew["officer"])
        page = client.get(f"/subjects/{person.pk}/visit/").content.decode()
        assert f'name="task" value="{task.pk}"' in page
        client.post(f"/subjects/{person.pk}/visit/", visit_data(task=task.pk))
        assert InformationRecord.objects.get(method="field_visit").task == task

    def test_no_open_task_no_question(self, crew, person):
        client = login(Client(), crew["officer"])
        tab = client.get(f"/subjects/{person.pk}/?tab=records").content.decode()
        assert f'href="/subjects/{person.pk}/visit/"' in tab
        assert 'name="task"' not in client.get(f"/subjects/{person.pk}/visit/").content.decode()
        client.post(f"/subjects/{person.pk}/visit/", visit_data())
        assert InformationRecord.objects.get(method="field_visit").task is None


@pytest.mark.django_db
class TestSeveralOpenTasks:
    def test_the_visit_page_asks_and_refuses_none(self, crew, person):
        first = new_task(crew, person, "第一项任务")
        second = new_task(crew, person, "第二项任务")
        client = login(Client(), crew["officer"])
        tab = client.get(f"/subjects/{person.pk}/?tab=records").content.decode()
        assert "?task=" not in tab.split('data-testid="visit-subject"')[0].rsplit("<a", 1)[-1]
        page = client.get(f"/subjects/{person.pk}/visit/").content.decode()
        assert "第一项任务" in page and "第二项任务" in page and "<select" in page

        response = client.post(f"/subjects/{person.pk}/visit/", visit_data())
        assert response.status_code == 200  # asked again, nothing written
        assert 'data-testid="error-task"' in response.content.decode()
        assert not InformationRecord.objects.exists()

        client.post(f"/subjects/{person.pk}/visit/", visit_data(task=second.pk))
        visit = InformationRecord.objects.get()
        assert visit.task == second and not first.records.exists()

    def test_a_task_of_another_subject_is_not_accepted(self, crew, person, org):
        other = subject_create(
            actor=crew["leader"],
            kind="person",
            category=Category.objects.get(code="drug_involved"),
            name="别的对象",
            station=org["a"],
            legal_basis_ref="城公〔2026〕4号",
            approved_by=crew["leader"],
            approved_on=date(2026, 1, 5),
            officers=[crew["officer"]],
            detail={"data_subject_category": "suspect", "id_number": make_id(seq="319")},
        )
        new_task(crew, person, "第一项任务")
        new_task(crew, person, "第二项任务")
        foreign = new_task(crew, other, "别人的任务")
        client = login(Client(), crew["officer"])
        response = client.post(f"/subjects/{person.pk}/visit/", visit_data(task=foreign.pk))
        assert response.status_code == 200 and not InformationRecord.objects.exists()


@pytest.mark.django_db
class TestBoundaries:
    def test_other_station_cannot_visit(self, crew, person):
        task = new_task(crew, person)
        client = login(Client(), crew["other_officer"])
        response = client.post(f"/subjects/{person.pk}/visit/?task={task.pk}", visit_data())
        assert response.status_code in (403, 404)
        assert not InformationRecord.objects.exists()

    def test_archived_task_refused_by_the_service(self, crew, person):
        task = new_task(crew, person)
        task.stage = Stage.ARCHIVED  # as if archived: the service must refuse it
        with pytest.raises(ValidationError) as exc:
            services.field_visit(
                actor=crew["officer"],
                subject=person,
                occurred_at=timezone.now(),
                findings="x",
                task=task,
            )
        assert "task" in exc.value.message_dict
        assert not InformationRecord.objects.exists()
