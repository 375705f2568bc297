"""Spot checks, quarterly assessment, opinions and measures through the pages and services."""

from datetime import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from casebook.assessment import hooks, services
from casebook.assessment.models import (
    Assessment,
    FigureSnapshot,
    Measure,
    Opinion,
    SpotCheck,
    SpotCheckItem,
)
from casebook.intel.models import InformationRecord
from casebook.reports.documents import verify
from casebook.testing.factories import RecordFactory
from conftest import login

NOW = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
IN_Q = timezone.make_aware(datetime(2026, 11, 5, 9, 0))
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def records(crew, subject):
    made = []
    for officer, n in ((crew["officer"], 5), (crew["colleague"], 3)):
        for _ in range(n):
            r = RecordFactory(actor=officer, subjects=[subject])
            InformationRecord.objects.filter(pk=r.pk).update(
                recorded_at=IN_Q, verification="verified"
            )
            made.append(r)
    return made


def test_draw_covers_every_officer_and_redraws(crew, org, records):
    check = services.spot_check_draw(
        actor=crew["leader"], station=org["a"], period="2026Q4", kind="records", size=4
    )
    officers = set(check.items.values_list("officer_id", flat=True))
    assert officers == {crew["officer"].pk, crew["colleague"].pk}
    assert check.items.count() == 4
    assert services.spot_check_redraw(check)
    # another draw with the same seed and population gives the same items
    again = services.spot_check_draw(
        actor=crew["leader"],
        station=org["a"],
        period="2026Q4",
        kind="records",
        size=4,
        seed=check.seed,
    )
    assert sorted(again.items.values_list("object_id", flat=True)) == sorted(
        check.items.values_list("object_id", flat=True)
    )


@pytest.mark.parametrize(
    ("period", "size", "field"),
    [("2026Q4", 9, "size"), ("2027Q1", 2, "period"), ("2026Q4", 1, "size"), ("26Q4", 2, "period")],
)
def test_bad_draw_writes_nothing(crew, org, records, period, size, field):
    with pytest.raises(ValidationError) as err:
        services.spot_check_draw(
            actor=crew["leader"], station=org["a"], period=period, kind="records", size=size
        )
    assert field in err.value.message_dict
    assert not SpotCheck.objects.exists() and not SpotCheckItem.objects.exists()


def test_draw_page_refuses_too_large_a_sample(crew, org, records):
    client = login(Client(), crew["leader"])
    response = client.post(
        reverse("assessment:spotchecks"), {"period": "2026Q4", "kind": "records", "size": 50}, **EN
    )
    assert response.status_code == 400
    assert b"larger than its population" in response.content
    assert not SpotCheck.objects.exists()


def test_officer_and_other_station_cannot_draw(crew, org, records):
    for who in ("officer", "other_leader", "analyst"):
        with pytest.raises(PermissionDenied):
            services.spot_check_draw(
                actor=crew[who], station=org["a"], period="2026Q4", kind="records", size=2
            )


def test_discrepancy_counts_in_the_officers_figures(crew, org, records):
    check = services.spot_check_draw(
        actor=crew["leader"], station=org["a"], period="2026Q4", kind="records", size=2
    )
    item = check.items.get(officer=crew["officer"])
    with pytest.raises(ValidationError):  # a discrepancy needs a note
        services.spot_item_check(actor=crew["leader"], item=item, result="discrepancy")
    services.spot_item_check(
        actor=crew["leader"], item=item, result="discrepancy", note="核实时本人不在该地"
    )
    drafts = services.assessment_draft(actor=crew["leader"], station=org["a"], period="2026Q4")
    mine = next(a for a in drafts if a.officer_id == crew["officer"].pk)
    assert mine.basis["findings"] == 1
    assert mine.basis["figures"]["spot_confirmed"] == [0, 1]
    assert FigureSnapshot.objects.get(officer=crew["officer"], code="spot_confirmed").numerator == 0


