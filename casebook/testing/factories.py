"""Factories that make test data THROUGH THE SERVICES, so every row a test sees was validated,
permission-checked and audited the way the application would have done it.

factory-boy supplies the defaults and sequences; each factory's ``_create`` calls the service
(``unit_create``, ``user_create``, ``subject_create``, ``task_create``, ``record_create``) instead
of saving a model. ``Factory.build()`` is not supported: a row that skipped its service is not a
row the application could hold.

    station = StationFactory(parent=bureau)
    leader = UserFactory(role=Role.STATION_LEADER, unit=station)
    person = PersonFactory(actor=leader)           # a valid GB 11643 ID number each time
    task = TaskFactory(actor=leader, subjects=[person], lead=officer)
    record = RecordFactory(actor=officer, subjects=[person])
"""

from datetime import date, timedelta

import factory
from django.utils import timezone
from stdnum.cn import ric

from casebook.accounts.models import User
from casebook.accounts.roles import Role
from casebook.accounts.services import unit_create, user_create
from casebook.core.choices import Classification, UnitKind
from casebook.core.models import Unit
from casebook.intel.models import InformationRecord
from casebook.intel.services import record_create
from casebook.subjects.models import Category, Subject
from casebook.subjects.services import subject_create
from casebook.tracking.models import Task
from casebook.tracking.services import task_create

#: The password of every factory-made account (the shared fixtures log in with it).
PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def make_id(region: str = "330106", born: str = "19850317", seq: str = "123") -> str:
    """A valid 18-digit resident ID number (GB 11643: region, birth date, sequence, check)."""
    body = f"{region}{born}{seq}"
    return body + ric.calc_check_digit(body + "0")


