"""What a report must not reveal: a subject the reader may not see (compartment, classification)
stays out of feedback reports, urgent reports, periodic reports and exports, and a file is
handed out only while its requester may still export what it holds."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.reports import periodic, services
from casebook.reports.choices import Period
from casebook.reports.models import PeriodicReport
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from casebook.tracking import services as tracking
from conftest import login

from .conftest import add_record


@pytest.fixture
def special(org, make_user):
    """A subject in the 专案 compartment, and the station leader who holds it."""
    compartment = Compartment.objects.create(code="special", name="专案")
    holder = make_user(
        Role.STATION_LEADER, org["a"], compartments=[compartment], real_name="专案所长"
    )
    subject = subject_create(
        actor=holder,
        kind="person",
        category=Category.objects.get(code="threat_of_violence"),
        name="专案对象甲",
        station=org["a"],
        legal_basis_ref="专案〔2026〕1号",
        approved_by=holder,
        approved_on=date(2026, 1, 1),
        officers=[holder],
        detail={"data_subject_category": "suspect", "id_number": make_id(seq="919")},
        compartments=[compartment],
    )
    return {"holder": holder, "subject": subject}


@pytest.mark.django_db
def test_feedback_on_a_task_about_a_hidden_subject(org, crew, person, special):
    task = tracking.task_create(
        actor=special["holder"],
        title="核查两人关系",
        station=org["a"],
        lead=special["holder"],
        subjects=[person, special["subject"]],
    )
    task.stage = "analysing"  # the stages are tested elsewhere; here only who sees the report
    task.save(update_fields=["stage"])
    report = services.feedback_submit(
        actor=special["holder"],
        task=task,
        summary="专案对象甲与赵某某多次接触",
        findings="见附件",
        recommendations="继续工作",
    )
    officer = login(Client(), crew["officer"])
    page = officer.get(report.get_absolute_url())
    assert page.status_code == 404 and "专案对象甲" not in page.content.decode()
    leader = login(Client(), crew["leader"])  # a recipient, without the compartment
    page = leader.get(report.get_absolute_url()).content.decode()
    assert "专案对象甲与赵某某多次接触" in page  # addressed to them: they read the report


@pytest.mark.django_db
def test_urgent_report_about_a_hidden_subject(org, crew, special):
    report = services.urgent_report_create(
        actor=special["holder"], text="专案对象甲已离开住所", subject=special["subject"]
    )
    for who in ("analyst", "officer", "bureau"):
        client = login(Client(), crew[who])
        page = client.get(report.get_absolute_url())
        assert page.status_code == 404, who
        assert "专案对象甲已离开住所" not in client.get("/reports/").content.decode()
    leader = login(Client(), crew["leader"])  # reached as a station leader: sees what was sent
    assert leader.get(report.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_periodic_report_counts_but_does_not_name_hidden_subjects(org, crew, person, special):
    import io

    from pypdf import PdfReader

    services.urgent_report_create(
        actor=special["holder"], text="专案对象甲已离开住所", subject=special["subject"]
    )
    services.urgent_report_create(actor=crew["officer"], text="赵某某扬言报复", subject=person)
    today = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    periodic.generate_due(today)
    weekly = PeriodicReport.objects.get(station=org["a"], period=Period.WEEKLY)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(periodic.report_file(weekly))).pages
    )
    assert weekly.figures["current"]["urgent"] == 2
    assert "赵某某扬言报复" in text and "专案对象甲" not in text


@pytest.mark.django_db
def test_no_download_once_the_right_to_export_is_gone(
    crew, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(
            actor=crew["analyst"], fmt="pdf", purpose="检查", subject=person
        )
    export.refresh_from_db()
    assert export.status == "done"
    crew["analyst"].roles.all().delete()  # moved to another post
    analyst = type(crew["analyst"]).objects.get(pk=crew["analyst"].pk)
    with pytest.raises(PermissionDenied):
        services.export_download(actor=analyst, export=export)
    assert (
        login(Client(), analyst).get(f"/reports/exports/{export.pk}/download/").status_code == 403
    )


@pytest.mark.django_db
def test_a_record_turned_conditional_after_the_request_is_not_built(
    crew, person, django_capture_on_commit_callbacks
):
    record = add_record(crew["officer"], [person], text="本人到所说明情况")
    export = services.export_request(
        actor=crew["analyst"], fmt="pdf", purpose="移交", record=record
    )
    type(record).objects.filter(pk=record.pk).update(handling="C")
    done = services.export_build(export.pk)
    assert done.status == "failed" and done.content is None
