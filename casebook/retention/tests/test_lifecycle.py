"""Review and expiry, certified destruction, legal holds (issue #14, items 1 and 2)."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import translation
from PIL import Image

from casebook.accounts.roles import Role
from casebook.analysis import rules as warning_rules
from casebook.audit.models import AuditEvent
from casebook.crypto.models import DataKey
from casebook.intel.models import Attachment, InformationRecord
from casebook.intel.services import attachment_add
from casebook.reports.tests import pdfcheck
from casebook.retention import services
from casebook.retention.models import (
    DestructionCertificate,
    DestructionProposal,
    RetentionClass,
    Tombstone,
)
from casebook.retention.services.destruction import list_digest
from casebook.subjects.choices import Status
from casebook.subjects.models import PersonDetail, Subject
from casebook.subjects.services import subject_set_status
from casebook.testing.factories import PersonFactory, RecordFactory, TaskFactory
from casebook.tracking.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def secadmin(make_user, org):
    return make_user(Role.SECURITY_ADMIN, org["bureau"], real_name="安全员")


@pytest.fixture
def person(crew):
    return PersonFactory(actor=crew["leader"], officers=[crew["officer"]])


def _visible(user, subject) -> bool:
    return Subject.objects.restrict(user).filter(pk=subject.pk).exists()


@pytest.mark.django_db
class TestReview:
    def test_overdue_notifies_then_restricts_and_renewal_restores(self, crew, person, settings):
        settings.CASEBOOK_REVIEW_GRACE_DAYS = 14
        due = date(2026, 3, 1)
        Subject.objects.filter(pk=person.pk).update(review_due=due)
        with time_machine.travel(DAY0, tick=False):
            counts = services.review_run()
            assert counts["notified"] == 1 and counts["restricted"] == 0
            assert services.review_run()["notified"] == 0  # once per review date
        told = set(Notification.objects.values_list("user_id", flat=True))
        assert {crew["officer"].pk, crew["leader"].pk} <= told
        person.refresh_from_db()
        assert person.status == Status.ACTIVE and _visible(crew["officer"], person)

        with time_machine.travel(DAY0 + timedelta(days=15), tick=False):
            assert services.review_run()["restricted"] == 1
            person.refresh_from_db()
            assert person.status == Status.RESTRICTED
            # only the station leader reaches it; nobody gives it a task
            assert not _visible(crew["officer"], person)
            assert not _visible(crew["analyst"], person)
            assert not _visible(crew["bureau"], person)
            assert _visible(crew["leader"], person)
            with pytest.raises(ValidationError) as exc, translation.override("en"):
                TaskFactory(actor=crew["leader"], subjects=[person], lead=crew["leader"])
            assert "restricted" in str(exc.value)
            # a renewal needs a reason and a new date or basis
            with pytest.raises(ValidationError):
                services.subject_renew(actor=crew["leader"], subject=person, reason="")
            with pytest.raises(ValidationError):
                services.subject_renew(actor=crew["leader"], subject=person, reason="仍有必要")
            with pytest.raises(PermissionDenied):
                services.subject_renew(
                    actor=crew["officer"],
                    subject=person,
                    reason="x",
                    review_due=date(2026, 9, 1),
                )
            services.subject_renew(
                actor=crew["leader"], subject=person, reason="仍有必要", review_due=date(2026, 9, 1)
            )
        person.refresh_from_db()
        assert person.status == Status.ACTIVE and person.review_due == date(2026, 9, 1)
        assert _visible(crew["officer"], person)
        assert AuditEvent.objects.filter(
            action="retention.renew", object_id=str(person.pk)
        ).exists()

    def test_warning_rule_review_overdue(self, crew, person):
        from casebook.analysis.models import Warning

        Subject.objects.filter(pk=person.pk).update(review_due=date(2026, 3, 1))
        assert "review_overdue" in warning_rules.RULES
        with time_machine.travel(DAY0, tick=False):
            warning_rules.evaluate()
            warning_rules.evaluate()  # once per review date
        found = Warning.objects.filter(rule__code="review_overdue")
        assert list(found.values_list("subject_id", flat=True)) == [person.pk]


def _close_and_expire(crew, person):
    """Close ``person`` at DAY0, start its clock; return a moment past its retention."""
    with time_machine.travel(DAY0, tick=False):
        subject_set_status(
            actor=crew["leader"], subject=person, status=Status.CLOSED, reason="结案"
        )
        services.review_run()
    days = RetentionClass.objects.get(
        bureau=person.category.bureau, code=person.category.retention_class
    ).days
    return DAY0 + timedelta(days=days + 2)


@pytest.mark.django_db
class TestDestruction:
    def test_two_people_then_rows_files_and_keys_gone_and_certificate_verifies(
        self, crew, person, secadmin, tmp_path
    ):
        record = RecordFactory(subjects=[person], actor=crew["officer"])
        attachment = attachment_add(actor=crew["officer"], record=record, name="a.png", data=_png())
        stored = attachment.stored_name
        subject_key, record_key = person.data_key_id, record.data_key_id
        id_number = PersonDetail.objects.get(pk=person.pk).id_number
        later = _close_and_expire(crew, person)
        with time_machine.travel(later, tick=False):
            assert services.propose_destructions() == 1
            assert services.propose_destructions() == 0  # idempotent
        proposal = DestructionProposal.objects.get()
        assert proposal.items == [{"kind": "subject", "id": person.pk}]

        services.destruction_approve(actor=crew["leader"], proposal=proposal)
        with pytest.raises(ValidationError, match="second person"), translation.override("en"):
            services.destruction_approve(actor=crew["leader"], proposal=proposal)
        with pytest.raises(PermissionDenied):
            services.destruction_approve(actor=crew["officer"], proposal=proposal)
        with pytest.raises(PermissionDenied):
            services.destruction_approve(actor=crew["other_leader"], proposal=proposal)
        assert Subject.objects.filter(pk=person.pk).exists()  # one approval destroys nothing

        with django_capture_on_commit():
            services.destruction_approve(actor=secadmin, proposal=proposal)
        assert not Subject.objects.filter(pk=person.pk).exists()
        assert not PersonDetail.objects.filter(pk=person.pk).exists()
        assert not InformationRecord.objects.filter(pk=record.pk).exists()
        assert not Attachment.objects.filter(pk=attachment.pk).exists()
        assert not default_storage.exists(stored)
        for pk in (subject_key, record_key):
            key = DataKey.objects.get(pk=pk)
            assert key.destroyed_at is not None and bytes(key.wrapped) == b""
        tomb = Tombstone.objects.get()
        assert (tomb.kind, tomb.object_id, tomb.category_code) == (
            "subject",
            person.pk,
            "prior_offender",
        )

        certificate = DestructionCertificate.objects.get()
        assert certificate.item_count == 1 and certificate.list_digest == list_digest(proposal)
        assert f"{subject_key}:" in " ".join(certificate.key_ids)
        from casebook.crypto.services import decrypt_bytes

        pdf = decrypt_bytes(
            certificate.data_key,
            bytes(certificate.content),
            context=f"certificate:{certificate.reference}",
        )
        assert person.name.encode() not in pdf and id_number.encode() not in pdf
        good = tmp_path / "c.pdf"
        good.write_bytes(pdf)
        out = io.StringIO()
        call_command("verify_export", str(good), stdout=out, stderr=io.StringIO())
        assert certificate.reference in out.getvalue()
        pdfcheck.assert_archive_pdf(pdf, tmp_path, optional_tools=True)  # issue #19
        bad = tmp_path / "bad.pdf"
        changed = bytearray(pdf)  # the PDF/A file is compressed: flip a byte of its body
        changed[len(pdf) // 2] ^= 0x01
        bad.write_bytes(bytes(changed))
        with pytest.raises(CommandError):
            call_command("verify_export", str(bad), stdout=io.StringIO(), stderr=io.StringIO())

        # the audit log keeps the events without the destroyed content: no event — from the
        # registration, the record, the attachment, the closure, the destruction —
        # holds the person's name or ID number, in its label or its details (docs/security.md D6)
        events = list(AuditEvent.objects.all())
        assert len(events) > 5
        for e in events:
            text = f"{e.object_repr} {e.details} {e.purpose} {e.recipients}"
            assert person.name not in text and id_number not in text, (e.action, text)
        about = [e for e in events if e.object_type == "subjects.subject"]
        assert about and all(e.object_repr.endswith(f"#{person.pk}") for e in about)
        assert any(e.action == "retention.destroy" for e in events)

    def test_legal_hold_blocks_and_nothing_is_destroyed(self, crew, person, secadmin):
        later = _close_and_expire(crew, person)
        with time_machine.travel(later, tick=False):
            services.propose_destructions()
        proposal = DestructionProposal.objects.get()
        services.legal_hold_place(
            actor=crew["leader"], subject=person, kind="litigation", reference="(2026)浙0102民初1号"
        )
        with pytest.raises(ValidationError, match="legal hold"), translation.override("en"):
            services.destruction_approve(actor=crew["leader"], proposal=proposal)
        assert Subject.objects.filter(pk=person.pk).exists()
        assert not DestructionCertificate.objects.exists()
        # a held subject is not proposed again either
        proposal.status = "withdrawn"
        proposal.save()
        with time_machine.travel(later + timedelta(days=1), tick=False):
            assert services.propose_destructions() == 0

    def test_a_subject_under_hold_is_not_proposed(self, crew, person):
        # ``person`` stays open, so the closed subjects' ids differ from their clocks' ids
        others = [PersonFactory(actor=crew["leader"], officers=[crew["officer"]]) for _ in range(2)]
        with time_machine.travel(DAY0, tick=False):
            for subject in others:
                subject_set_status(
                    actor=crew["leader"], subject=subject, status=Status.CLOSED, reason="结案"
                )
            services.review_run()
        services.legal_hold_place(
            actor=crew["leader"], subject=others[1], kind="complaint", reference="投诉2026-7"
        )
        days = RetentionClass.objects.get(
            bureau=person.category.bureau, code=person.category.retention_class
        ).days
        with time_machine.travel(DAY0 + timedelta(days=days + 2), tick=False):
            services.propose_destructions()
        assert DestructionProposal.objects.get().ids_of("subject") == [others[0].pk]

    def test_retention_class_in_use_cannot_be_removed(self, crew, person, secadmin):
        standard = RetentionClass.objects.get(
            bureau=person.category.bureau, code=person.category.retention_class
        )
        with pytest.raises(ValidationError, match="in use"), translation.override("en"):
            services.retention_class_delete(actor=secadmin, retention_class=standard)
        with pytest.raises(PermissionDenied):
            services.retention_class_delete(actor=crew["leader"], retention_class=standard)
        assert RetentionClass.objects.filter(pk=standard.pk).exists()


from contextlib import contextmanager  # noqa: E402

from django.db import connection  # noqa: E402


@contextmanager
def django_capture_on_commit():
    """Run the on-commit callbacks registered inside (the test transaction never commits)."""
    start = len(connection.run_on_commit)
    yield
    for _sid, callback, _robust in connection.run_on_commit[start:]:
        callback()
