"""The officer file (五(一)) and training (八(一)): scope (an officer reads only their own file,
leaders their officers'), bad input (future and expired dates, a certificate that is no PDF or
image), lapsed training flagged to the station leader and, when the security administrator
turns it on, blocking personal data until trained."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from casebook.staff import selectors, services
from casebook.staff.models import Attendance, Certificate, ConductEntry, StoredFile
from casebook.testing.factories import PersonFactory
from conftest import login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def security(make_user, org):
    return make_user(Role.SECURITY_ADMIN, org["bureau"])


def _seasoned(*users):
    """Officers in post for more than the 90 days' grace."""
    for user in users:
        user.date_joined = TODAY - dt.timedelta(days=400)
        user.save(update_fields=["date_joined"])


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_reads_only_their_own_file(crew):
    officer, colleague = crew["officer"], crew["colleague"]
    services.conduct_add(
        actor=crew["leader"],
        officer=colleague,
        kind="commendation",
        decided_on=timezone.localdate(),
        reason="破获案件",
        decided_by="甲派出所",
    )
    client = login(Client(), officer)
    assert client.get(f"/staff/officers/{officer.pk}/", **EN).status_code == 200
    refused = client.get(f"/staff/officers/{colleague.pk}/", **EN)
    assert refused.status_code == 404
    assert "破获案件" not in refused.content.decode()
    assert client.get(f"/api/v1/staff/training/?officer={colleague.pk}", **EN).status_code == 404
    # the leaders over the colleague read it; another station's leader and the supervisor do not
    for who, expected in (
        ("leader", 200),
        ("bureau", 200),
        ("other_leader", 404),
        ("supervisor", 404),
        ("other_officer", 404),
    ):
        response = login(Client(), crew[who]).get(f"/staff/officers/{colleague.pk}/", **EN)
        assert response.status_code == expected, who
    page = login(Client(), crew["leader"]).get(f"/staff/officers/{colleague.pk}/", **EN)
    assert "破获案件" in page.content.decode()
    assert AuditEvent.objects.filter(
        action="read.officer_file", actor_id=crew["leader"].pk, object_id=str(colleague.pk)
    ).exists()


@pytest.mark.django_db
def test_file_shows_the_duties_of_the_post(crew):
    services.profile_set(actor=crew["leader"], officer=crew["officer"], post="tracking_officer")
    page = login(Client(), crew["officer"]).get("/staff/me/", **EN).content.decode()
    assert "Analyses the information, assesses risk and proposes measures" in page
    assert "Keep the secrets of tracking work" in page
    with pytest.raises(PermissionDenied):  # an officer keeps no file, not even their own
        services.profile_set(actor=crew["officer"], officer=crew["officer"], post="auxiliary")


@pytest.mark.django_db
def test_a_certificate_scan_is_read_only_within_scope(crew):
    cert = services.certificate_add(
        actor=crew["officer"],
        officer=crew["officer"],
        name="网络安全培训合格证",
        issued_on=timezone.localdate() - dt.timedelta(days=30),
        file_name="scan.png",
        file_data=PNG,
    )
    url = f"/staff/certificates/{cert.pk}/file/"
    assert login(Client(), crew["officer"]).get(url).status_code == 200
    assert login(Client(), crew["leader"]).get(url).status_code == 200
    assert login(Client(), crew["colleague"]).get(url).status_code == 404


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_bad_input_is_refused_with_nothing_written(crew, clock):
    officer = crew["officer"]
    today = timezone.localdate()
    cases = [
        ({"issued_on": today + dt.timedelta(days=3)}, "issued_on", "in the future"),
        (
            {
                "issued_on": today - dt.timedelta(days=800),
                "expires_on": today - dt.timedelta(days=1),
            },
            "expires_on",
            "already expired",
        ),
        (
            {"issued_on": today - dt.timedelta(days=5), "file_data": b"plain text, not a scan"},
            "file",
            "Only PDF or image",
        ),
        (
            {"issued_on": today - dt.timedelta(days=5), "file_data": b"%PDF-1.4 broken"},
            "file",
            "damaged",
        ),
    ]
    for extra, field, text in cases:
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            services.certificate_add(
                actor=officer, officer=officer, name="证书", file_name="x.pdf", **extra
            )
        assert field in exc.value.message_dict, extra
        assert text in " ".join(exc.value.message_dict[field])
    assert not Certificate.objects.exists() and not StoredFile.objects.exists()


