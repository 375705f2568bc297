"""The audit log keeps the events without the destroyed content (issue #14, docs/security.md D6):
events about subjects and what hangs from them carry a neutral label, never a name or ID number;
the audit page shows a subject's current name only to a reader who may see that subject."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.audit.chain import verify
from casebook.audit.models import AuditEvent
from casebook.audit.naming import current_names
from casebook.subjects.models import PersonDetail, Subject
from casebook.subjects.services import subject_update
from casebook.testing.factories import PersonFactory, RecordFactory, TaskFactory
from conftest import login


@pytest.fixture
def person(crew):
    return PersonFactory(actor=crew["leader"], officers=[crew["officer"]])


def _texts(events) -> list[str]:
    return [f"{e.object_repr} {e.details} {e.purpose} {e.recipients}" for e in events]


@pytest.mark.django_db
def test_no_event_about_a_subject_holds_its_name_or_id_number(crew, person):
    old_name = person.name
    id_number = PersonDetail.objects.get(pk=person.pk).id_number
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    TaskFactory(actor=crew["leader"], subjects=[person], title=f"走访{old_name}")
    RecordFactory(subjects=[person], actor=crew["officer"])
    subject_update(
        actor=crew["leader"], subject=person, name=f"{old_name}乙", notes=f"{old_name}的近况"
    )
    events = list(AuditEvent.objects.filter(seq__gt=start))
    kinds = {e.object_type for e in events}
    assert {"tracking.task", "subjects.subject"} <= kinds, kinds
    for text in _texts(events):
        assert old_name not in text and id_number not in text, text
    update = next(e for e in events if e.action == "subject.update")
    assert update.details["name"] == {"changed": True}  # named, never copied
    assert update.details["notes"] == {"changed": True}
    with translation.override("en"):
        person.refresh_from_db()
        label = person.audit_repr()
        assert label == f"Key person·{person.category.label} #{person.pk}"
    assert person.name not in label
    assert verify(None).ok  # the chain still verifies


@pytest.mark.django_db
def test_audit_page_shows_the_label_to_the_audit_admin_and_no_name(crew, person, make_user):
    auditor = make_user(Role.AUDIT_ADMIN, crew["leader"].unit)
    response = login(Client(), auditor).get(reverse("audit:log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{person.pk}" in body
    assert person.name not in body  # the audit administrator sees no case data (A3)
    assert not AuditEvent.objects.filter(actor_id=auditor.pk, action="read.subject_list").exists()


@pytest.mark.django_db
def test_current_name_only_for_a_live_subject_the_reader_may_see(crew, person):
    events = list(AuditEvent.objects.filter(object_type="subjects.subject"))
    key = ("subjects.subject", str(person.pk))
    assert current_names(crew["leader"], events) == {key: person.name}
    assert current_names(crew["other_leader"], events) == {}  # another station's leader
    Subject.objects.filter(pk=person.pk).delete()  # as a destruction does
    assert current_names(crew["leader"], events) == {}
