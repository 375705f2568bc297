"""The weekly audit review and the audit archive (issue #14 item 7; SECURITY.md L5)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent, Outcome
from casebook.audit.services import record_event
from casebook.reports.documents.seal import verify as verify_seal
from casebook.reports.tests import pdfcheck
from casebook.retention import audit_review
from casebook.retention.audit_review_archive import ArchiveError, audit_archive, verify_segment
from conftest import login

# Wednesday 2026-11-18, 10:00 in Shanghai: inside working hours, in the week of 16–22 November.
WEEKDAY_MORNING = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
REVIEW_DAY = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # the next week: the last complete is ours


def _reads(user, n, when=WEEKDAY_MORNING, object_id=""):
    with time_machine.travel(when, tick=False):
        for _ in range(n):
            record_event(
                actor=user,
                action="read.subject",
                object_type="subjects.subject",
                object_id=object_id,
            )


@pytest.fixture
def station(crew, make_user, org):
    """Five tracking officers of station A: four read 3 subjects each, one reads 30."""
    extra = [make_user(Role.TRACKING_OFFICER, org["a"]) for _ in range(2)]
    peers = [crew["officer"], crew["colleague"], crew["handler"], *extra[:1]]
    heavy = extra[1]
    for peer in peers:
        _reads(peer, 3)
    _reads(heavy, 30)
    return {"peers": peers, "heavy": heavy}


def _review():
    with time_machine.travel(REVIEW_DAY, tick=False):
        start, end = audit_review.last_complete_week()
        return audit_review.build_review(start, end)


def test_a_user_reading_ten_times_their_peers_is_flagged(station):
    review = _review()
    flagged = [line.user_id for line in review.unusual]
    assert flagged == [station["heavy"].pk]
    assert review.unusual[0].count == 30 and review.unusual[0].peers_median == 3
    assert review.reads == 4 * 3 + 30


def test_reads_of_another_week_do_not_count(station):
    _reads(station["peers"][0], 200, when=WEEKDAY_MORNING - timedelta(days=14))
    assert [line.user_id for line in _review().unusual] == [station["heavy"].pk]


def test_after_hours_refused_exports_and_reads_outside_tasks(crew):
    night = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    _reads(crew["officer"], 2, when=night, object_id="999999")
    with time_machine.travel(WEEKDAY_MORNING, tick=False):
        record_event(actor=crew["colleague"], action="export.request", outcome=Outcome.DENIED)
        record_event(actor=crew["analyst"], action="export.request")
    review = _review()
    assert [(line.user_id, line.count) for line in review.after_hours] == [(crew["officer"].pk, 2)]
    assert [line.user_id for line in review.refused] == [crew["colleague"].pk]
    assert [line.user_id for line in review.exports] == [crew["analyst"].pk]
    assert [line.user_id for line in review.outside_tasks] == [crew["officer"].pk]


def test_page_for_the_audit_admin_only_and_pdf_is_sealed(station, crew, tmp_path):
    auditor = login(Client(), crew["auditor"])
    with time_machine.travel(REVIEW_DAY, tick=False), translation.override("en"):
        page = auditor.get(reverse("retention:audit_review"))
        assert page.status_code == 200
        assert station["heavy"].real_name in page.content.decode()
        pdf = auditor.get(reverse("retention:audit_review_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert verify_seal(pdf.content).algorithm in {"sha256", "sm3"}
    # Like every PDF Casebook issues: embedded font, PDF/A-2b, a signature a reader can check.
    pdfcheck.assert_archive_pdf(pdf.content, tmp_path)
    assert AuditEvent.objects.filter(action="audit.review.export", actor_id=crew["auditor"].pk)
    for key in ("officer", "leader", "admin"):
        other = login(Client(), crew[key])
        assert other.get(reverse("retention:audit_review")).status_code == 403
        assert other.get(reverse("retention:audit_review_pdf")).status_code == 403


def test_weekly_job_files_the_review_once(station, settings, tmp_path):
    settings.CASEBOOK_AUDIT_REVIEW_DIR = tmp_path
    with time_machine.travel(REVIEW_DAY, tick=False):
        first = audit_review.file_weekly_review()
        again = audit_review.file_weekly_review()
    assert first is not None and first.exists() and again is None
    verify_seal(first.read_bytes())
    assert AuditEvent.objects.filter(action="audit.review", actor_id=None).count() == 1


def test_archive_refuses_events_younger_than_the_legal_period(db, tmp_path):
    record_event(actor=None, actor_name="t", action="test.event")
    with pytest.raises(ArchiveError, match="kept 365 days"), translation.override("en"):
        audit_archive(before=datetime.now(UTC) - timedelta(days=300), directory=tmp_path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CommandError, match="kept 365 days"), translation.override("en"):
        call_command("audit_archive", before=(datetime.now(UTC) - timedelta(days=10)).date())


def test_archive_writes_a_verified_segment_and_deletes_nothing(db, tmp_path, settings):
    settings.CASEBOOK_AUDIT_CHECKPOINT_DIR = tmp_path / "cp"
    with time_machine.travel(datetime.now(UTC) - timedelta(days=500)):
        for i in range(5):
            record_event(actor=None, actor_name="t", action="test.event", object_id=str(i))
    total = AuditEvent.objects.count()
    result = audit_archive(before=datetime.now(UTC) - timedelta(days=400), directory=tmp_path)
    assert result.path is not None and result.events >= 5
    assert verify_segment(result.path) == (result.first_seq, result.last_seq)
    assert AuditEvent.objects.count() == total + 1  # nothing deleted; the archiving is audited
    # nothing new to archive the second time
    assert (
        audit_archive(before=datetime.now(UTC) - timedelta(days=400), directory=tmp_path).path
        is None
    )
    # a changed line is detected
    lines = result.path.read_text().splitlines()
    lines[2] = lines[2].replace('"t"', '"x"')
    result.path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ArchiveError, match="altered"), translation.override("en"):
        verify_segment(result.path)
