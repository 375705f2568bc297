"""One FilterSet for the subject list (subjects/filters.py), shared by the page and the API: the
same filters give the same rows on both; a value that cannot be read is a form error on the page
and 400 problem details in the API — never every row, never a 500."""

import pytest
from django.test import Client

from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.subjects.tests.conftest import make_id
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(org, people, make_person):
    mine = make_person("张三丰", officers=[people["officer_a"]], id_number=make_id(seq="301"))
    other = make_person("李四光", officers=[people["officer_a2"]], id_number=make_id(seq="302"))
    theirs = make_person("王五", station="b", id_number=make_id(seq="303"))
    return {"mine": mine, "other": other, "theirs": theirs}


def _page_names(client, query) -> set[str]:
    response = client.get("/subjects/", query)
    assert response.status_code == 200
    return {s.name for s in response.context["page"].object_list}


def _api_names(client, query) -> set[str]:
    response = client.get("/api/v1/subjects/", query)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def _api(user):
    _token, key = api_token_create(actor=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_page_and_api_filter_alike(org, people, listed):
    leader = people["leader_a"]
    page, api = login(Client(), leader), _api(leader)
    officer = people["officer_a"]
    for query, names in [
        ({}, {"张三丰", "李四光"}),
        ({"officer": officer.pk}, {"张三丰"}),  # the page's links: an officer's id
        ({"officer": officer.username}, {"张三丰"}),  # the API's: a police number
        ({"station": org["a"].pk}, {"张三丰", "李四光"}),
        ({"station": org["a"].code}, {"张三丰", "李四光"}),
        ({"station": org["b"].pk}, set()),  # out of scope: nothing, not an error
        ({"kind": "place"}, set()),
        ({"q": "张三"}, {"张三丰"}),
        ({"sort": "name"}, {"张三丰", "李四光"}),
    ]:
        assert _page_names(page, query) == names, query
        assert _api_names(api, query) == names, query


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "robot"},
        {"status": "nonsense"},
        {"risk": "9"},
        {"sort": "password"},
        {"overdue": "maybe"},
        {"q": "张" * 101},
    ],
)
def test_bad_filter_is_an_error_never_every_row(people, listed, query):
    page = login(Client(), people["leader_a"]).get("/subjects/", query)
    assert page.status_code == 200
    assert page.context["filter_errors"]
    assert 'data-testid="filter-errors"' in page.content.decode()
    assert list(page.context["page"].object_list) == []
    api = _api(people["leader_a"]).get("/api/v1/subjects/", query)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/problem+json"
    assert set(query) <= set(api.json()["errors"])


def test_empty_page_fields_mean_no_filter(people, listed):
    """The page's form sends every field, the empty ones too: no error, every own row."""
    client = login(Client(), people["leader_a"])
    query = {"q": "", "kind": "", "category": "", "risk": "", "status": "", "officer": ""}
    response = client.get("/subjects/", query)
    assert not response.context["filter_errors"]
    assert {s.name for s in response.context["page"].object_list} == {"张三丰", "李四光"}


def test_overdue_checkbox_and_api_boolean(people, listed):
    client = login(Client(), people["leader_a"])
    assert _page_names(client, {"overdue": "on"}) == set()  # reviews are due in the future
    assert _api_names(_api(people["leader_a"]), {"review_overdue": "false"}) == {
        "张三丰",
        "李四光",
    }


def test_other_station_sees_none_of_them_by_any_filter(org, make_user, listed):
    outsider = make_user(Role.TRACKING_OFFICER, org["b"])
    page, api = login(Client(), outsider), _api(outsider)
    for query in ({"station": org["a"].pk}, {"q": "张三丰"}, {"station": org["a"].code}):
        assert "张三丰" not in _page_names(page, query)
        assert "张三丰" not in _api_names(api, query)
