"""Pages that must not grow with the bureau (issue #13): the records list counts only up to a
cap, and the record form lists the officer's own open tasks, not every task of the station."""

import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

from casebook.intel.models import InformationRecord
from casebook.intel.selectors import SearchPaginator
from casebook.testing.factories import TaskFactory
from conftest import login

from .test_search import _person, _record


@pytest.fixture
def person(org, crew):
    return _person(org, crew, "周明", "417")


@pytest.mark.django_db
def test_records_list_count_is_capped_without_a_search(crew, person, monkeypatch):
    for i in range(4):
        _record(crew, person, f"第{i}次走访", hours_ago=i + 1)
    monkeypatch.setattr(SearchPaginator, "cap", 2)
    with translation.override("en"):
        response = login(Client(), crew["officer"]).get("/records/")
    page = response.context["page"]
    assert page.paginator.capped and page.paginator.count == 2
    body = response.content.decode()
    assert 'data-testid="search-capped"' in body


@pytest.mark.django_db
def test_records_past_the_cap_are_reached_by_keyset_without_gaps_or_repeats(
    crew, org, person, monkeypatch
):
    made = [_record(crew, person, f"第{i}次走访", hours_ago=i + 1) for i in range(7)]
    # two records at the same time: the id breaks the tie, in the list's order
    twin = _record(crew, person, "同时记录", hours_ago=3)
    InformationRecord.objects.filter(pk=twin.pk).update(
        occurred_at=InformationRecord.objects.get(pk=made[2].pk).occurred_at
    )
    monkeypatch.setattr(SearchPaginator, "cap", 3)
    client = login(Client(), crew["officer"])
    everything = list(
        InformationRecord.objects.order_by("-occurred_at", "-pk").values_list("pk", flat=True)
    )
    seen, url = [], "/records/"
    for _ in range(10):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        seen += [r.pk for r in response.context["page"].object_list]
        older = response.context["older"]
        if older is None:
            break
        assert 'data-testid="records-older"' in response.content.decode()
        url = f"/records/?{older}"
    assert seen == everything  # every record once, in the list's order
    # the id of a record the officer may not see starts no list (and tells nothing of it)
    hidden = _person(org, crew, "外所人", "419", station="b")
    other = _record(crew, hidden, "外所记录", actor=crew["other_officer"])
    response = client.get(f"/records/?before={other.pk}")
    assert response.status_code == 200 and list(response.context["page"].object_list) == []
    # not a number: a form error, never every record
    response = client.get("/records/?before=abc")
    assert list(response.context["page"].object_list) == []


@pytest.mark.django_db
def test_record_form_lists_own_tasks_but_accepts_any_open_task(crew, person, org):
    other = _person(org, crew, "钱亮", "418")
    own = TaskFactory(subjects=[person], lead=crew["officer"], title="本人任务")
    theirs = TaskFactory(subjects=[other], lead=crew["colleague"], title="同事任务")
    client = login(Client(), crew["officer"])
    body = client.get("/records/new/").content.decode()
    assert "本人任务" in body and "同事任务" not in body
    # a task of the station that is not listed is still accepted (and then shown as chosen)
    body = client.get(f"/records/new/?task={theirs.pk}").content.decode()
    assert "同事任务" in body
    response = client.post(
        "/records/new/",
        {
            "subjects": [other.pk],
            "task": theirs.pk,
            "method": "collection",
            "channel": "community_police",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "content": "今日走访，本人在家。",
            "source_evaluation": "B",
            "info_assessment": "2",
            "handling": "P",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    record = InformationRecord.objects.get(task=theirs)
    assert record.subjects.get() == other
    assert own.pk != theirs.pk


@pytest.mark.django_db
def test_record_form_refuses_a_task_of_another_station(crew, person, org):
    elsewhere = _person(org, crew, "孙强", "419", station="b")
    foreign = TaskFactory(subjects=[elsewhere], lead=crew["other_officer"], title="外所任务")
    client = login(Client(), crew["officer"])
    before = InformationRecord.objects.count()
    response = client.post(
        "/records/new/",
        {
            "subjects": [person.pk],
            "task": foreign.pk,
            "method": "collection",
            "channel": "community_police",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "content": "今日走访。",
            "source_evaluation": "B",
            "info_assessment": "2",
            "handling": "P",
        },
    )
    assert response.status_code == 200
    assert InformationRecord.objects.count() == before
    assert "外所任务" not in response.content.decode()


def test_bench_scripts_refuse_any_other_database(monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    import benchdb

    for url in (
        "postgres://postgres@127.0.0.1:5432/test",
        "postgres://postgres@127.0.0.1:5432/casebook",
        "postgres://postgres@127.0.0.1:5432/casebook_benchmark",
    ):
        monkeypatch.setenv(benchdb.SETTING, url)
        with pytest.raises(benchdb.NotABenchDatabase):
            benchdb.bench_database_url()
    monkeypatch.setenv(benchdb.SETTING, "postgres://postgres@127.0.0.1:5432/casebook_bench_small")
    assert benchdb.bench_database_url().endswith("/casebook_bench_small")
    monkeypatch.delenv(benchdb.SETTING)
    assert benchdb.bench_database_url() == benchdb.DEFAULT_URL
