"""The warnings page filters through ``analysis.filters.WarningFilterSet``: it opens on open
warnings, filters by status, rule, station and subject, and a value it cannot read is an error
with no rows (it used to ignore a bad status and list every warning)."""

import pytest
from django.test import Client
from django.utils import translation

from casebook.analysis.models import Warning, WarningRule
from casebook.testing.factories import PersonFactory
from conftest import login


@pytest.fixture
def warned(org, crew):
    person, other = PersonFactory(actor=crew["leader"]), PersonFactory(actor=crew["leader"])
    no_visit = WarningRule.objects.get(bureau=org["bureau"], code="no_visit")
    links = WarningRule.objects.get(bureau=org["bureau"], code="high_risk_link")
    rows = {
        "open": Warning.objects.create(
            rule=no_visit, subject=person, station=org["a"], key="t:1", reason="未走访甲"
        ),
        "other_rule": Warning.objects.create(
            rule=links, subject=other, station=org["a"], key="t:2", reason="关联乙"
        ),
        "dismissed": Warning.objects.create(
            rule=no_visit,
            subject=other,
            station=org["a"],
            key="t:3",
            reason="已排除丙",
            status="dismissed",
        ),
    }
    return {"person": person, "rows": rows, "client": login(Client(), crew["leader"])}


def shown(response) -> set[int]:
    return {w.pk for w in response.context["page"].object_list}


@pytest.mark.django_db
def test_opens_on_open_warnings_and_filters_by_status_rule_and_subject(warned):
    client, rows = warned["client"], warned["rows"]
    assert shown(client.get("/analysis/warnings/")) == {rows["open"].pk, rows["other_rule"].pk}
    assert shown(client.get("/analysis/warnings/?status=dismissed")) == {rows["dismissed"].pk}
    assert shown(client.get("/analysis/warnings/?rule=no_visit")) == {rows["open"].pk}
    assert shown(client.get(f"/analysis/warnings/?subject={warned['person'].pk}")) == {
        rows["open"].pk
    }


@pytest.mark.django_db
def test_a_value_it_cannot_read_is_an_error_with_no_rows(warned, org):
    client = warned["client"]
    with translation.override("en"):
        for query in ("status=bogus", "station=abc", "subject=1x"):
            response = client.get(f"/analysis/warnings/?{query}")
            assert response.status_code == 200
            assert shown(response) == set(), query
            assert response.context["filter_errors"], query


@pytest.mark.django_db
def test_another_stations_filter_shows_nothing(warned, org):
    response = warned["client"].get(f"/analysis/warnings/?station={org['c'].pk}")
    assert shown(response) == set()
