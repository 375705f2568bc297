"""The confidentiality pledge (五(二)2): once a version is in force, an officer who has not signed
it reads no personal data on any page or API call; signing (with the password) unlocks; a new
version locks everyone again; signing twice is refused with nothing written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.staff import services
from casebook.staff.models import PledgeSignature, PledgeVersion
from casebook.testing.factories import PersonFactory
from conftest import PASSWORD, login

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def security(make_user, org):
    return make_user(Role.SECURITY_ADMIN, org["bureau"])


@pytest.fixture
def subject(crew):
    return PersonFactory(actor=crew["leader"], name="甄秘密")


def issue(security, text="不泄露跟踪工作秘密。"):
    return services.pledge_issue(actor=security, title="保密承诺书", text=text)


def sign(user, version):
    return services.pledge_sign(actor=user, version=version, password=PASSWORD)


@pytest.mark.django_db
def test_without_a_pledge_in_force_nobody_is_gated(crew, subject):
    response = login(Client(), crew["officer"]).get("/subjects/", **EN)
    assert response.status_code == 200
    assert "甄秘密" in response.content.decode()


@pytest.mark.django_db
def test_unsigned_officer_reads_no_personal_data_on_pages(crew, subject, security):
    issue(security)
    client = login(Client(), crew["officer"])
    for url in ("/subjects/", f"/subjects/{subject.pk}/", "/", "/tasks/", "/records/"):
        response = client.get(url, **EN)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "甄秘密" not in body, url
        assert "Sign the confidentiality pledge first" in body
        assert 'href="/staff/pledge/"' in body
    # the pledge itself, logging out and the language switch stay open
    assert client.get("/staff/pledge/", **EN).status_code == 200
    assert client.get("/staff/me/", **EN).status_code == 200


@pytest.mark.django_db
def test_unsigned_officer_reads_no_personal_data_through_the_api(crew, subject, security):
    issue(security)
    _token, key = api_token_create(actor=crew["officer"], name="app")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}", **EN}
    response = Client().get("/api/v1/subjects/", **auth)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Sign the confidentiality pledge first"
    assert "甄秘密" not in response.content.decode()
    assert Client().get(f"/api/v1/subjects/{subject.pk}/", **auth).status_code == 403
    # the pledge endpoints answer, and signing through them unlocks the API
    status = Client().get("/api/v1/staff/pledge/", **auth).json()
    assert status["signed"] is False
    signed = Client().post(
        "/api/v1/staff/pledge/sign/",
        {"version": status["version"]["id"], "password": PASSWORD},
        content_type="application/json",
        **auth,
    )
    assert signed.status_code == 201, signed.content
    assert Client().get("/api/v1/subjects/", **auth).status_code == 200


@pytest.mark.django_db
def test_signing_unlocks_and_a_new_version_locks_again(crew, subject, security, make_user, org):
    # another bureau's pledge, signed there first: ids of versions, signatures and bureaus differ
    elsewhere = make_user(Role.TRACKING_OFFICER, org["c"])
    sign(elsewhere, issue(make_user(Role.SECURITY_ADMIN, org["other_bureau"])))
    version = issue(security)
    client = login(Client(), crew["officer"])
    # a wrong password: refused, recorded, nothing signed
    wrong = client.post("/staff/pledge/", {"version": version.pk, "password": "nope"}, **EN)
    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.content.decode()
    assert not PledgeSignature.objects.filter(officer=crew["officer"]).exists()
    assert AuditEvent.objects.filter(action="staff.pledge_sign", outcome="failure").exists()
    done = client.post("/staff/pledge/", {"version": version.pk, "password": PASSWORD}, **EN)
    assert done.status_code == 302
    signature = PledgeSignature.objects.get(officer=crew["officer"], version=version)
    assert signature.signed_at is not None
    assert AuditEvent.objects.filter(
        action="staff.pledge_sign", outcome="success", actor_id=crew["officer"].pk
    ).exists()
    page = client.get("/subjects/", **EN)
    assert page.status_code == 200 and "甄秘密" in page.content.decode()

    issue(security, text="第二版：不泄露、不私存。")
    again = client.get("/subjects/", **EN)
    assert again.status_code == 403
    assert "甄秘密" not in again.content.decode()


@pytest.mark.django_db
def test_a_pledge_signed_twice_is_refused_and_nothing_is_written(crew, security):
    version = issue(security)
    sign(crew["officer"], version)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        sign(crew["officer"], version)
    assert "already signed" in str(exc.value)
    assert PledgeSignature.objects.filter(officer=crew["officer"]).count() == 1
    assert AuditEvent.objects.filter(action="staff.pledge_sign", outcome="success").count() == 1
    # a version no longer in force cannot be signed either
    old = version
    issue(security, text="第二版")
    with pytest.raises(ValidationError):
        sign(crew["colleague"], old)
    assert not PledgeSignature.objects.filter(officer=crew["colleague"]).exists()


@pytest.mark.django_db
def test_signing_twice_through_the_api_answers_400(crew, security):
    version = issue(security)
    client = login(Client(), crew["officer"])
    body = {"version": version.pk, "password": PASSWORD}
    first = client.post("/api/v1/staff/pledge/sign/", body, content_type="application/json", **EN)
    assert first.status_code == 201
    second = client.post("/api/v1/staff/pledge/sign/", body, content_type="application/json", **EN)
    assert second.status_code == 400
    assert second["Content-Type"] == "application/problem+json"
    assert PledgeSignature.objects.count() == 1


@pytest.mark.django_db
def test_only_the_security_administrator_issues_a_pledge(crew, security):
    for who in ("officer", "leader", "bureau", "admin"):
        with pytest.raises(PermissionDenied):
            services.pledge_issue(actor=crew[who], title="t", text="x")
    assert not PledgeVersion.objects.exists()
    v1, v2 = issue(security), issue(security)
    assert (v1.number, v2.number) == (1, 2)
    assert AuditEvent.objects.filter(action="staff.pledge_issue").count() == 2


@pytest.mark.django_db
def test_administrators_are_not_gated(crew, security):
    issue(security)
    assert login(Client(), crew["admin"]).get("/accounts/users/", **EN).status_code == 200
    assert login(Client(), security).get("/staff/pledge/manage/", **EN).status_code == 200


@pytest.mark.django_db
def test_another_bureaus_pledge_gates_only_its_own_officers(crew, make_user, org, subject):
    other_security = make_user(Role.SECURITY_ADMIN, org["other_bureau"])
    issue(other_security)
    assert login(Client(), crew["officer"]).get("/subjects/", **EN).status_code == 200


@pytest.mark.django_db
def test_station_leader_home_lists_who_has_not_signed(crew, security):
    version = issue(security)
    sign(crew["leader"], version)
    sign(crew["colleague"], version)
    page = login(Client(), crew["leader"]).get("/", **EN)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="home-unsigned"' in body
    unsigned = body.split('data-testid="home-unsigned"')[1].split("</ul>")[0]
    assert crew["officer"].real_name in unsigned
    assert crew["colleague"].real_name not in unsigned
    assert crew["other_officer"].real_name not in unsigned  # another station's
