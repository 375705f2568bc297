"""Warning rules fire exactly when their condition holds, and never twice (frozen clock,
hypothesis); dashboard numbers equal the lists they link to; out-of-scope data never counts."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.accounts.roles import Role
from casebook.analysis import rules, services
from casebook.analysis.models import RiskFactor, Warning, WarningRule
from casebook.intel.services import field_visit, record_create
from casebook.subjects.models import Association, Category, Subject
from casebook.subjects.services import person_record_add, situation_add, subject_create
from casebook.subjects.tests.conftest import make_id
from conftest import login


def person(org, crew, name, station="a", seq="501", code="drug_involved"):
    leader = crew["leader"] if station == "a" else crew["other_leader"]
    return subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code=code),
        name=name,
        station=org[station],
        legal_basis_ref="x",
        approved_by=leader,
        approved_on=date(2026, 1, 1),
        officers=[crew["officer"]] if station == "a" else None,
        detail={"data_subject_category": "suspect", "id_number": make_id(seq=seq)},
    )


def warnings(code):
    return Warning.objects.filter(rule__code=code)


@pytest.mark.django_db
class TestRules:
    def test_no_visit_fires_after_the_cycle_once_per_period(self, org, crew):
        start = timezone.now()
        with time_machine.travel(start, tick=False) as traveller:
            subject = person(org, crew, "甲")  # drug-involved: 30-day cycle
            rules.evaluate()
            assert not warnings("no_visit").exists()
            traveller.shift(timedelta(days=31))
            rules.evaluate()
            assert warnings("no_visit").count() == 1
            rules.evaluate()
            assert warnings("no_visit").count() == 1  # never twice
            field_visit(
                actor=crew["officer"],
                subject=subject,
                occurred_at=timezone.now(),
                findings="本人在家",
            )
            traveller.shift(timedelta(days=20))
            rules.evaluate()
            assert warnings("no_visit").count() == 1  # visited within the cycle
            traveller.shift(timedelta(days=15))
            rules.evaluate()
            assert warnings("no_visit").count() == 2  # a new period without a visit

    def test_positive_test_after_assessment(self, org, crew):
        subject = person(org, crew, "乙", seq="503")
        r = record_create(
            actor=crew["officer"],
            subjects=[subject],
            method="collection",
            channel="own",
            occurred_at=timezone.now(),
            content="x",
            source_evaluation="A",
            info_assessment="1",
        )
        factor = RiskFactor.objects.filter(category=subject.category, kind="risk").first()
        services.assessment_create(
            actor=crew["officer"], subject=subject, ratings=[services.Rating(factor, [r])]
        )
        person_record_add(
            actor=crew["leader"],
            subject=subject,
            record="drug_test",
            data={"tested_on": timezone.localdate() - timedelta(days=2), "result": "negative"},
        )
        rules.evaluate()
        assert not warnings("new_risk_info").exists()  # negative, and before the assessment
        with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
            person_record_add(
                actor=crew["leader"],
                subject=subject,
                record="drug_test",
                data={"tested_on": timezone.localdate(), "result": "positive"},
            )
            rules.evaluate()
            rules.evaluate()
        assert warnings("new_risk_info").count() == 1

    def test_link_to_high_risk_subject(self, org, crew):
        a, b = person(org, crew, "丙", seq="505"), person(org, crew, "丁", seq="507")
        Association.objects.create(
            source_subject=a,
            target_subject=b,
            type="associate",
            source="t",
            created_by=crew["leader"],
        )
        rules.evaluate()
        assert not warnings("high_risk_link").exists()
        Subject.objects.filter(pk=b.pk).update(risk_level=3)
        rules.evaluate()
        rules.evaluate()
        assert list(warnings("high_risk_link").values_list("subject_id", flat=True)) == [a.pk]

    def test_rectification_overdue_and_incident_escalation(self, org, crew):
        place = subject_create(
            actor=crew["leader"],
            kind="place",
            category=Category.objects.get(code="internet_cafe"),
            name="网吧",
            station=org["a"],
            legal_basis_ref="x",
            approved_by=crew["leader"],
            approved_on=date(2026, 1, 1),
            officers=[crew["officer"]],
            detail={"address": "某路1号", "licence_numbers": "L-9"},
        )
        items = list(place.category.checklist.filter(is_active=True))
        checklist = {i.pk: ("pass", "") for i in items}
        checklist[items[0].pk] = ("fail", "实名系统未运行")
        field_visit(
            actor=crew["officer"],
            subject=place,
            occurred_at=timezone.now(),
            findings="检查",
            checklist=checklist,
            rectify_days=3,
        )
        rules.evaluate()
        assert not warnings("rectification_overdue").exists()
        with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
            rules.evaluate()
            rules.evaluate()
        assert warnings("rectification_overdue").count() == 1
        incident = subject_create(
            actor=crew["leader"],
            kind="incident",
            category=Category.objects.get(code="mass_incident"),
            name="聚集",
            station=org["a"],
            legal_basis_ref="x",
            approved_by=crew["leader"],
            approved_on=date(2026, 1, 1),
            detail={
                "incident_type": "聚集",
                "location": "广场",
                "started_at": timezone.now() - timedelta(hours=2),
                "incident_status": "contained",
            },
        )
        situation_add(actor=crew["leader"], subject=incident, text="人数减少", status="closed")
        rules.evaluate()
        assert not warnings("incident_escalates").exists()  # closing is not escalating
        situation_add(actor=crew["leader"], subject=incident, text="再次聚集", status="ongoing")
        rules.evaluate()
        rules.evaluate()
        assert warnings("incident_escalates").count() == 1

    def test_disabled_rule_does_not_fire(self, org, crew):
        WarningRule.objects.filter(code="no_visit").update(enabled=False)
        with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
            person(org, crew, "戊", seq="509")
        with time_machine.travel(timezone.now() + timedelta(days=800), tick=False):
            rules.evaluate()
        assert not warnings("no_visit").exists()


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(min_value=0, max_value=90), min_size=1, max_size=6))
def test_repeated_alerts_fire_exactly_at_the_threshold(org, crew, ages):
    """Alerts at a place within 7 days: a warning iff at least 3, and only once."""
    Warning.objects.all().delete()
    place = Subject.objects.filter(name="告警场所").first() or subject_create(
        actor=crew["leader"],
        kind="place",
        category=Category.objects.get(code="internet_cafe"),
        name="告警场所",
        station=org["a"],
        legal_basis_ref="x",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 1),
        officers=[crew["officer"]],
        detail={"address": "某路2号", "licence_numbers": "L-10"},
    )
    place.records.all().delete()
    now = timezone.now()
    for hours in ages:
        record_create(
            actor=crew["officer"],
            subjects=[place],
            method="technical",
            channel="video",
            occurred_at=now - timedelta(hours=hours * 4),
            content="视频告警",
            source_evaluation="A",
            info_assessment="1",
        )
    recent = sum(1 for h in ages if h * 4 < 7 * 24)
    rules.evaluate()
    rules.evaluate()
    assert warnings("repeated_alerts").count() == (1 if recent >= 3 else 0)


@pytest.mark.django_db
class TestDashboards:
    def test_every_number_equals_its_list_and_other_stations_do_not_count(self, org, crew):
        person(org, crew, "一号", seq="601")
        second = person(org, crew, "二号", seq="603")
        Subject.objects.filter(pk=second.pk).update(risk_level=3, review_due=date(2020, 1, 1))
        person(org, crew, "外所", station="b", seq="605")
        Subject.objects.filter(name="外所").update(risk_level=4, review_due=date(2020, 1, 1))
        with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
            rules.evaluate()
            client = login(Client(), crew["leader"])
            page = client.get("/analysis/dashboard/").content.decode()
            links = re.findall(
                r'href="(/(?:subjects|tasks|analysis/warnings)/\?[^"]*)"[^>]*>'
                r'(?:<div class="card-body">.*?display-6[^>]*>)?(\d+)<',
                page,
                re.S,
            )
            assert len(links) >= 10
            for href, number in links:
                listing = client.get(href.replace("&amp;", "&"))
                assert listing.status_code == 200
                count = listing.context["page"].paginator.count
                assert count == int(number), (href, number, count)
            assert "外所" not in page
        numbers = {h.replace("&amp;", "&"): int(n) for h, n in links}
        assert sum(n for h, n in numbers.items() if "risk=4" in h) == 0  # B's critical one

    def test_bureau_compares_stations(self, org, crew):
        person(org, crew, "甲所", seq="611")
        person(org, crew, "乙所", station="b", seq="613")
        client = login(Client(), crew["bureau"])
        page = client.get("/analysis/bureau/").content.decode()
        assert "甲派出所" in page and "乙派出所" in page and "丙派出所" not in page
        for href, number in re.findall(r'<td><a href="(/[^"]+)">(\d+)</a></td>', page):
            listing = client.get(href.replace("&amp;", "&"))
            assert listing.context["page"].paginator.count == int(number), href
        assert client.get("/analysis/dashboard/").status_code == 302  # choose a station
        station_page = client.get(f"/analysis/dashboard/?station={org['b'].pk}")
        assert "乙派出所" in station_page.content.decode()

    def test_officers_and_admins_have_no_dashboard(self, crew, make_user, org):
        assert login(Client(), crew["officer"]).get("/analysis/dashboard/").status_code == 403
        admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
        assert login(Client(), admin).get("/analysis/bureau/").status_code == 403

    def test_warning_handling(self, org, crew):
        with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
            person(org, crew, "预警人", seq="621")
        with time_machine.travel(timezone.now() + timedelta(days=80), tick=False):
            rules.evaluate()
        warning = warnings("no_visit").get()
        client = login(Client(), crew["officer"])
        client.post(f"/analysis/warnings/{warning.pk}/handle/", {"decision": "dismiss"})
        warning.refresh_from_db()
        assert warning.status == "open"  # a dismissal needs a reason
        leader = login(Client(), crew["leader"])
        leader.post(f"/analysis/warnings/{warning.pk}/handle/", {"decision": "task"})
        warning.refresh_from_db()
        assert warning.status == "tasked" and warning.task.origin == "warning"
        other = login(Client(), crew["other_leader"])
        assert (
            other.post(
                f"/analysis/warnings/{warning.pk}/handle/", {"decision": "acknowledge"}
            ).status_code
            == 404
        )


@pytest.mark.django_db
class TestConfiguration:
    def test_sysadmin_configures_rules_and_factors(self, org, crew, make_user):
        from casebook.audit.models import AuditEvent

        admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
        client = login(Client(), admin)
        assert "repeated_alerts" in client.get("/analysis/rules/").content.decode()
        client.post(
            "/analysis/rules/", {"code": "repeated_alerts", "param_count": "5", "param_days": "3"}
        )
        rule = WarningRule.objects.get(bureau__code="T", code="repeated_alerts")
        assert not rule.enabled and rule.params == {"count": 5, "days": 3}
        client.post("/analysis/rules/", {"code": "no_visit", "enabled": "on", "param_bogus": "x"})
        assert WarningRule.objects.get(bureau__code="T", code="no_visit").params == {}
        bad = client.post(
            "/analysis/rules/",
            {"code": "repeated_alerts", "enabled": "on", "param_count": "zero"},
            follow=True,
        )
        assert (
            WarningRule.objects.get(bureau__code="T", code="repeated_alerts").params["count"] == 5
        )
        assert bad.status_code == 200
        category = Category.objects.get(code="disaster")
        client.post(
            f"/analysis/categories/{category.pk}/factors/",
            {"kind": "risk", "name": "道路中断", "name_en": "Roads cut", "weight": "3"},
        )
        factor = RiskFactor.objects.get(name="道路中断")
        client.post(f"/analysis/factors/{factor.pk}/retire/")
        factor.refresh_from_db()
        assert not factor.is_active
        client.post(
            f"/analysis/categories/{category.pk}/factors/",
            {"kind": "risk", "name": "过重", "weight": "99"},
        )
        assert not RiskFactor.objects.filter(name="过重").exists()
        assert AuditEvent.objects.filter(action="warning_rule.configure").count() == 2
        assert AuditEvent.objects.filter(action="category.factor").count() == 2

    def test_others_may_not_configure(self, crew):
        for who in ("leader", "officer", "bureau"):
            client = login(Client(), crew[who])
            assert client.get("/analysis/rules/").status_code == 403
            assert client.post("/analysis/rules/", {"code": "no_visit"}).status_code == 403
        assert WarningRule.objects.get(bureau__code="T", code="no_visit").enabled


@pytest.mark.django_db
def test_deadline_rules_configured_by_the_system_administrator(org, crew, make_user):
    from casebook.tracking.models import DeadlineRule
    from casebook.tracking.services import default_deadlines

    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    client = login(Client(), admin)
    assert 'data-testid="deadline-rules"' in client.get("/analysis/rules/").content.decode()
    client.post("/analysis/rules/", {"deadlines": "1", "h_urgent_assigned": "1"})
    assert DeadlineRule.objects.get(priority="urgent", stage="assigned").hours == 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        due = default_deadlines("urgent", station=org["a"])
    assert due["assigned"] == start + timedelta(hours=1)
    client.post("/analysis/rules/", {"deadlines": "1", "h_urgent_assigned": "0"})
    assert DeadlineRule.objects.get(priority="urgent", stage="assigned").hours == 1
    leader = login(Client(), crew["leader"])
    assert (
        leader.post("/analysis/rules/", {"deadlines": "1", "h_urgent_assigned": "5"}).status_code
        == 403
    )
