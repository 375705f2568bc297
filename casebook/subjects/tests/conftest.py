"""Fixtures for subjects: a leader and officers in station A and B, and a subject factory."""

from datetime import date

import pytest
from stdnum.cn import ric

from casebook.accounts.roles import Role
from casebook.subjects import services
from casebook.subjects.models import Category


def make_id(region="330106", born="19850317", seq="123") -> str:
    body = f"{region}{born}{seq}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def people(org, make_user):
    return {
        "leader_a": make_user(Role.STATION_LEADER, org["a"], real_name="甲所长"),
        "officer_a": make_user(Role.TRACKING_OFFICER, org["a"], real_name="甲民警"),
        "officer_a2": make_user(Role.TRACKING_OFFICER, org["a"], real_name="甲民警二"),
        "leader_b": make_user(Role.STATION_LEADER, org["b"], real_name="乙所长"),
        "officer_b": make_user(Role.TRACKING_OFFICER, org["b"], real_name="乙民警"),
        "bureau": make_user(Role.BUREAU_LEADER, org["bureau"], real_name="局领导"),
        "sysadmin": make_user(Role.SYSTEM_ADMIN, org["bureau"], real_name="系统管理员"),
    }


@pytest.fixture
def make_person(org, people):
    def make(name="张三丰", *, station="a", actor=None, id_number=None, officers=None, **extra):
        actor = actor or people[f"leader_{station}"]
        detail = {
            "data_subject_category": "convicted",
            "aliases": extra.pop("aliases", ""),
            "id_number": id_number if id_number is not None else make_id(),
            "phones": extra.pop("phones", "13905710001"),
            "current_address": "江州市城关区解放路1号",
        }
        return services.subject_create(
            actor=actor,
            kind="person",
            category=Category.objects.get(code="prior_offender"),
            name=name,
            station=org[station],
            legal_basis_ref="城公(治)字〔2026〕1号",
            approved_by=people[f"leader_{station}"],
            approved_on=date(2026, 1, 5),
            officers=officers,
            detail=detail,
            **extra,
        )

    return make


@pytest.fixture
def make_place(org, people):
    def make(name="金色年华KTV", *, station="a", licence="娱经许字123456号", **detail):
        return services.subject_create(
            actor=people[f"leader_{station}"],
            kind="place",
            category=Category.objects.get(code="entertainment_venue"),
            name=name,
            station=org[station],
            legal_basis_ref="《娱乐场所管理条例》",
            approved_by=people[f"leader_{station}"],
            approved_on=date(2026, 1, 5),
            detail={
                "address": detail.pop("address", "江州市城关区人民路8号"),
                "licence_numbers": licence,
                **detail,
            },
        )

    return make
