"""The test factories write through the services: audited, validated, permission-checked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.cn import ric

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.core.choices import UnitKind
from casebook.intel.models import InformationRecord
from casebook.subjects.models import Subject
from casebook.testing.factories import (
    IncidentFactory,
    PersonFactory,
    PlaceFactory,
    RecordFactory,
    StationFactory,
    TaskFactory,
    UserFactory,
)
from casebook.tracking.models import Task


def audited(action: str, obj) -> bool:
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).exists()


@pytest.mark.django_db
class TestFactories:
    def test_organisation_and_accounts_through_the_services(self):
        station = StationFactory()
        assert station.kind == UnitKind.STATION and station.parent.kind == UnitKind.BUREAU
        assert audited("unit.create", station) and audited("unit.create", station.parent)
        for role in (Role.TRACKING_OFFICER, Role.STATION_LEADER, Role.ANALYST, Role.SYSTEM_ADMIN):
            user = UserFactory(role=role, unit=station)
            assert user.role_set == {role} and user.check_password("correct horse battery staple")
            assert audited("account.create", user)
        both = UserFactory(roles=[Role.ANALYST, Role.TRACKING_OFFICER], unit=station)
        assert both.role_set == {Role.ANALYST, Role.TRACKING_OFFICER}

    def test_subjects_of_each_kind_with_valid_distinct_id_numbers(self):
        station = StationFactory()
        people = [PersonFactory(station=station) for _ in range(5)]
        numbers = [p.person.id_number for p in people]
        assert len(set(numbers)) == 5 and all(ric.is_valid(n) for n in numbers)
        place, incident = PlaceFactory(station=station), IncidentFactory(station=station)
        assert {s.kind for s in (*people, place, incident)} == {"person", "place", "incident"}
        assert all(audited("subject.create", s) for s in (*people, place, incident))
        # the default actor and approver is the station's one leader, made once
        assert {s.created_by_id for s in people} == {people[0].approved_by_id}

    def test_tasks_and_records(self):
        station = StationFactory()
        officer = UserFactory(role=Role.TRACKING_OFFICER, unit=station)
        person = PersonFactory(station=station, officers=[officer])
        task = TaskFactory(subjects=[person])
        assert task.lead == officer and list(task.subjects.all()) == [person]
        record = RecordFactory(subjects=[person], task=task)
        assert record.created_by == officer and list(task.records.all()) == [record]
        assert audited("task.create", task)
        # a record is audited once per subject it concerns, naming the record in the details
        event = AuditEvent.objects.get(action="record.create", object_id=str(person.pk))
        assert event.details["record"] == record.pk

    def test_permission_is_checked(self):
        """An officer of another station cannot make a subject here: nothing is written."""
        here, elsewhere = StationFactory(), StationFactory()
        outsider = UserFactory(role=Role.STATION_LEADER, unit=elsewhere)
        before = Subject.objects.count()
        with pytest.raises(PermissionDenied):
            PersonFactory(actor=outsider, station=here)
        assert Subject.objects.count() == before

    def test_bad_input_is_refused(self):
        station = StationFactory()
        with pytest.raises(ValidationError) as exc:
            PersonFactory(
                station=station,
                detail={"data_subject_category": "convicted", "id_number": "330106198503171230"},
            )
        assert "id_number" in exc.value.message_dict
        person = PersonFactory(station=station)
        with pytest.raises(ValidationError):
            RecordFactory(subjects=[person], content=" ")
        assert not InformationRecord.objects.exists() and not Task.objects.exists()

    def test_build_is_refused(self):
        with pytest.raises(NotImplementedError):
            UserFactory.build()