@pytest.mark.django_db
def test_the_certificate_form_refuses_a_file_that_is_not_a_pdf(crew):
    client = login(Client(), crew["officer"])
    upload = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        f"/staff/officers/{crew['officer'].pk}/certificates/new/",
        {"name": "证书", "issued_on": "2024-01-01", "file": upload},
        **EN,
    )
    assert response.status_code == 200
    assert "Only PDF or image" in response.content.decode()
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_future_dates_are_refused(crew, clock):
    today = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.conduct_add(
            actor=crew["leader"],
            officer=crew["officer"],
            kind="warning",
            decided_on=today + dt.timedelta(days=1),
            reason="迟报",
            decided_by="甲派出所",
        )
    assert "in the future" in str(exc.value)
    assert not ConductEntry.objects.exists()
    course = services.course_create(actor=crew["leader"], title="法律法规", category="law", hours=4)
    planned = services.session_create(
        actor=crew["leader"],
        course=course,
        unit=crew["leader"].unit,
        held_on=today + dt.timedelta(days=10),
        place="会议室",
        trainer="李教官",
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.attendance_record(actor=crew["leader"], session=planned, officer=crew["officer"])
    assert "not taken place" in str(exc.value)
    assert not Attendance.objects.exists()
    with pytest.raises(ValidationError):  # more than a year ahead
        services.session_create(
            actor=crew["leader"],
            course=course,
            unit=crew["leader"].unit,
            held_on=today + dt.timedelta(days=400),
            place="会议室",
            trainer="李教官",
        )


@pytest.mark.django_db
def test_training_material_is_checked_by_content(crew, clock):
    course = services.course_create(
        actor=crew["leader"], title="信息安全", category="security", hours=2
    )
    session = services.session_create(
        actor=crew["leader"],
        course=course,
        unit=crew["leader"].unit,
        held_on=timezone.localdate(),
        place="会议室",
        trainer="王老师",
    )
    with pytest.raises(ValidationError):
        services.material_add(
            actor=crew["leader"], session=session, name="x.docx", data=b"PK\x03\x04junk"
        )
    material = services.material_add(
        actor=crew["leader"], session=session, name="讲义.png", data=PNG
    )
    assert material.file.content_type == "image/jpeg"
    with pytest.raises(PermissionDenied):
        services.material_add(actor=crew["officer"], session=session, name="a.png", data=PNG)


# --- lapsed training: flagged, and blocking when configured -------------------------------------


def _quota_and_course(crew):
    services.requirement_set(
        actor=crew["bureau"], role=Role.TRACKING_OFFICER, category="law", unit="hours", quota=4
    )
    return services.course_create(actor=crew["leader"], title="法律法规", category="law", hours=4)


@pytest.mark.django_db
def test_lapsed_training_is_flagged_then_blocks_when_configured(crew, security, clock):
    officer, colleague = crew["officer"], crew["colleague"]
    _seasoned(officer, colleague)
    course = _quota_and_course(crew)
    PersonFactory(actor=crew["leader"], name="甄培训")
    session = services.session_create(
        actor=crew["leader"],
        course=course,
        unit=crew["leader"].unit,
        held_on=timezone.localdate() - dt.timedelta(days=20),
        place="会议室",
        trainer="李教官",
        pass_mark=60,
    )
    services.attendance_record(actor=crew["leader"], session=session, officer=colleague, score=90)
    services.attendance_record(actor=crew["leader"], session=session, officer=officer, score=40)

    status = selectors.training_status(officer)
    assert status.lapsed and status.lapsed_training[0].done == Decimal(0)  # failed the test
    assert not selectors.training_status(colleague).lapsed
    flagged = [o for o, _s in selectors.lapsed_officers(crew["leader"])]
    assert officer in flagged and colleague not in flagged
    home = login(Client(), crew["leader"]).get("/", **EN).content.decode()
    assert 'data-testid="home-lapsed"' in home
    assert officer.real_name in home.split('data-testid="home-lapsed"')[1]

    client = login(Client(), officer)
    assert client.get("/subjects/", **EN).status_code == 200  # flagged only: not configured
    services.policy_set(actor=security, training_lapse_blocks=True)
    blocked = client.get("/subjects/", **EN)
    assert blocked.status_code == 403
    assert "甄培训" not in blocked.content.decode()
    assert "lapsed" in blocked.content.decode()
    assert client.get("/api/v1/subjects/", **EN).status_code == 403
    assert login(Client(), colleague).get("/subjects/", **EN).status_code == 200
    assert client.get("/staff/me/", **EN).status_code == 200  # sees what is missing

    # trained again: the retest passes, the gate opens
    services.attendance_record(actor=crew["leader"], session=session, officer=officer, score=75)
    assert client.get("/subjects/", **EN).status_code == 200


@pytest.mark.django_db
def test_a_lapsed_certificate_is_flagged_and_a_renewal_clears_it(crew, security):
    officer = crew["officer"]
    _seasoned(officer)
    today = timezone.localdate()
    with time_machine.travel(TODAY - dt.timedelta(days=400), tick=False):
        services.certificate_add(
            actor=crew["leader"],
            officer=officer,
            name="信息安全资格证",
            issued_on=timezone.localdate() - dt.timedelta(days=10),
            expires_on=timezone.localdate() + dt.timedelta(days=30),
        )
    with time_machine.travel(TODAY, tick=False):
        today = timezone.localdate()
        status = selectors.training_status(officer)
        assert [c.name for c in status.lapsed_certificates] == ["信息安全资格证"]
        services.policy_set(actor=security, training_lapse_blocks=True)
        assert login(Client(), officer).get("/subjects/", **EN).status_code == 403
        services.certificate_add(
            actor=crew["leader"],
            officer=officer,
            name="信息安全资格证",
            issued_on=today,
            expires_on=today + dt.timedelta(days=365),
        )
        assert not selectors.training_status(officer).lapsed
        assert login(Client(), officer).get("/subjects/", **EN).status_code == 200


@pytest.mark.django_db
def test_only_the_security_administrator_sets_the_blocking_policy(crew):
    for who in ("leader", "bureau", "admin", "officer"):
        with pytest.raises(PermissionDenied):
            services.policy_set(actor=crew[who], training_lapse_blocks=True)
    with pytest.raises(PermissionDenied):
        services.requirement_set(
            actor=crew["leader"], role=Role.TRACKING_OFFICER, category="", unit="hours", quota=4
        )


@pytest.mark.django_db
def test_training_api_returns_own_records(crew, clock):
    _seasoned(crew["officer"])
    course = _quota_and_course(crew)
    session = services.session_create(
        actor=crew["leader"],
        course=course,
        unit=crew["leader"].unit,
        held_on=timezone.localdate() - dt.timedelta(days=2),
        place="会议室",
        trainer="李教官",
    )
    services.attendance_record(actor=crew["leader"], session=session, officer=crew["officer"])
    data = login(Client(), crew["officer"]).get("/api/v1/staff/training/", **EN).json()
    assert data["lapsed"] is False
    assert data["records"][0]["course"] == "法律法规"
    assert data["quotas"][0]["met"] is True
    me = login(Client(), crew["officer"]).get("/api/v1/staff/me/", **EN).json()
    assert me["id"] == crew["officer"].pk and me["training"]["records"]