def id_number_for(n: int) -> str:
    """A distinct valid ID number for each n (birth dates walk back from 1990-01-01)."""
    born = date(1990, 1, 1) - timedelta(days=n // 1000)
    return make_id(born=born.strftime("%Y%m%d"), seq=f"{n % 1000:03d}")


class ServiceFactory(factory.Factory):
    """Base: subclasses implement ``_create`` with a service call."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Factories create through the services; use create().")


# --- organisation and accounts ----------------------------------------------------------------


class UnitFactory(ServiceFactory):
    """A unit; by default a bureau. ``StationFactory``/``AreaFactory`` for the levels below."""

    class Meta:
        model = Unit

    kind = UnitKind.BUREAU
    name = factory.Sequence(lambda n: f"测试{n}市公安局")
    code = factory.Sequence(lambda n: f"F{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return unit_create(actor=None, **kwargs)


class StationFactory(UnitFactory):
    kind = UnitKind.STATION
    name = factory.Sequence(lambda n: f"测试{n}派出所")
    code = factory.Sequence(lambda n: f"F{n}S")
    parent = factory.SubFactory(UnitFactory)


class AreaFactory(UnitFactory):
    kind = UnitKind.AREA
    name = factory.Sequence(lambda n: f"测试{n}社区")
    code = factory.Sequence(lambda n: f"F{n}A")
    parent = factory.SubFactory(StationFactory)


class UserFactory(ServiceFactory):
    """An account with one role (``role=``) or several (``roles=``), made by ``user_create``
    as the installer would. Officers by default, in a new station unless ``unit`` is given."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"8{n:05d}")
    real_name = factory.Sequence(lambda n: f"测试民警{n}")
    unit = factory.SubFactory(StationFactory)
    password = PASSWORD
    role = Role.TRACKING_OFFICER
    roles = None
    clearance = Classification.CONFIDENTIAL
    compartments = ()

    @classmethod
    def _create(cls, model_class, *, role, roles, **kwargs):
        if roles is None:
            roles = {role} if role else set()
        return user_create(actor=None, roles=set(roles), **kwargs)


# --- subjects ---------------------------------------------------------------------------------


def _leader_of(station) -> User:
    """The first station leader of a station, made if there is none (the default approver)."""
    leader = (
        User.objects.filter(unit=station, roles__role=Role.STATION_LEADER, is_active=True)
        .order_by("pk")
        .first()
    )
    return leader or UserFactory(role=Role.STATION_LEADER, unit=station)


class SubjectFactory(ServiceFactory):
    """Base of the three subject kinds: ``subject_create`` with a legal basis and an approver.

    ``actor`` defaults to the station's leader (made if missing); pass the officer who creates
    it to test their rights. ``station`` defaults to the actor's unit."""

    class Meta:
        model = Subject
        abstract = True

    actor = None
    station = None
    kind = None
    category_code = None
    legal_basis_ref = "城公(治)字〔2026〕1号"
    approved_by = None
    approved_on = date(2026, 1, 5)
    officers = ()
    classification = Classification.INTERNAL
    compartments = ()
    notes = ""
    detail = None

    @classmethod
    def _create(cls, model_class, *, actor, station, category_code, approved_by, **kwargs):
        if station is None:
            station = actor.unit if actor is not None else StationFactory()
        actor = actor or _leader_of(station)
        return subject_create(
            actor=actor,
            station=station,
            category=Category.objects.get(code=category_code, bureau=station.parent_id),
            approved_by=approved_by or _leader_of(station),
            **kwargs,
        )


class PersonFactory(SubjectFactory):
    kind = "person"
    category_code = "prior_offender"
    name = factory.Sequence(lambda n: f"张{n}")
    detail = factory.Sequence(
        lambda n: {
            "data_subject_category": "convicted",
            "id_number": id_number_for(n),
            "phones": f"139{n:08d}",
            "current_address": f"江州市城关区解放路{n}号",
        }
    )


class PlaceFactory(SubjectFactory):
    kind = "place"
    category_code = "entertainment_venue"
    name = factory.Sequence(lambda n: f"金色年华{n}号KTV")
    detail = factory.Sequence(
        lambda n: {"address": f"江州市城关区人民路{n}号", "licence_numbers": f"娱经许字{n:06d}号"}
    )


class IncidentFactory(SubjectFactory):
    kind = "incident"
    category_code = "mass_incident"
    name = factory.Sequence(lambda n: f"聚集事件{n}")
    detail = factory.LazyFunction(
        lambda: {
            "incident_type": "聚集",
            "location": "人民广场",
            "started_at": timezone.now() - timedelta(hours=2),
            "incident_status": "ongoing",
        }
    )


# --- tracking and information -----------------------------------------------------------------


class TaskFactory(ServiceFactory):
    """A tracking task assigned by ``actor`` (the station leader by default) to ``lead`` (the
    first officer of the first subject by default) about ``subjects`` (required)."""

    class Meta:
        model = Task

    actor = None
    subjects = ()
    lead = None
    title = factory.Sequence(lambda n: f"走访核查{n}")
    priority = "normal"
    instructions = ""
    team = ()

    @classmethod
    def _create(cls, model_class, *, actor, subjects, lead, **kwargs):
        subjects = list(subjects)
        if not subjects:
            raise ValueError("TaskFactory needs subjects=[...]")
        station = subjects[0].station
        lead = lead or subjects[0].officers.order_by("pk").first()
        return task_create(
            actor=actor or _leader_of(station),
            station=station,
            lead=lead,
            subjects=subjects,
            **kwargs,
        )


class RecordFactory(ServiceFactory):
    """An information record (graded fact) by ``actor`` (an officer of the owning station) about
    ``subjects`` (required)."""

    class Meta:
        model = InformationRecord

    actor = None
    subjects = ()
    method = "collection"
    channel = "community_police"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    content = factory.Sequence(lambda n: f"走访见本人在家（第{n}次）")
    source_evaluation = "B"
    info_assessment = "2"

    @classmethod
    def _create(cls, model_class, *, actor, subjects, **kwargs):
        subjects = list(subjects)
        if not subjects:
            raise ValueError("RecordFactory needs subjects=[...]")
        actor = actor or subjects[0].officers.order_by("pk").first()
        return record_create(actor=actor, subjects=subjects, **kwargs)
