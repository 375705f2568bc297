"""Configuration belongs to a bureau (issue #12): categories with their checklists and risk
factors, warning rules, deadline rules and role policies. Bureau O's administrators neither list
nor open nor change bureau T's configuration (404, never listed); T's stations use only T's
categories and rules; the warning rules, deadlines and two-factor policy of one bureau never
act on another's."""

from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.models import RolePolicy
from casebook.accounts.roles import Role
from casebook.accounts.selectors import mfa_required
from casebook.accounts.services import api_token_create, role_policy_set, unit_create
from casebook.analysis import rules
from casebook.analysis.models import RiskFactor, Warning, WarningRule
from casebook.core.choices import UnitKind
from casebook.subjects.category_services import category_save, install_shipped
from casebook.subjects.models import Category, ChecklistItem, Subject
from casebook.subjects.services import subject_create
from casebook.testing.factories import AreaFactory, PersonFactory, UserFactory, id_number_for
from casebook.tracking.models import DeadlineRule
from casebook.tracking.services import default_deadlines
from conftest import login


@pytest.fixture
def two(org, make_user):
    """Bureau T (the first: it took the shipped configuration) and bureau O, which gets the
    shipped categories too, and each bureau's administrators."""
    install_shipped(org["other_bureau"])
    for category in Category.objects.filter(bureau=org["other_bureau"], code="drug_involved"):
        RiskFactor.objects.create(
            category=category, kind="risk", name="他局风险", name_en="O risk", weight=2
        )
    return {
        "admin_t": make_user(Role.SYSTEM_ADMIN, org["bureau"]),
        "admin_o": make_user(Role.SYSTEM_ADMIN, org["other_bureau"]),
        "security_t": make_user(Role.SECURITY_ADMIN, org["bureau"]),
        "security_o": make_user(Role.SECURITY_ADMIN, org["other_bureau"]),
    }


def t_category(org, code="drug_involved"):
    return Category.objects.get(bureau=org["bureau"], code=code)


@pytest.mark.django_db
def test_the_first_bureau_takes_the_shipped_configuration_and_a_later_one_gets_rule_switches(org):
    assert not Category.objects.filter(bureau__isnull=True).exists()
    assert not WarningRule.objects.filter(bureau__isnull=True).exists()
    assert Category.objects.filter(bureau=org["bureau"]).count() >= 8
    assert not Category.objects.filter(bureau=org["other_bureau"]).exists()
    # every bureau has every shipped warning rule, each its own row
    for bureau in (org["bureau"], org["other_bureau"]):
        assert set(WarningRule.objects.filter(bureau=bureau).values_list("code", flat=True)) == set(
            rules.RULES
        )
    later = unit_create(actor=None, kind=UnitKind.BUREAU, name="第三市公安局", code="X")
    assert WarningRule.objects.filter(bureau=later).count() == len(rules.RULES)
    assert not DeadlineRule.objects.filter(bureau=later).exists()  # the defaults apply


@pytest.mark.django_db
def test_category_pages_list_and_open_only_the_own_bureau(org, two):
    client_o = login(Client(), two["admin_o"])
    category = t_category(org, "entertainment_venue")
    Category.objects.filter(pk=category.pk).update(name="甲局娱乐场所")
    listing = client_o.get("/subjects/categories/").content.decode()
    assert "甲局娱乐场所" not in listing
    assert Category.objects.get(bureau=org["other_bureau"], code="drug_involved").name in listing
    assert client_o.get(f"/subjects/categories/{category.pk}/").status_code == 404
    before = Category.objects.get(pk=category.pk).legal_basis
    post = client_o.post(
        f"/subjects/categories/{category.pk}/",
        {"kind": "place", "name": "改", "name_en": "x", "legal_basis": "改", "is_active": "on"},
    )
    assert post.status_code == 404
    assert Category.objects.get(pk=category.pk).legal_basis == before
    item = ChecklistItem.objects.filter(category=category).first()
    n_items = ChecklistItem.objects.filter(category=category).count()
    assert (
        client_o.post(
            f"/subjects/categories/{category.pk}/checklist/", {"section": "a", "text": "b"}
        ).status_code
        == 404
    )
    assert (
        client_o.post(f"/subjects/categories/{category.pk}/checklist/{item.pk}/retire/").status_code
        == 404
    )
    assert ChecklistItem.objects.filter(category=category, is_active=True).count() == n_items
    # T's own administrator still opens it
    assert (
        login(Client(), two["admin_t"]).get(f"/subjects/categories/{category.pk}/").status_code
        == 200
    )


