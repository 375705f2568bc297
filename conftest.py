"""Fixtures shared by every test: a small bureau, users of every role, logged-in clients."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts import authflow
from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.accounts.services import mfa_required, unit_create, user_create
from casebook.audit.labels import register_action
from casebook.core.choices import Classification, UnitKind

# Action codes that only tests write (the audit registry refuses undeclared codes).
for _code in ("test.event", "test.warm", "test.read", "test.after_rotation", "test.after_prune"):
    register_action(_code, _code)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def org(db):
    """A bureau with two stations (A and B); A has one community area."""
    bureau = unit_create(actor=None, kind=UnitKind.BUREAU, name="测试市公安局", code="T")
    a = unit_create(actor=None, kind=UnitKind.STATION, name="甲派出所", code="TA", parent=bureau)
    b = unit_create(actor=None, kind=UnitKind.STATION, name="乙派出所", code="TB", parent=bureau)
    area = unit_create(actor=None, kind=UnitKind.AREA, name="甲一社区", code="TA-1", parent=a)
    other = unit_create(actor=None, kind=UnitKind.BUREAU, name="他市公安局", code="O")
    c = unit_create(actor=None, kind=UnitKind.STATION, name="丙派出所", code="OC", parent=other)
    return {"bureau": bureau, "a": a, "b": b, "area": area, "other_bureau": other, "c": c}


@pytest.fixture
def make_user(org):
    counter = {"n": 0}

    def make(
        role: str | None = Role.TRACKING_OFFICER,
        unit=None,
        *,
        clearance=Classification.CONFIDENTIAL,
        compartments=(),
        username=None,
        password=PASSWORD,
        **extra,
    ):
        counter["n"] += 1
        roles = {role} if isinstance(role, str) else set(role or ())
        return user_create(
            actor=None,
            username=username or f"9{counter['n']:05d}",
            real_name=extra.pop("real_name", f"测试{counter['n']}"),
            unit=unit or org["a"],
            password=password,
            roles=roles,
            clearance=clearance,
            compartments=compartments,
            **extra,
        )

    return make


def second_factor(user) -> TOTPDevice:
    """A confirmed TOTP device for the user (what enrolment leaves behind)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    return device


def login(client: Client, user) -> Client:
    """Log a user in the way the login flow would, second factor included where required."""
    client.force_login(user)
    session = client.session
    import time

    now = time.time()
    session[authflow.LOGIN_AT] = now
    session[authflow.LAST_SEEN] = now
    session[authflow.AUTH_AT] = now
    if mfa_required(user):
        session["otp_device_id"] = second_factor(user).persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(make_user):
    """client_for(role, unit=None, **kw) -> (client, user), logged in."""

    def make(role=Role.TRACKING_OFFICER, unit=None, **kwargs):
        user = make_user(role, unit, **kwargs)
        return login(Client(), user), user

    return make


#: The shared crew: key -> (role, unit of ``org``, real name, extra fields). Each member has one
#: name everywhere, so a test may assert on it. Everyone is created for every test that asks for
#: ``crew`` (notifications reach whoever exists, so tests see the same station each time).
CREW = {
    "leader": (
        Role.STATION_LEADER,
        "a",
        "李所长",
        {"email": "li@test.cn", "phone": "13900000001"},
    ),
    "officer": (Role.TRACKING_OFFICER, "a", "王民警", {}),
    "colleague": (Role.TRACKING_OFFICER, "a", "民警乙", {}),
    "handler": (Role.TRACKING_OFFICER, "a", "民警甲", {}),
    "analyst": (Role.ANALYST, "a", "陈研判", {}),
    "cleared_analyst": (Role.ANALYST, "a", "分析员二", {}),
    "other_officer": (Role.TRACKING_OFFICER, "b", "民警丙", {}),
    "other_cleared": (Role.TRACKING_OFFICER, "b", "民警丁", {}),
    "other_leader": (Role.STATION_LEADER, "b", "乙所长", {}),
    "bureau": (Role.BUREAU_LEADER, "bureau", "局长", {"email": "j@test.cn"}),
    "supervisor": (Role.SUPERVISOR, "bureau", "督察", {}),
    "admin": (Role.SYSTEM_ADMIN, "bureau", "管理员", {}),
    "auditor": (Role.AUDIT_ADMIN, "bureau", "审计员", {}),
}


@pytest.fixture
def crew_compartments(db) -> dict[str, list[Compartment]]:
    """Compartments held by crew members: none by default. A module whose tests need cleared
    members overrides this fixture, e.g. ``{"leader": [Compartment.objects.get(code=...)]}``."""
    return {}


@pytest.fixture
def crew(org, make_user, crew_compartments):
    """Station A's leader, officers and analysts, station B's, and the bureau's (see ``CREW``)."""
    unknown = set(crew_compartments) - set(CREW)
    assert not unknown, f"crew_compartments names unknown members: {unknown}"
    return {
        key: make_user(
            role,
            org[unit],
            real_name=real_name,
            compartments=crew_compartments.get(key, ()),
            **extra,
        )
        for key, (role, unit, real_name, extra) in CREW.items()
    }
