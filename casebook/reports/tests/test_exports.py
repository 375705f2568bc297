"""The tracking-record archive and its exports: what the user may see, in order; PDF with the
Chinese text, marking and watermark; Word and Excel that open and hold the rows; a purpose and an
audit event for every export; handling codes and compartments respected; a digest that
``verify_export`` checks."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from casebook.accounts.models import Compartment
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification
from casebook.reports import archive, services
from casebook.reports.models import Export
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from conftest import login

from .conftest import add_record


def pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def export(actor, subject=None, record=None, fmt="pdf", purpose="季度案卷检查", capture=None, **f):
    with capture(execute=True):
        request = services.export_request(
            actor=actor, fmt=fmt, purpose=purpose, subject=subject, record=record, filters=f
        )
    request.refresh_from_db()
    return request


@pytest.fixture
def filled(crew, person, analysing_task):
    """The person with a shareable record, a record shared only under conditions, an urgent
    report, and a feedback report with an instruction."""
    add_record(crew["officer"], [person], text="夜间在网吧逗留至凌晨两点")
    secret = add_record(crew["officer"], [person], text="线人称其准备外出", handling="C")
    services.urgent_report_create(actor=crew["officer"], text="对象扬言报复", subject=person)
    report = services.feedback_submit(
        actor=crew["officer"],
        task=analysing_task,
        summary="对象情况总体稳定",
        findings="未见异常往来",
        recommendations="维持管控",
    )
    services.feedback_acknowledge(actor=crew["leader"], report=report, instruction="同意，继续跟踪")
    return {"secret": secret}


@pytest.mark.django_db
class TestArchive:
    def test_everything_in_order_as_the_user_may_see_it(self, crew, person, filled):
        items, conditional = archive.collect(crew["officer"], person)
        kinds = [i.kind for i in items]
        assert {"task", "visit", "assessment", "feedback", "urgent", "decision"} <= set(kinds)
        assert [i.when for i in items] == sorted(i.when for i in items)
        assert conditional == [filled["secret"].pk]
        feedback = next(i for i in items if i.kind == "feedback")
        assert any("同意，继续跟踪" in line for line in feedback.lines)

    def test_filter_by_kind_and_date(self, crew, person, filled):
        f = archive.Filters(kinds=["urgent"])
        items, _ = archive.collect(crew["officer"], person, f)
        assert [i.kind for i in items] == ["urgent"]
        from datetime import date

        f = archive.Filters(date_to=date(2020, 1, 1))
        assert archive.collect(crew["officer"], person, f)[0] == []

    def test_tab_shows_entries_and_export_only_to_who_may(self, crew, person, filled):
        officer = login(Client(), crew["officer"])
        page = officer.get(f"{person.get_absolute_url()}?tab=archive&kind=urgent").content.decode()
        assert "对象扬言报复" in page and "夜间在网吧" not in page
        assert 'data-testid="export-form"' not in page  # officers print, analysts export
        analyst = login(Client(), crew["analyst"])
        page = analyst.get(f"{person.get_absolute_url()}?tab=archive").content.decode()
        assert 'data-testid="export-form"' in page and "夜间在网吧" in page

    def test_records_about_a_subject_the_user_may_not_see_stay_out(
        self, org, crew, person, make_user
    ):
        from casebook.accounts.roles import Role

        compartment = Compartment.objects.create(code="special", name="专案")
        holder = make_user(Role.STATION_LEADER, org["a"], compartments=[compartment])
        hidden = subject_create(
            actor=holder,
            kind="person",
            category=Category.objects.get(code="threat_of_violence"),
            name="专案对象",
            station=org["a"],
            legal_basis_ref="x",
            approved_by=holder,
            approved_on=person.approved_on,
            officers=[crew["officer"]],
            detail={"data_subject_category": "suspect", "id_number": make_id(seq="733")},
            compartments=[compartment],
        )
        add_record(holder, [person, hidden], text="两人在车站碰头")
        analyst = make_user(Role.ANALYST, org["a"], clearance=Classification.CONFIDENTIAL)
        items, _ = archive.collect(analyst, person)
        assert not any("两人在车站碰头" in " ".join(i.lines) for i in items)

    def test_print_view_needs_a_purpose_and_is_audited(self, crew, person, filled):
        officer = login(Client(), crew["officer"])
        response = officer.post(f"/reports/archive/{person.pk}/print/", {"purpose": ""})
        assert response.status_code == 302
        assert not AuditEvent.objects.filter(action="dossier.print").exists()
        page = officer.post(
            f"/reports/archive/{person.pk}/print/", {"purpose": "案卷检查", "kind": "urgent"}
        ).content.decode()
        assert "对象扬言报复" in page and "王民警" in page and 'data-testid="marking"' in page
        event = AuditEvent.objects.get(action="dossier.print")
        assert event.purpose == "案卷检查" and event.details["filters"]["kinds"] == ["urgent"]


@pytest.mark.django_db
class TestExport:
    def test_pdf_has_chinese_text_marking_watermark_and_no_withheld_record(
        self, crew, person, filled, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, capture=django_capture_on_commit_callbacks)
        assert done.status == "done" and done.progress == 100
        assert done.withheld == [filled["secret"].pk]
        client = login(Client(), crew["analyst"])
        response = client.get(f"/reports/exports/{done.pk}/download/")
        assert response["Content-Type"] == "application/pdf"
        data = b"".join(response.streaming_content) if response.streaming else response.content
        pages = pdf_text(data)
        text = "\n".join(pages)
        assert "赵某某" in text and "夜间在网吧逗留至凌晨两点" in text and "同意，继续跟踪" in text
        assert "线人称其准备外出" not in text
        assert person.get_classification_display() in text
        for page in pages:
            assert "陈研判" in page and crew["analyst"].username in page  # watermark, every page
            assert done.reference in page
        assert AuditEvent.objects.filter(action="export.download", object_id=str(done.pk))

    def test_request_is_audited_with_its_purpose(
        self, crew, person, filled, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, capture=django_capture_on_commit_callbacks)
        request = AuditEvent.objects.get(action="export.request")
        assert request.purpose == "季度案卷检查" and request.actor_id == crew["analyst"].pk
        complete = AuditEvent.objects.get(action="export.complete")
        assert complete.details["digest"] == done.digest
        assert complete.details["withheld"] == [filled["secret"].pk]

    def test_word_and_excel_open_and_hold_the_rows(
        self, crew, person, filled, django_capture_on_commit_callbacks
    ):
        import docx
        import openpyxl

        word = export(
            crew["analyst"], person, fmt="docx", capture=django_capture_on_commit_callbacks
        )
        data = services.export_download(actor=crew["analyst"], export=word)
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "夜间在网吧逗留至凌晨两点" in text and "线人称其准备外出" not in text
        excel = export(
            crew["analyst"], person, fmt="xlsx", capture=django_capture_on_commit_callbacks
        )
        book = openpyxl.load_workbook(
            io.BytesIO(services.export_download(actor=crew["analyst"], export=excel))
        )
        cells = [
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c
        ]
        assert any("夜间在网吧逗留至凌晨两点" in c for c in cells)
        assert any("对象扬言报复" in c for c in cells)
        assert not any("线人称其准备外出" in c for c in cells)
        assert len(book.worksheets) >= 3  # information, entries, one list per kind

    def test_no_purpose_no_export(self, crew, person):
        with pytest.raises(ValidationError):
            services.export_request(actor=crew["analyst"], fmt="pdf", purpose=" ", subject=person)
        assert not Export.objects.exists()

    def test_tracking_officer_and_other_station_may_not_export(self, crew, person):
        with pytest.raises(PermissionDenied):
            services.export_request(
                actor=crew["officer"], fmt="pdf", purpose="看看", subject=person
            )
        other = login(Client(), crew["other_leader"])
        response = other.post(
            "/reports/exports/new/", {"subject": person.pk, "fmt": "pdf", "purpose": "看看"}
        )
        assert response.status_code == 404
        assert not Export.objects.exists()

    def test_record_with_a_forbidding_handling_code_is_refused(self, crew, person, filled):
        client = login(Client(), crew["analyst"])
        response = client.post(
            "/reports/exports/new/",
            {"record": filled["secret"].pk, "fmt": "pdf", "purpose": "移交治安大队"},
            follow=True,
        )
        assert "仅限本所使用" in response.content.decode()
        assert not Export.objects.exists()
        refused = AuditEvent.objects.get(action="record.export")
        assert refused.outcome == "denied" and refused.purpose == "移交治安大队"

    def test_a_shareable_record_exports(self, crew, person, django_capture_on_commit_callbacks):
        record = add_record(crew["officer"], [person], text="本人到所说明情况")
        done = export(crew["analyst"], record=record, capture=django_capture_on_commit_callbacks)
        text = "\n".join(pdf_text(services.export_download(actor=crew["analyst"], export=done)))
        assert "本人到所说明情况" in text

    def test_only_the_requester_sees_and_downloads_it(
        self, crew, person, make_user, django_capture_on_commit_callbacks
    ):
        from casebook.accounts.roles import Role

        done = export(crew["analyst"], person, capture=django_capture_on_commit_callbacks)
        colleague = login(Client(), make_user(Role.ANALYST))
        assert colleague.get(f"/reports/exports/{done.pk}/").status_code == 404
        assert colleague.get(f"/reports/exports/{done.pk}/download/").status_code == 404
        assert not AuditEvent.objects.filter(action="export.download").exists()

    def test_progress_page_polls_until_ready(self, crew, person):
        queued = services.export_request(
            actor=crew["analyst"], fmt="pdf", purpose="检查", subject=person
        )  # not committed: the job has not run
        client = login(Client(), crew["analyst"])
        page = client.get(queued.get_absolute_url()).content.decode()
        assert 'hx-trigger="every 1s"' in page and "<progress" in page
        services.export_build(queued.pk)
        page = client.get(queued.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
        assert "hx-trigger" not in page and 'data-testid="export-download"' in page

    def test_expired_files_are_dropped_but_the_register_stays(
        self, crew, person, settings, django_capture_on_commit_callbacks
    ):
        from datetime import timedelta

        import time_machine
        from django.utils import timezone

        done = export(crew["analyst"], person, capture=django_capture_on_commit_callbacks)
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            assert services.expire_exports() == 1
        done.refresh_from_db()
        assert done.status == "expired" and done.content is None and done.digest
        with pytest.raises(ValidationError):
            services.export_download(actor=crew["analyst"], export=done)


@pytest.mark.django_db
class TestVerifyExport:
    def test_good_file_passes_and_names_the_export(
        self, crew, person, tmp_path, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, capture=django_capture_on_commit_callbacks)
        path = tmp_path / done.filename
        path.write_bytes(services.export_download(actor=crew["analyst"], export=done))
        out = io.StringIO()
        call_command("verify_export", str(path), stdout=out)
        assert done.digest in out.getvalue() and done.reference in out.getvalue()

    @pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
    def test_tampered_file_fails(
        self, crew, person, tmp_path, fmt, django_capture_on_commit_callbacks
    ):
        done = export(crew["analyst"], person, fmt=fmt, capture=django_capture_on_commit_callbacks)
        data = bytearray(services.export_download(actor=crew["analyst"], export=done))
        data[len(data) // 3] ^= 0x01
        path = tmp_path / done.filename
        path.write_bytes(bytes(data))
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("verify_export", str(path), stdout=io.StringIO(), stderr=err)
        assert "FAILED" in err.getvalue() and path.name in err.getvalue()


@pytest.mark.django_db
class TestBackground:
    def test_built_once_even_when_two_workers_take_it(self, crew, person):
        queued = services.export_request(
            actor=crew["analyst"], fmt="pdf", purpose="检查", subject=person
        )
        first = services.export_build(queued.pk)
        second = services.export_build(queued.pk)
        assert first.status == second.status == "done" and first.digest == second.digest
        assert AuditEvent.objects.filter(action="export.complete").count() == 1

    def test_housekeeping_requeues_the_forgotten_and_fails_the_lost(
        self, crew, person, monkeypatch
    ):
        from datetime import timedelta

        import time_machine
        from django.utils import timezone

        kicked = []
        monkeypatch.setattr(services.exports, "_kick_export", kicked.append)
        forgotten = services.export_request(
            actor=crew["analyst"], fmt="pdf", purpose="检查", subject=person
        )
        lost = services.export_request(
            actor=crew["analyst"], fmt="docx", purpose="检查", subject=person
        )
        Export.objects.filter(pk=lost.pk).update(status="running", progress=40)
        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            result = services.export_housekeeping()
        assert result["requeued"] == 1 and kicked == [forgotten.pk]
        lost.refresh_from_db()
        assert result["failed"] == 1 and lost.status == "failed"
        assert AuditEvent.objects.filter(action="export.fail", object_id=str(lost.pk)).exists()
