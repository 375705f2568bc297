"""One FilterSet for the information records list (intel/filters.py), shared by the page, its CSV
export and the API: the same rows on each; a bad value is an error, never every record."""

import pytest
from django.test import Client

from casebook.accounts.services import api_token_create
from casebook.intel.tests import test_intel
from conftest import login

pytestmark = pytest.mark.django_db
crew_compartments, person = test_intel.crew_compartments, test_intel.person  # fixtures
record = test_intel.record


@pytest.fixture
def records(crew, person):
    return {
        "own": record(crew, person, channel="own", source_evaluation="A", tags=["赌博"]),
        "police": record(crew, person, channel="community_police", source_evaluation="C"),
    }


def _api(user):
    login(Client(), user)  # a leader's token needs the second factor enrolled
    _token, key = api_token_create(actor=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _page_ids(client, query) -> set[int]:
    response = client.get("/records/", query)
    assert response.status_code == 200
    return {r.pk for r in response.context["page"].object_list}


def _api_ids(client, query) -> set[int]:
    response = client.get("/api/v1/records/", query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_page_and_api_filter_alike(crew, person, records):
    own, police = records["own"].pk, records["police"].pk
    page, api = login(Client(), crew["officer"]), _api(crew["officer"])
    for query, ids in [
        ({}, {own, police}),
        ({"channel": "own"}, {own}),
        ({"source": "C"}, {police}),  # the page's name
        ({"source_evaluation": "C"}, {police}),  # the API's
        ({"tag": "赌博"}, {own}),
        ({"subject": person.pk}, {own, police}),
        ({"subject": person.pk + 1000}, set()),
    ]:
        assert _page_ids(page, query) == ids, query
        assert _api_ids(api, query) == ids, query


@pytest.mark.parametrize(
    "query", [{"channel": "pigeon"}, {"source": "Z"}, {"subject": "1 OR 1=1"}, {"task": "-3"}]
)
def test_bad_filter_is_an_error_never_every_record(crew, records, query):
    page = login(Client(), crew["officer"]).get("/records/", query)
    assert page.status_code == 200
    assert page.context["filter_errors"]
    assert list(page.context["page"].object_list) == []
    api = _api(crew["officer"]).get("/api/v1/records/", query)
    assert api.status_code == 400 and set(query) <= set(api.json()["errors"])


def test_export_with_a_bad_filter_exports_nothing(crew, records):
    client = login(Client(), crew["leader"])
    response = client.get("/records/export.csv", {"purpose": "核查", "channel": "pigeon"})
    assert response.status_code == 302
    assert response["Location"].startswith("/records/?")


def test_other_station_sees_none_by_any_filter(crew, person, records):
    page, api = login(Client(), crew["other_officer"]), _api(crew["other_officer"])
    for query in ({}, {"subject": person.pk}, {"channel": "own"}):
        assert _page_ids(page, query) == set()
        assert _api_ids(api, query) == set()


def test_tip_queue_page_and_api_share_the_status_filter(org, crew):
    from django.core.cache import cache

    from casebook.intel import services
    from casebook.intel.models import Tip

    cache.clear()
    services.tip_submit(ip="192.0.2.9", what="有人深夜在小区兜售可疑物品", station=org["a"])
    tip = Tip.objects.get()
    page, api = login(Client(), crew["leader"]), _api(crew["leader"])
    assert {t.pk for t in page.get("/tips/").context["page"]} == {tip.pk}  # received: default
    assert {t.pk for t in page.get("/tips/", {"status": "closed"}).context["page"]} == set()
    assert {
        r["id"] for r in api.get("/api/v1/tips/", {"status": "received"}).json()["results"]
    } == {tip.pk}
    bad = page.get("/tips/", {"status": "everything"})
    assert bad.status_code == 200 and bad.context["filter_errors"]
    assert list(bad.context["page"]) == []
    assert api.get("/api/v1/tips/", {"status": "everything"}).status_code == 400
    other = login(Client(), crew["other_leader"])
    assert {t.pk for t in other.get("/tips/").context["page"]} == set()