def test_assessment_flow_and_scope(crew, org, records):
    leader, officer = crew["leader"], crew["officer"]
    services.assessment_draft(actor=leader, station=org["a"], period="2026Q4")
    a = Assessment.objects.get(officer=officer, period="2026Q4")
    with pytest.raises(ValidationError) as err:
        services.assessment_score(actor=leader, assessment=a, grade="excellent", reasons=" ")
    assert "reasons" in err.value.message_dict
    services.assessment_score(actor=leader, assessment=a, grade="competent", reasons="按时完成任务")
    with pytest.raises(ValidationError):  # not yet read by the officer
        services.assessment_confirm(actor=leader, assessment=a)

    mine = login(Client(), officer)
    page = mine.get(a.get_absolute_url(), **EN)
    assert page.status_code == 200 and b"Competent" in page.content
    mine.post(
        reverse("assessment:assessment_act", args=[a.pk, "object"]),
        {"objection": "走访数量统计有误"},
    )
    a.refresh_from_db()
    assert a.status == "objected" and a.objection == "走访数量统计有误"
    with pytest.raises(ValidationError):  # an objection must be answered
        services.assessment_confirm(actor=leader, assessment=a)
    services.assessment_confirm(actor=leader, assessment=a, note="已复核，统计无误")
    a.refresh_from_db()
    assert a.status == "confirmed"

    # a colleague, another station's leader and an analyst see nothing of it
    other = Assessment.objects.get(officer=crew["colleague"], period="2026Q4")
    assert mine.get(other.get_absolute_url()).status_code == 404
    for who in ("other_leader", "analyst", "other_officer"):
        assert login(Client(), crew[who]).get(a.get_absolute_url()).status_code == 404
    assert login(Client(), crew["bureau"]).get(a.get_absolute_url()).status_code == 200
    with pytest.raises(PermissionDenied):
        services.assessment_object(actor=crew["colleague"], assessment=a, objection="x")


def test_figure_rows_are_scoped(crew, org, records):
    services.recompute_figures(stations=[org["a"].pk])
    url = reverse("assessment:figure_rows", args=["accuracy"])
    query = f"?period=2026Q4&station={org['a'].pk}"
    leader = login(Client(), crew["leader"])
    response = leader.get(url + query + f"&officer={crew['officer'].pk}", **EN)
    assert response.status_code == 200 and b"5 of 5 rows count" in response.content
    officer = login(Client(), crew["officer"])
    assert officer.get(url + query + f"&officer={crew['officer'].pk}").status_code == 200
    assert officer.get(url + query + f"&officer={crew['colleague'].pk}").status_code == 404
    assert officer.get(url + query).status_code == 404
    assert login(Client(), crew["other_leader"]).get(url + query).status_code == 404
    index = leader.get(reverse("assessment:index") + "?period=2026Q4", **EN)
    assert b"5/5" in index.content and b"Of the officer&#x27;s information records" in index.content


def _opinion(client, text, kind="complaint", station=None, ip="10.1.1.1"):
    return client.post(
        reverse("assessment:opinion_submit"),
        {"station": station, "kind": kind, "text": text, "contact": ""},
        REMOTE_ADDR=ip,
        **EN,
    )


def test_opinion_html_is_text_and_flood_refused(crew, org):
    public = Client()
    html = '<script>alert("x")</script><b>态度恶劣</b> 民警办事拖拉'
    response = _opinion(public, html, station=org["a"].pk)
    assert response.status_code == 200
    opinion = Opinion.objects.get()
    assert opinion.text == html  # stored as written, as text
    assert opinion.reference.startswith("YJ-")
    page = login(Client(), crew["leader"]).get(opinion.get_absolute_url())
    assert b"<script>alert" not in page.content and b"&lt;script&gt;" in page.content
    for n in range(4):
        assert (
            _opinion(public, f"建议增加夜间巡逻第{n}次", "suggestion", org["a"].pk).status_code
            == 200
        )
    refused = _opinion(public, "第六条意见内容足够长", "praise", org["a"].pk)
    assert refused.status_code == 429
    assert Opinion.objects.count() == 5  # the earlier ones are kept
    assert (
        _opinion(
            Client(), "另一地址发来的意见内容", "praise", org["a"].pk, ip="10.2.2.2"
        ).status_code
        == 200
    )
    assert _opinion(Client(), "短", "praise", org["a"].pk, ip="10.3.3.3").status_code == 400


def test_opinion_triage_answer_and_count(crew, org):
    opinion = services.opinion_submit(
        ip="1.2.3.4", station=org["a"], kind="complaint", text="民警王某接待时态度生硬"
    )
    with pytest.raises(PermissionDenied):
        services.opinion_triage(
            actor=crew["other_leader"], opinion=opinion, officer=crew["officer"]
        )
    with pytest.raises(ValidationError):
        services.opinion_triage(
            actor=crew["leader"], opinion=opinion, officer=crew["other_officer"]
        )
    services.opinion_triage(actor=crew["leader"], opinion=opinion, officer=crew["officer"])
    services.opinion_answer(actor=crew["leader"], opinion=opinion, answer="已约谈该民警并回访")
    opinion.refresh_from_db()
    assert opinion.status == "answered"
    services.assessment_draft(actor=crew["leader"], station=org["a"], period="2026Q4")
    a = Assessment.objects.get(officer=crew["officer"])
    assert a.basis["opinions"] == {"complaint": 1}
    # opinions are for the leaders: an officer's page is refused
    assert login(Client(), crew["officer"]).get(opinion.get_absolute_url()).status_code == 404