@pytest.mark.django_db
def test_risk_factors_of_another_bureau_answer_404(org, two):
    client_o = login(Client(), two["admin_o"])
    category = t_category(org)
    factor = RiskFactor.objects.filter(category=category, is_active=True).first()
    n = RiskFactor.objects.count()
    response = client_o.post(
        f"/analysis/categories/{category.pk}/factors/",
        {"kind": "risk", "name": "越权", "name_en": "x", "weight": "3"},
    )
    assert response.status_code == 404 and RiskFactor.objects.count() == n
    assert client_o.post(f"/analysis/factors/{factor.pk}/retire/").status_code == 404
    factor.refresh_from_db()
    assert factor.is_active


@pytest.mark.django_db
def test_services_refuse_another_bureaus_configuration(org, two):
    category = t_category(org)
    with pytest.raises(PermissionDenied):
        category_save(actor=two["admin_o"], category=category, name="改名")
    created = category_save(
        actor=two["admin_o"],
        category=Category(),
        code="o_only",
        kind="person",
        name="他局类别",
        name_en="O only",
        legal_basis="《中华人民共和国治安管理处罚法》第二条",
        review_cycle_days=180,
        visit_cycle_days=90,
        retention_class="standard",
        is_active=False,
    )
    assert created.bureau == org["other_bureau"]


