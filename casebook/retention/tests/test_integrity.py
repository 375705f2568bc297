"""Integrity of important data (issue #14 item 4; SECURITY.md D3): a keyed MAC over a subject's
key fields and its assessments, kept by every save, checked on read and by integrity_verify."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casebook.audit.models import AuditEvent
from casebook.crypto.models import IntegrityTag
from casebook.retention import integrity
from casebook.subjects.services import subject_update
from casebook.testing.factories import PersonFactory
from conftest import login


@pytest.fixture
def person(crew, org):
    return PersonFactory(station=org["a"], actor=crew["leader"])


def _raw_update(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_save_keeps_the_tag_and_nothing_is_reported(person, crew):
    assert IntegrityTag.objects.filter(model="subjects.subject", object_id=str(person.pk)).exists()
    subject_update(
        actor=crew["leader"], subject=person, name="张改名", expected_version=person.version
    )
    assert integrity.verify_all() == []


def test_an_update_behind_the_apps_back_is_reported(person, crew, capsys):
    _raw_update("UPDATE subjects_subject SET legal_basis_ref = %s WHERE id = %s", "伪造", person.pk)
    found = integrity.verify_all()
    assert [(m.model, m.object_id, m.problem) for m in found] == [
        ("subjects.subject", str(person.pk), "changed")
    ]
    with pytest.raises(SystemExit) as exit_:
        call_command("integrity_verify")
    assert exit_.value.code == 1
    assert f"subjects.subject#{person.pk}: changed" in capsys.readouterr().out


def test_the_reader_sees_a_warning_and_the_mismatch_is_audited(person, crew):
    _raw_update("UPDATE subjects_subject SET risk_level = 3 WHERE id = %s", person.pk)
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["leader"])  # warning asserted in English
    with translation.override("en"):
        page = client.get(reverse("subjects:detail", args=[person.pk]))
    assert page.status_code == 200
    assert "Integrity check failed" in page.content.decode()
    event = AuditEvent.objects.get(action="integrity.mismatch")
    assert event.object_id == str(person.pk) and event.actor_id == crew["leader"].pk


def test_an_intact_dossier_shows_no_warning(person, crew):
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), crew["leader"])
    with translation.override("en"):
        page = client.get(reverse("subjects:detail", args=[person.pk]))
    assert "Integrity check failed" not in page.content.decode()
    assert not AuditEvent.objects.filter(action="integrity.mismatch").exists()


def test_a_deleted_tag_and_an_orphan_tag_are_reported(person):
    IntegrityTag.objects.filter(object_id=str(person.pk), model="subjects.subject").delete()
    IntegrityTag.objects.create(model="subjects.subject", object_id="987654", tag="00")
    problems = {(m.object_id, m.problem) for m in integrity.verify_all()}
    assert problems == {(str(person.pk), "untagged"), ("987654", "orphaned")}


def test_existing_rows_are_tagged_once_and_audited(person):
    IntegrityTag.objects.all().delete()
    assert integrity.seal_untagged() >= 1
    assert integrity.verify_all() == []
    assert integrity.seal_untagged() == 0
    assert AuditEvent.objects.filter(action="integrity.seal").count() == 1


def test_an_assessment_changed_behind_the_apps_back_is_reported(person, crew):
    from casebook.analysis.models import AssessmentStatus, RiskAssessment

    # the row as a service would leave it (the tag follows every ORM save)
    assessment = RiskAssessment.objects.create(
        subject=person,
        assessor=crew["officer"],
        score=2,
        suggested_level=1,
        explanation="低（2）",
        level=1,
        status=AssessmentStatus.APPROVED,
        approved_by=crew["leader"],
    )
    assert integrity.verify_all() == []
    _raw_update("UPDATE analysis_riskassessment SET level = 3 WHERE id = %s", assessment.pk)
    found = [(m.model, m.object_id, m.problem) for m in integrity.verify_all()]
    assert found == [("analysis.riskassessment", str(assessment.pk), "changed")]