def test_discipline_chain(crew, org):
    leader, officer, bureau = crew["leader"], crew["officer"], crew["bureau"]
    with pytest.raises(ValidationError) as err:
        services.measure_propose(actor=leader, officer=officer, kind="removal", grounds="")
    assert "grounds" in err.value.message_dict
    assert not Measure.objects.exists()
    m = services.measure_propose(
        actor=leader, officer=officer, kind="removal", grounds="泄露工作秘密，见审计事件#123"
    )
    services.measure_statement(actor=officer, measure=m, statement="我对泄露一事不知情")
    with pytest.raises(PermissionDenied):  # removal is never decided at a station
        services.measure_decide(actor=leader, measure=m, decision="撤职")
    m.refresh_from_db()
    assert m.status == "proposed" and m.decided_at is None
    services.measure_forward(actor=leader, measure=m)
    with pytest.raises(ValidationError):  # a decision without its grounds
        services.measure_decide(actor=bureau, measure=m, decision="  ")
    services.measure_decide(actor=bureau, measure=m, decision="经局党委研究决定撤销其职务")
    m.refresh_from_db()
    assert m.status == "decided" and m.decided_by == bureau


def test_discipline_needs_the_officers_statement(crew, org):
    m = services.measure_propose(
        actor=crew["leader"], officer=crew["officer"], kind="warning", grounds="连续两季度反馈超期"
    )
    with pytest.raises(ValidationError):
        services.measure_decide(actor=crew["leader"], measure=m, decision="给予警告")
    services.measure_statement(actor=crew["officer"], measure=m, statement="接受")
    services.measure_decide(actor=crew["leader"], measure=m, decision="给予警告处分")
    m.refresh_from_db()
    assert m.status == "decided"
    with pytest.raises(PermissionDenied):
        services.measure_statement(actor=crew["colleague"], measure=m, statement="x")


def test_pages_answer(crew, org, records):
    leader = login(Client(), crew["leader"])
    services.assessment_draft(actor=crew["leader"], station=org["a"], period="2026Q4")
    for name in ("index", "spotchecks", "assessments", "opinions", "measures"):
        assert leader.get(reverse(f"assessment:{name}"), **EN).status_code == 200, name
    officer = login(Client(), crew["officer"])
    assert officer.get(reverse("assessment:index"), **EN).status_code == 200
    assert officer.get(reverse("assessment:spotchecks")).status_code == 403
    assert officer.get(reverse("assessment:opinions")).status_code == 403
    assert Client().get(reverse("assessment:opinion_submit")).status_code == 200


def test_sealed_export(crew, org, records):
    services.assessment_draft(actor=crew["leader"], station=org["a"], period="2026Q4")
    leader = login(Client(), crew["leader"])
    url = reverse("assessment:export") + f"?period=2026Q4&station={org['a'].pk}&fmt=xlsx"
    response = leader.get(url)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert verify(response.content) is not None
    assert login(Client(), crew["officer"]).get(url).status_code == 404
    future = leader.get(url.replace("2026Q4", "2027Q2"))
    assert future.status_code == 400


def test_officer_file_section(crew, org, records):
    leader, officer = crew["leader"], crew["officer"]
    services.assessment_draft(actor=leader, station=org["a"], period="2026Q4")
    a = Assessment.objects.get(officer=officer)
    services.assessment_score(actor=leader, assessment=a, grade="excellent", reasons="表现突出")
    services.assessment_mark_read(actor=officer, assessment=a)
    services.assessment_confirm(actor=leader, assessment=a)
    m = services.measure_propose(
        actor=leader, officer=officer, kind="commendation", grounds="考核优秀"
    )
    services.measure_decide(actor=leader, measure=m, decision="通报表扬")
    own = hooks.file_section(officer, officer)
    assert [x.pk for x, _label in own["assessments"]] == [a.pk]
    assert own["assessments"][0][1] == "Excellent"
    assert list(own["measures"]) == [m]
    assert hooks.file_section(leader, officer)["measures"].count() == 1
    assert hooks.file_section(crew["colleague"], officer) is None
    assert hooks.file_section(crew["other_leader"], officer)["assessments"] == []


def test_malformed_parameters_are_not_server_errors(crew, org):
    leader = login(Client(), crew["leader"])
    rows = reverse("assessment:figure_rows", args=["accuracy"])
    assert leader.get(rows + "?station=abc&officer=x&period=zz").status_code == 404
    assert leader.get(reverse("assessment:index") + "?station=abc").status_code == 404
    assert leader.get(reverse("assessment:index") + "?period=nonsense").status_code == 200
    opinion = services.opinion_submit(
        ip="5.6.7.8", station=org["a"], kind="praise", text="值得表扬的民警"
    )
    response = leader.post(opinion.get_absolute_url(), {"officer": "abc", "unit": "x"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.officer is None and opinion.status == "received"