@pytest.mark.django_db
def test_warning_rule_and_deadline_pages_change_only_the_own_bureau(org, two):
    client_o = login(Client(), two["admin_o"])
    page = client_o.get("/analysis/rules/")
    assert page.status_code == 200
    assert page.context["rules"].count() == len(rules.RULES)
    client_o.post("/analysis/rules/", {"code": "no_visit"})  # switch it off
    assert not WarningRule.objects.get(bureau=org["other_bureau"], code="no_visit").enabled
    assert WarningRule.objects.get(bureau=org["bureau"], code="no_visit").enabled
    client_o.post("/analysis/rules/", {"deadlines": "1", "h_urgent_assigned": "1"})
    assert (
        DeadlineRule.objects.get(
            bureau=org["other_bureau"], priority="urgent", stage="assigned"
        ).hours
        == 1
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        own = default_deadlines("urgent", station=org["c"])
        other = default_deadlines("urgent", station=org["a"])
    assert own["assigned"] == start + timedelta(hours=1)
    assert other["assigned"] != start + timedelta(hours=1)


@pytest.mark.django_db
def test_warning_rules_act_per_bureau(org, two, crew):
    """T switched ``no_visit`` off, O kept it: only O's never-visited person is warned."""
    WarningRule.objects.filter(bureau=org["bureau"], code="no_visit").update(enabled=False)
    leader_o = UserFactory(role=Role.STATION_LEADER, unit=org["c"])
    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        approved = timezone.localdate() - timedelta(days=1)
        person_t = PersonFactory(actor=crew["leader"], approved_on=approved)
        person_o = PersonFactory(actor=leader_o, approved_on=approved)
    rules.evaluate()
    warned = set(Warning.objects.filter(rule__code="no_visit").values_list("subject_id", flat=True))
    assert person_o.pk in warned and person_t.pk not in warned
    rule = Warning.objects.get(subject=person_o, rule__code="no_visit").rule
    assert rule.bureau_id == org["other_bureau"].pk


@pytest.mark.django_db
def test_a_station_uses_only_its_own_bureaus_categories(org, two, crew):
    o_category = Category.objects.get(bureau=org["other_bureau"], code="prior_offender")
    with pytest.raises(ValidationError) as exc:
        _create_with(crew["leader"], org["a"], o_category)
    assert "category" in exc.value.message_dict
    assert not Subject.objects.filter(category=o_category).exists()
    # the registration form offers only the station's bureau's categories
    page = login(Client(), crew["leader"]).get("/subjects/new/person/")
    offered = set(page.context["form"].fields["category"].queryset.values_list("bureau", flat=True))
    assert offered == {org["bureau"].pk}


def _create_with(leader, station, category):
    return subject_create(
        actor=leader,
        kind="person",
        category=category,
        name="越局",
        station=station,
        legal_basis_ref="依据",
        approved_by=leader,
        approved_on=timezone.localdate(),
        detail={"data_subject_category": "suspect", "id_number": id_number_for(9001)},
    )


@pytest.mark.django_db
def test_role_policy_is_per_bureau(org, two, make_user):
    officer_t = make_user(Role.TRACKING_OFFICER, org["a"])
    officer_o = make_user(Role.TRACKING_OFFICER, org["c"])
    assert not mfa_required(officer_t) and not mfa_required(officer_o)
    role_policy_set(actor=two["security_o"], role=Role.TRACKING_OFFICER, mfa_required=True)
    assert mfa_required(officer_o) and not mfa_required(officer_t)
    assert RolePolicy.objects.get(
        bureau=org["other_bureau"], role=Role.TRACKING_OFFICER
    ).mfa_required
    # the security page of T shows T's policy
    page = login(Client(), two["security_t"]).get(reverse("accounts:security"))
    rows = {role: required for role, _label, required in page.context["rows"]}
    assert rows[Role.TRACKING_OFFICER] is False


@pytest.mark.django_db
def test_role_policy_reaches_the_bureau_its_stations_and_their_areas(org, two, make_user):
    """The bureau above a user's unit is found in one query (no walk up Unit.parent): the
    policy of O holds for a user of O itself, of its station and of an area of that station,
    and for no one of T."""
    role_policy_set(actor=two["security_o"], role=Role.TRACKING_OFFICER, mfa_required=True)
    area_o = AreaFactory(parent=org["c"])
    of_o = [
        make_user(Role.TRACKING_OFFICER, unit) for unit in (org["other_bureau"], org["c"], area_o)
    ]
    of_t = [make_user(Role.TRACKING_OFFICER, unit) for unit in (org["bureau"], org["a"])]
    for user in of_o + of_t:
        user = type(user).objects.get(pk=user.pk)  # nothing cached
        with CaptureQueriesContext(connection) as queries:
            required = mfa_required(user)
        assert required is (user in of_o)
        assert not any("core_unit" in q["sql"].split(" WHERE ")[0] for q in queries), queries


@pytest.mark.django_db
def test_api_category_code_names_the_callers_own_bureaus_category(org, two, crew):
    """O's category ``o_api`` does not exist for T's officer: 400, nothing created."""
    Category.objects.create(
        bureau=org["other_bureau"],
        code="o_api",
        kind="person",
        name="他局",
        name_en="o",
        legal_basis="依据",
    )
    officer = crew["officer"]
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    _token, key = api_token_create(actor=officer, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    n = Subject.objects.count()
    response = client.post(
        "/api/v1/subjects/",
        {
            "kind": "person",
            "category": "o_api",
            "name": "越局",
            "legal_basis_ref": "依据",
            "approved_by": crew["leader"].username,
            "approved_on": timezone.localdate().isoformat(),
            "person": {"data_subject_category": "suspect"},
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "category" in response.json().get(
        "errors", response.json()
    )
    assert Subject.objects.count() == n


@pytest.mark.django_db
def test_migration_gives_each_existing_bureau_its_configuration(org, crew, make_user):
    """Rows from before (no bureau) with two bureaus: the first keeps them, the second gets a
    copy, and what its stations use moves to the copy."""
    migration = import_module("casebook.analysis.migrations.0006_configuration_of_bureaus")
    leader_o = make_user(Role.STATION_LEADER, org["c"])
    install_shipped(org["other_bureau"])
    person_o = _create_with(
        leader_o, org["c"], Category.objects.get(bureau=org["other_bureau"], code="prior_offender")
    )
    # back to the state before bureaus owned configuration: one unowned row used by both
    old = Category.objects.get(bureau=org["bureau"], code="prior_offender")
    Subject.objects.filter(pk=person_o.pk).update(category=old)
    Category.objects.filter(bureau=org["other_bureau"]).delete()
    Category.objects.filter(pk=old.pk).update(bureau=None)
    migration.forwards(apps, None)
    old.refresh_from_db()
    assert old.bureau == org["bureau"]
    copy = Category.objects.get(bureau=org["other_bureau"], code="prior_offender")
    assert Subject.objects.get(pk=person_o.pk).category == copy
    assert copy.risk_factors.count() == old.risk_factors.count() > 0
