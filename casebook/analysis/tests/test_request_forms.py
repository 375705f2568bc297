"""The analysis pages read no POST by hand: each goes through a form (types, lengths, choices)
and the one service helper; bad input gives a clear error and writes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from casebook.accounts.roles import Role
from casebook.analysis.models import RiskAssessment, RiskFactor
from casebook.analysis.tests import test_assessments
from casebook.audit.models import AuditEvent
from casebook.subjects.models import Category
from casebook.tracking.models import DeadlineRule
from conftest import login

pytestmark = pytest.mark.django_db
person, rec, factor = test_assessments.person, test_assessments.rec, test_assessments.factor


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def _assess(client, person, data):
    return client.post(f"/analysis/subjects/{person.pk}/assess/", {"save": "1", **data})


@pytest.mark.parametrize(
    "bad",
    [
        {"cite": "other"},  # a record that is not listed for this subject
        {"cite": "x"},
        {"note": "长" * 301},
        {"level": "9"},
        {"override_reason": "x" * 301},
        {"task": "abc"},
    ],
)
def test_assessment_form_refuses_bad_input_and_writes_nothing(crew, person, bad):
    r = rec(crew, person)
    f = factor(person, "近期言行升级")
    data = {f"factor_{f.pk}": "1", f"records_{f.pk}": [r.pk]}
    if bad.get("cite") == "other":
        data[f"records_{f.pk}"] = [r.pk + 1000]
    elif "cite" in bad:
        data[f"records_{f.pk}"] = [bad["cite"]]
    if "note" in bad:
        data[f"note_{f.pk}"] = bad["note"]
    for key in ("level", "override_reason", "task"):
        if key in bad:
            data[key] = bad[key]
    events = AuditEvent.objects.count()
    response = _assess(login(Client(), crew["officer"]), person, data)
    if "task" in bad:  # an unusable task reference is ignored, as an unknown one is
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert response.context["errors"]
    assert 'data-testid="assess-errors"' in response.content.decode()
    assert not RiskAssessment.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="assessment").count() == 0
    assert AuditEvent.objects.count() >= events  # a read event at most


def test_service_refusal_shows_on_the_form(crew, person):
    f = factor(person, "近期言行升级")
    response = _assess(login(Client(), crew["officer"]), person, {f"factor_{f.pk}": "1"})
    assert response.status_code == 200
    assert response.context["errors"]  # "must cite the information records it rests on"
    assert not RiskAssessment.objects.exists()


def test_assessment_form_valid_input_signs(crew, person):
    r = rec(crew, person)
    f = factor(person, "近期言行升级")
    response = _assess(
        login(Client(), crew["officer"]),
        person,
        {f"factor_{f.pk}": "1", f"records_{f.pk}": [r.pk], f"note_{f.pk}": "当面扬言"},
    )
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get()
    assert assessment.factors.get().note == "当面扬言"


def test_other_station_cannot_post_the_assessment(crew, person):
    r = rec(crew, person)
    f = factor(person, "近期言行升级")
    response = _assess(
        login(Client(), crew["other_officer"]),
        person,
        {f"factor_{f.pk}": "1", f"records_{f.pk}": [r.pk]},
    )
    assert response.status_code == 404
    assert not RiskAssessment.objects.exists()


def test_decision_must_be_approve_or_return(crew, person):
    from casebook.analysis import services

    r = rec(crew, person)
    a = services.assessment_create(
        actor=crew["officer"],
        subject=person,
        ratings=[services.Rating(factor(person, "近期言行升级"), [r])],
        level=4,
        override_reason="多次扬言",
    )
    assert a.status == "pending"
    client = login(Client(), crew["leader"])
    response = client.post(f"/analysis/assessments/{a.pk}/decide/", {"decision": "maybe"})
    assert response.status_code == 302 and _errors(response)
    a.refresh_from_db()
    assert a.status == "pending"


def test_factor_form_types_and_limits(org, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    client = login(Client(), admin)
    category = Category.objects.get(code="disaster")
    for data in (
        {"kind": "risk", "name": "甲", "weight": "x"},
        {"kind": "risk", "name": "乙", "weight": "11"},
        {"kind": "danger", "name": "丙", "weight": "2"},
        {"kind": "risk", "name": "长" * 61, "weight": "2"},
    ):
        response = client.post(f"/analysis/categories/{category.pk}/factors/", data)
        assert response.status_code == 302 and _errors(response)
        client = login(Client(), admin)
    assert not RiskFactor.objects.filter(category=category, name__in=["甲", "乙", "丙"]).exists()


def test_deadline_grid_is_saved_whole_or_not_at_all(org, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    client = login(Client(), admin)
    before = sorted(DeadlineRule.objects.values_list("priority", "stage", "hours"))
    response = client.post(
        "/analysis/rules/",
        {"deadlines": "1", "h_urgent_assigned": "5", "h_urgent_collecting": "five"},
    )
    assert response.status_code == 302 and _errors(response)
    assert sorted(DeadlineRule.objects.values_list("priority", "stage", "hours")) == before


def test_warning_decision_is_a_choice(org, crew):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from casebook.analysis import rules
    from casebook.analysis.models import Warning
    from casebook.analysis.tests.test_rules_and_dashboards import person as make_person

    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        make_person(org, crew, "预警人", seq="622")
    with time_machine.travel(timezone.now() + timedelta(days=80), tick=False):
        rules.evaluate()
    warning = Warning.objects.filter(rule__code="no_visit").get()
    client = login(Client(), crew["leader"])
    response = client.post(
        f"/analysis/warnings/{warning.pk}/handle/",
        {"decision": "delete", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and _errors(response)
    assert "evil" not in response["Location"]
    warning.refresh_from_db()
    assert warning.status == "open"
