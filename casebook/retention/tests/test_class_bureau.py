"""Retention classes belong to a bureau (issues #12 and #14): bureau O's security administrator
neither lists nor opens nor changes bureau T's classes (404, nothing shown, nothing written);
a change in one bureau leaves the other's periods as they were; a subject's retention period
comes from its own bureau's class; a new bureau gets the shipped classes; the data migration
gives classes that existed before bureaus to every bureau."""

from datetime import datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create
from casebook.audit.models import AuditEvent
from casebook.core.choices import UnitKind
from casebook.retention import services
from casebook.retention.models import RetentionClass, RetentionClock
from casebook.subjects.category_services import category_save, install_shipped
from casebook.subjects.choices import Status
from casebook.subjects.models import Category
from casebook.subjects.services import subject_set_status
from casebook.testing.factories import PersonFactory
from conftest import login

TZ = ZoneInfo("Asia/Shanghai")
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
SHIPPED = {"monitoring", "short", "standard", "long"}


@pytest.fixture
def two(org, make_user):
    install_shipped(org["other_bureau"])  # O's categories (T, the first bureau, took the shipped)
    return {
        "security_t": make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="甲局安全员"),
        "security_o": make_user(Role.SECURITY_ADMIN, org["other_bureau"], real_name="乙局安全员"),
        "leader_c": make_user(Role.STATION_LEADER, org["c"], real_name="丙所所长"),
    }


def klass(bureau, code="standard") -> RetentionClass:
    return RetentionClass.objects.get(bureau=bureau, code=code)


