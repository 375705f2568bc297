"""Risk assessments: score and explanation for known inputs, overrides need a reason, high and
critical need the station leader, the level sets review and visits, untested sources warned."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from casebook.analysis import services
from casebook.analysis.models import AssessmentStatus, RiskFactor
from casebook.audit.models import AuditEvent
from casebook.intel.services import record_create
from casebook.subjects.choices import RiskLevel
from casebook.subjects.models import Category, Subject
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from conftest import login


@pytest.fixture
def person(org, crew):
    return subject_create(
        actor=crew["leader"],
        kind="person",
        category=Category.objects.get(code="threat_of_violence"),
        name="扬某",
        station=org["a"],
        legal_basis_ref="x",
        approved_by=crew["leader"],
        approved_on=date(2026, 1, 1),
        officers=[crew["officer"]],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="411")},
    )


def rec(crew, subject, source="A", info="1", text="当面听到其扬言"):
    return record_create(
        actor=crew["officer"],
        subjects=[subject],
        method="field_visit",
        channel="own",
        occurred_at=timezone.now() - timedelta(hours=1),
        content=text,
        source_evaluation=source,
        info_assessment=info,
    )


def factor(subject, name):
    return RiskFactor.objects.get(category=subject.category, name=name)


@pytest.mark.django_db
class TestScore:
    def test_known_inputs_give_score_level_and_explanation(self, crew, person):
        r1, r2, r3 = rec(crew, person), rec(crew, person, "B", "2"), rec(crew, person)
        ratings = [
            services.Rating(factor(person, "威胁具体明确"), [r1]),
            services.Rating(factor(person, "具备实施条件"), [r2]),
            services.Rating(factor(person, "家庭支持"), [r3]),
        ]
        a = services.assessment_create(
            actor=crew["analyst"], subject=person, ratings=ratings, level=None
        )
        assert (a.score, a.suggested_level) == (5 + 4 - 2, 3)  # 7 → high
        assert a.explanation.startswith(f"{RiskLevel.HIGH.label}（7）：")
        assert f"威胁具体明确 +5 [#{r1.pk} A1]" in a.explanation
        assert f"具备实施条件 +4 [#{r2.pk} B2]" in a.explanation
        assert f"家庭支持 −2 [#{r3.pk} A1]" in a.explanation

    @pytest.mark.parametrize(
        ("score", "level"),
        [(-4, 1), (0, 1), (2, 1), (3, 2), (6, 2), (7, 3), (10, 3), (11, 4), (30, 4)],
    )
    def test_thresholds(self, score, level):
        assert services.suggest(score) == level

    def test_every_factor_must_cite_records(self, crew, person):
        with pytest.raises(ValidationError) as exc:
            services.assessment_create(
                actor=crew["analyst"],
                subject=person,
                ratings=[services.Rating(factor(person, "威胁具体明确"), [])],
            )
        assert "factors" in exc.value.message_dict

    def test_record_of_another_subject_refused(self, org, crew, person):
        other = subject_create(
            actor=crew["leader"],
            kind="person",
            category=person.category,
            name="他人",
            station=org["a"],
            legal_basis_ref="x",
            approved_by=crew["leader"],
            approved_on=date(2026, 1, 1),
            detail={"data_subject_category": "witness", "id_number": make_id(seq="413")},
        )
        with pytest.raises(ValidationError):
            services.assessment_create(
                actor=crew["analyst"],
                subject=person,
                ratings=[services.Rating(factor(person, "威胁具体明确"), [rec(crew, other)])],
            )


@pytest.mark.django_db
class TestDecision:
    def test_override_needs_a_reason(self, crew, person):
        ratings = [services.Rating(factor(person, "言语过激"), [rec(crew, person)])]  # 2 → low
        with pytest.raises(ValidationError) as exc:
            services.assessment_create(
                actor=crew["analyst"], subject=person, ratings=ratings, level=2
            )
        assert "override_reason" in exc.value.message_dict
        a = services.assessment_create(
            actor=crew["analyst"],
            subject=person,
            ratings=ratings,
            level=2,
            override_reason="近期多次扬言报复，情绪不稳",
        )
        assert a.level == 2 and a.suggested_level == 1 and a.status == AssessmentStatus.APPROVED
        person.refresh_from_db()
        assert person.risk_level == 2
        assert person.review_due == timezone.localdate() + timedelta(days=90)  # category's 90
        assert person.visit_cycle == 14  # the category's 14 is shorter than medium's 30

    def test_high_needs_the_station_leader(self, crew, person):
        ratings = [
            services.Rating(factor(person, "威胁具体明确"), [rec(crew, person)]),
            services.Rating(factor(person, "具备实施条件"), [rec(crew, person)]),
        ]
        a = services.assessment_create(actor=crew["analyst"], subject=person, ratings=ratings)
        assert a.status == AssessmentStatus.PENDING
        person.refresh_from_db()
        assert person.risk_level == 0  # not in force yet
        with pytest.raises(PermissionDenied):
            services.assessment_decide(actor=crew["officer"], assessment=a, approve=True)
        with pytest.raises(ValidationError):
            services.assessment_decide(actor=crew["leader"], assessment=a, approve=False)
        services.assessment_decide(actor=crew["leader"], assessment=a, approve=True)
        person.refresh_from_db()
        assert person.risk_level == 3 and person.visit_cycle == 14
        assert AuditEvent.objects.filter(action="subject.risk").count() == 1

    def test_only_untested_sources_warned(self, crew, person):
        a = services.assessment_create(
            actor=crew["analyst"],
            subject=person,
            ratings=[services.Rating(factor(person, "言语过激"), [rec(crew, person, "B", "3")])],
        )
        assert a.only_untested
        page = login(Client(), crew["officer"]).get(a.get_absolute_url()).content.decode()
        assert 'data-testid="untested-warning"' in page

    def test_measure_becomes_a_task_in_one_click(self, crew, person):
        a = services.assessment_create(
            actor=crew["analyst"],
            subject=person,
            ratings=[services.Rating(factor(person, "言语过激"), [rec(crew, person)])],
            measures=["每周走访一次", "联系家属稳控"],
        )
        leader = login(Client(), crew["leader"])
        m = a.measures.first()
        response = leader.post(f"/analysis/measures/{m.pk}/task/")
        m.refresh_from_db()
        assert m.task is not None and response["Location"] == m.task.get_absolute_url()
        assert m.task.lead == crew["officer"]

    def test_other_station_cannot_assess_or_see(self, crew, person):
        r = rec(crew, person)
        with pytest.raises(PermissionDenied):
            services.assessment_create(
                actor=crew["other_officer"],
                subject=person,
                ratings=[services.Rating(factor(person, "言语过激"), [r])],
            )
        a = services.assessment_create(
            actor=crew["officer"],
            subject=person,
            ratings=[services.Rating(factor(person, "言语过激"), [r])],
        )
        assert login(Client(), crew["other_officer"]).get(a.get_absolute_url()).status_code == 404

    def test_form_preview_then_sign(self, crew, person):
        r = rec(crew, person)
        f = factor(person, "近期言行升级")
        client = login(Client(), crew["officer"])
        preview = client.post(
            f"/analysis/subjects/{person.pk}/assess/",
            {f"factor_{f.pk}": "1", f"records_{f.pk}": [r.pk], "preview": "1"},
        )
        assert 'data-testid="assess-suggestion"' in preview.content.decode()
        assert not Subject.objects.get(pk=person.pk).assessments.exists()
        saved = client.post(
            f"/analysis/subjects/{person.pk}/assess/",
            {f"factor_{f.pk}": "1", f"records_{f.pk}": [r.pk], "save": "1"},
        )
        assert saved.status_code == 302
        assert Subject.objects.get(pk=person.pk).risk_level == 2  # 4 → medium


@pytest.mark.django_db
def test_dossier_shows_assessments_level_and_open_warnings(crew, person):
    from casebook.analysis import rules

    a = services.assessment_create(
        actor=crew["analyst"],
        subject=person,
        ratings=[services.Rating(factor(person, "言语过激"), [rec(crew, person)])],
    )
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        rules.evaluate()  # 14-day visit cycle: a no-visit warning
        page = login(Client(), crew["officer"]).get(f"/subjects/{person.pk}/").content.decode()
    assert a.get_absolute_url() in page
    assert 'data-testid="assess-subject"' in page
    assert 'data-testid="subject-warnings"' in page
