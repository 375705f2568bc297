"""An ID number identifies one subject: a unique constraint on its blind index turns the race of
two registrations at the same moment into one subject and a clear error for the other officer
(issue #11 item 7)."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from casebook.audit.models import AuditEvent
from casebook.subjects import services
from casebook.subjects.models import Identifier, Subject

from .conftest import make_id

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
NUMBER = make_id(seq="417")


def _skip_precheck(monkeypatch, barrier=None):
    """Simulate the race: the check before the write does not see the twin being registered at
    the same moment (``exclude`` None is that check; the constraint path passes a subject)."""
    real = services.identifiers._check_duplicates

    def racing(actor, kind, detail, exclude=None):
        if exclude is None:
            if barrier is not None:
                real(actor, kind, detail)
                barrier.wait(timeout=20)
            return
        real(actor, kind, detail, exclude=exclude)

    # the check before the write is looked up by registration; the constraint path
    # (_sync_identifiers) calls the real one in identifiers
    monkeypatch.setattr(services.registration, "_check_duplicates", racing)


@pytest.mark.django_db
class TestConstraint:
    def test_database_refuses_a_second_id_number(self, make_person):
        first = make_person(id_number=NUMBER)
        with pytest.raises(IntegrityError), transaction.atomic():
            Identifier.objects.create(
                subject=first,
                kind="id_number",
                blind_index=first.identifiers.get(kind="id_number").blind_index,
                masked="x",
            )

    def test_phones_may_be_shared(self, make_person):
        make_person("张一", id_number=make_id(seq="101"), phones="13905710009")
        make_person("张二", id_number=make_id(seq="103"), phones="13905710009")
        assert Identifier.objects.filter(kind="phone").count() == 2

    def test_lost_race_gives_the_visible_twin(self, make_person, monkeypatch):
        first = make_person("李四", id_number=NUMBER)
        _skip_precheck(monkeypatch)
        with pytest.raises(services.DuplicateSubject) as caught:
            make_person("李四二", id_number=NUMBER)
        assert caught.value.existing == first
        assert "李四" in caught.value.message_dict["id_number"][0]
        assert Subject.objects.count() == 1
        assert Identifier.objects.filter(kind="id_number").count() == 1

    def test_lost_race_on_a_subject_the_officer_cannot_see(self, make_person, monkeypatch):
        make_person("王五", id_number=NUMBER)  # station A
        _skip_precheck(monkeypatch)
        with pytest.raises(ValidationError) as caught:
            make_person("王五二", station="b", id_number=NUMBER)
        message = caught.value.message_dict["id_number"][0]
        assert "王五" not in message
        assert Subject.objects.count() == 1
        assert AuditEvent.objects.filter(action="subject.duplicate_blocked").exists()

    def test_an_update_cannot_take_another_subjects_number(self, make_person, people, monkeypatch):
        make_person("赵六", id_number=NUMBER)
        other = make_person("钱七", id_number=make_id(seq="419"))
        # even if every check in the service missed the twin, the database would refuse it
        for module in (services.registration, services.identifiers):
            monkeypatch.setattr(
                module,
                "_check_duplicates",
                lambda actor, kind, detail, exclude=None: None,
            )
        with pytest.raises(IntegrityError):
            services.subject_update(
                actor=people["leader_a"], subject=other, detail={"id_number": NUMBER}
            )
        other.refresh_from_db()
        assert other.person.id_number != NUMBER


@pytest.mark.skipif(not ON_POSTGRES, reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_three_officers_register_the_same_person_at_once(make_person, people, monkeypatch):
    """Three threads, three connections, all past the duplicate check before any writes:
    exactly one subject, and the other two get the clear error."""
    try:
        make_person("周九", id_number=make_id(seq="421"))  # the blind-index key exists already
        barrier = threading.Barrier(3)
        _skip_precheck(monkeypatch, barrier)
        outcomes = []

        def register(i):
            try:
                make_person(f"孙八{i}", id_number=NUMBER)
                outcomes.append("created")
            except ValidationError as exc:
                outcomes.append(exc.message_dict["id_number"][0])
            finally:
                connection.close()

        threads = [threading.Thread(target=register, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert outcomes.count("created") == 1, outcomes
        assert len(outcomes) == 3
        assert Subject.objects.filter(name__startswith="孙八").count() == 1
        assert Identifier.objects.filter(kind="id_number").count() == 2
    finally:
        # the audit table refuses TRUNCATE: let the test database's flush through (the
        # connection is closed after a transactional test, so the setting ends with it)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