def en(user) -> Client:
    client = login(Client(), user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.django_db
def test_every_bureau_has_its_own_classes_and_a_new_one_gets_the_shipped(org):
    assert not RetentionClass.objects.filter(bureau__isnull=True).exists()
    for bureau in (org["bureau"], org["other_bureau"]):
        codes = set(RetentionClass.objects.filter(bureau=bureau).values_list("code", flat=True))
        assert codes == SHIPPED
    assert klass(org["bureau"]).pk != klass(org["other_bureau"]).pk
    later = unit_create(actor=None, kind=UnitKind.BUREAU, name="第三市公安局", code="X")
    assert set(RetentionClass.objects.filter(bureau=later).values_list("code", flat=True)) == (
        SHIPPED
    )


@pytest.mark.django_db
def test_another_bureaus_administrator_neither_sees_nor_changes_a_class(org, two):
    mine = klass(org["bureau"])
    RetentionClass.objects.filter(pk=mine.pk).update(
        name="甲局专用标准期限", name_en="T-only standard period", days=1111
    )
    client_o = en(two["security_o"])
    page = client_o.get("/retention/").content.decode()
    assert "T-only standard" not in page and "1111" not in page
    assert klass(org["other_bureau"]).name_en in page  # O's own classes are listed
    response = client_o.post(f"/retention/classes/{mine.pk}/", {"days": "400"})
    assert response.status_code == 404
    assert klass(org["bureau"]).days == 1111
    assert not AuditEvent.objects.filter(action="retention.configure").exists()
    # the services refuse it too, whatever the caller
    with pytest.raises(PermissionDenied):
        services.retention_class_update(actor=two["security_o"], retention_class=mine, days=400)
    spare = services.retention_class_create(
        actor=two["security_t"], code="spare", name="备用", name_en="Spare", days=400
    )
    with pytest.raises(PermissionDenied):
        services.retention_class_delete(actor=two["security_o"], retention_class=spare)
    assert RetentionClass.objects.filter(pk=spare.pk).exists()
    # a station leader of O reads O's classes on the page, not T's
    leader_page = en(two["leader_c"]).get("/retention/").content.decode()
    assert "T-only standard" not in leader_page and "Spare" not in leader_page
    assert klass(org["other_bureau"]).name_en in leader_page
    # T's own administrator changes it
    response = en(two["security_t"]).post(f"/retention/classes/{mine.pk}/", {"days": "400"})
    assert response.status_code == 302
    assert klass(org["bureau"]).days == 400


@pytest.mark.django_db
def test_a_change_in_one_bureau_leaves_the_others_unchanged_and_is_audited(org, two):
    before = {c.pk: c.days for c in RetentionClass.objects.filter(bureau=org["other_bureau"])}
    client_t = en(two["security_t"])
    response = client_t.post(f"/retention/classes/{klass(org['bureau']).pk}/", {"days": "730"})
    assert response.status_code == 302
    assert klass(org["bureau"]).days == 730
    after = {c.pk: c.days for c in RetentionClass.objects.filter(bureau=org["other_bureau"])}
    assert after == before
    event = AuditEvent.objects.get(action="retention.configure")
    assert event.actor_id == two["security_t"].pk
    assert event.object_id == str(klass(org["bureau"]).pk)
    assert event.details["bureau"] == org["bureau"].pk
    assert event.details["days"] == {"from": 1825, "to": 730}
    # a class added by T is T's alone: O's categories cannot name it, O may add the same code
    client_t.post(
        "/retention/classes/new/",
        {"code": "juvenile", "name": "未成年人", "name_en": "Juveniles", "days": "1095"},
    )
    assert klass(org["bureau"], "juvenile").days == 1095
    assert not RetentionClass.objects.filter(bureau=org["other_bureau"], code="juvenile").exists()
    category_o = Category.objects.get(bureau=org["other_bureau"], code="prior_offender")
    category_o.retention_class = "juvenile"
    with pytest.raises(ValidationError) as exc:
        category_o.full_clean()
    assert "retention_class" in exc.value.message_dict
    services.retention_class_create(
        actor=two["security_o"], code="juvenile", name="乙局未成年人", name_en="J", days=2000
    )
    assert klass(org["bureau"], "juvenile").days == 1095
    category_o.full_clean()  # now O has its own


@pytest.mark.django_db
def test_a_subjects_retention_comes_from_its_own_bureaus_class(org, two, crew):
    # both bureaus' categories "prior_offender" name the same code; the periods differ
    code = Category.objects.get(bureau=org["bureau"], code="prior_offender").retention_class
    other = Category.objects.get(bureau=org["other_bureau"], code="prior_offender")
    assert other.retention_class == code
    RetentionClass.objects.filter(bureau=org["bureau"], code=code).update(days=400)
    RetentionClass.objects.filter(bureau=org["other_bureau"], code=code).update(days=2000)
    person_t = PersonFactory(actor=crew["leader"])
    person_o = PersonFactory(actor=two["leader_c"])
    with time_machine.travel(DAY0, tick=False):
        for person, leader in ((person_t, crew["leader"]), (person_o, two["leader_c"])):
            subject_set_status(actor=leader, subject=person, status=Status.CLOSED, reason="结案")
        services.review_run()
    clock_t = RetentionClock.objects.get(subject=person_t)
    clock_o = RetentionClock.objects.get(subject=person_o)
    assert clock_t.retain_until == DAY0.date() + timedelta(days=400)
    assert clock_o.retain_until == DAY0.date() + timedelta(days=2000)
    # the dossier's label is the subject's own bureau's class
    RetentionClass.objects.filter(bureau=org["other_bureau"], code=code).update(
        name="乙局标准", name_en="O standard"
    )
    assert person_o.category.get_retention_class_display() in {"乙局标准", "O standard"}
    assert person_t.category.get_retention_class_display() not in {"乙局标准", "O standard"}


@pytest.mark.django_db
def test_the_category_form_offers_only_the_own_bureaus_classes(org, two, make_user):
    services.retention_class_create(
        actor=two["security_t"], code="juvenile", name="甲局未成年人", name_en="J", days=1095
    )
    admin_o = make_user(Role.SYSTEM_ADMIN, org["other_bureau"])
    page = login(Client(), admin_o).get("/subjects/categories/new/").content.decode()
    assert "甲局未成年人" not in page and 'value="standard"' in page
    admin_t = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    assert (
        "甲局未成年人" in login(Client(), admin_t).get("/subjects/categories/new/").content.decode()
    )
    # and the service refuses another bureau's class whatever is posted
    with pytest.raises(ValidationError):
        category_save(
            actor=admin_o,
            category=Category(),
            code="juvenile_watch",
            kind="person",
            name="未成年帮教对象",
            name_en="Juvenile",
            legal_basis="《中华人民共和国预防未成年人犯罪法》第四十一条",
            review_cycle_days=180,
            visit_cycle_days=30,
            retention_class="juvenile",
            impact_assessment="限于帮教职责。",
            is_active=True,
        )
    assert not Category.objects.filter(bureau=org["other_bureau"], code="juvenile_watch").exists()


@pytest.mark.django_db
def test_the_data_migration_gives_every_bureau_a_copy(org):
    """Classes that existed before bureaus owned them (unowned) go to the first bureau, and
    every other bureau gets a copy with the same code and period; rows already owned stay."""
    migration = import_module("casebook.retention.migrations.0005_retention_classes_of_bureaus")
    RetentionClass.objects.filter(bureau=org["other_bureau"]).delete()
    RetentionClass.objects.filter(bureau=org["bureau"]).update(bureau=None)
    RetentionClass.objects.filter(bureau__isnull=True, code="long").update(days=4000)
    migration.forwards(apps, None)
    assert not RetentionClass.objects.filter(bureau__isnull=True).exists()
    for bureau in (org["bureau"], org["other_bureau"]):
        assert klass(bureau, "long").days == 4000
        assert (
            set(RetentionClass.objects.filter(bureau=bureau).values_list("code", flat=True))
            == SHIPPED
        )
    migration.forwards(apps, None)  # nothing left to move: no duplicate
    assert RetentionClass.objects.filter(code="long").count() == 2
