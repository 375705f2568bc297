"""One FilterSet for the task list (tracking/filters.py), shared by the page and the API: the same
rows on both; a bad value is an error, never every task."""

import pytest
from django.test import Client

from casebook.accounts.services import api_token_create
from casebook.tracking import services
from casebook.tracking.tests import test_tracking
from conftest import login

pytestmark = pytest.mark.django_db
subject, task = test_tracking.subject, test_tracking.task  # fixtures


@pytest.fixture
def urgent(org, crew, subject):
    return services.task_create(
        actor=crew["leader"],
        title="紧急核查",
        station=org["a"],
        lead=crew["colleague"],
        subjects=[subject],
        priority="urgent",
    )


def _api(user):
    login(Client(), user)  # a leader's token needs the second factor enrolled
    _token, key = api_token_create(actor=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _page_ids(client, query) -> set[int]:
    response = client.get("/tasks/", query)
    assert response.status_code == 200
    return {t.pk for t in response.context["page"].object_list}


def _api_ids(client, query) -> set[int]:
    response = client.get("/api/v1/tasks/", query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_page_and_api_filter_alike(org, crew, subject, task, urgent):
    page, api = login(Client(), crew["leader"]), _api(crew["leader"])
    for query, ids in [
        ({"queue": "station"}, {task.pk, urgent.pk}),
        ({"queue": "station", "priority": "urgent"}, {urgent.pk}),
        ({"queue": "station", "lead": crew["officer"].username}, {task.pk}),
        ({"queue": "station", "station": org["a"].pk}, {task.pk, urgent.pk}),
        ({"queue": "station", "station": org["a"].code}, {task.pk, urgent.pk}),
        ({"queue": "station", "stage": "feedback"}, set()),
        ({"queue": "station", "subject": subject.pk}, {task.pk, urgent.pk}),
        ({"queue": "archived"}, set()),
    ]:
        assert _page_ids(page, query) == ids, query
        assert _api_ids(api, query) == ids, query


def test_page_opens_on_ones_own_tasks_and_api_on_all(crew, task, urgent):
    officer = crew["officer"]
    assert _page_ids(login(Client(), officer), {}) == {task.pk}
    assert _api_ids(_api(crew["leader"]), {}) == {task.pk, urgent.pk}


@pytest.mark.parametrize(
    "query", [{"queue": "everything"}, {"stage": "done"}, {"subject": "x"}, {"priority": "asap"}]
)
def test_bad_filter_is_an_error_never_every_task(crew, task, query):
    page = login(Client(), crew["leader"]).get("/tasks/", query)
    assert page.status_code == 200
    assert page.context["filter_errors"]
    assert list(page.context["page"].object_list) == []
    api = _api(crew["leader"]).get("/api/v1/tasks/", query)
    assert api.status_code == 400 and set(query) <= set(api.json()["errors"])


def test_other_station_sees_none_by_any_filter(org, crew, task):
    page, api = login(Client(), crew["other_leader"]), _api(crew["other_leader"])
    for query in ({"queue": "station"}, {"queue": "station", "station": org["a"].pk}):
        assert _page_ids(page, query) == set()
        assert _api_ids(api, query) == set()
