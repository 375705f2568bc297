"""Resetting an officer's password and second factor is a request (issue #12): the system
administrator asks, a security administrator of the same bureau (not the requester) approves,
and only the approver sees the temporary password — short-lived, good for one login, after
which the officer chooses their own password and enrols a new phone. The system administrator
can therefore never log in as the officer."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.choices import GrantKind, GrantStatus
from casebook.accounts.models import ApiToken, GrantRequest, User
from casebook.accounts.roles import Role
from casebook.accounts.services import (
    api_token_create,
    credential_reset_approve,
    credential_reset_request,
    mfa_reset,
    user_issue_temporary_password,
)
from casebook.audit.models import AuditEvent
from casebook.tracking.models import Notification
from conftest import PASSWORD, login

LOGIN = "/accounts/login/"


@pytest.fixture
def people(org, make_user):
    officer = make_user(Role.TRACKING_OFFICER, org["a"], username="300001", email="")
    User.objects.filter(pk=officer.pk).update(last_login=timezone.now())  # an account in use
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    api_token_create(actor=officer, name="phone app")
    sysadmin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
    secadmin = make_user(Role.SECURITY_ADMIN, org["bureau"])
    return {
        "officer": User.objects.get(pk=officer.pk),
        "sys": sysadmin,
        "sec": secadmin,
        "sec_other": make_user(Role.SECURITY_ADMIN, org["other_bureau"]),
    }


def ask(client, officer, reason="忘记密码，本人到场核实"):
    return client.post(f"/accounts/users/{officer.pk}/credential-reset/", {"reason": reason})


def approve(client, grant):
    return client.post(f"/accounts/grants/{grant.pk}/approve/", {"note": ""})


def pending_reset(officer) -> GrantRequest:
    return GrantRequest.objects.get(
        user=officer, kind=GrantKind.CREDENTIAL_RESET, status=GrantStatus.PENDING
    )


@pytest.mark.django_db
def test_the_system_administrator_can_no_longer_reset_directly(people):
    sys_client, officer = login(Client(), people["sys"]), people["officer"]
    sys_client.post(f"/accounts/users/{officer.pk}/temporary-password/")
    with pytest.raises(PermissionDenied):
        user_issue_temporary_password(actor=people["sys"], user=officer)
    with pytest.raises(PermissionDenied):
        mfa_reset(actor=people["sys"], user=officer)
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD) and not officer.must_change_password
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


@pytest.mark.django_db
def test_request_changes_nothing_until_approved(people):
    sys_client, officer = login(Client(), people["sys"]), people["officer"]
    response = ask(sys_client, officer)
    assert response.status_code == 302
    grant = pending_reset(officer)
    assert grant.requested_by == people["sys"] and grant.bureau == officer.unit.bureau
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD) and not officer.must_change_password
    assert TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(
        action="account.credential_reset_request", object_id=str(officer.pk)
    ).exists()
    # a reason is required; a second request while one is pending is refused
    assert ask(sys_client, officer, reason="").status_code == 302
    with pytest.raises(Exception):  # noqa: B017 - ValidationError or the DB constraint
        credential_reset_request(actor=people["sys"], user=officer, reason="again")
    assert GrantRequest.objects.filter(kind=GrantKind.CREDENTIAL_RESET).count() == 1


@pytest.mark.django_db
def test_only_the_approver_sees_the_password(people, django_capture_on_commit_callbacks):
    sys_client, officer = login(Client(), people["sys"]), people["officer"]
    ask(sys_client, officer)
    grant = pending_reset(officer)
    sec_client = login(Client(), people["sec"])
    with django_capture_on_commit_callbacks(execute=True):
        response = approve(sec_client, grant)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = response.context["password"]
    assert password and password in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(password) and officer.must_change_password
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not ApiToken.objects.filter(user=officer, revoked_at__isnull=True).exists()
    # the requester: no page, message, notification or audit detail holds the password
    for url in (
        f"/accounts/users/{officer.pk}/",
        "/accounts/users/",
        "/",
        "/tasks/notifications/",
    ):
        body = sys_client.get(url, follow=True).content.decode()
        assert password not in body, url
    assert password not in json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))
    assert not any(password in n.text for n in Notification.objects.all())
    # the officer and the requester are told
    assert Notification.objects.filter(user=officer).exists()
    assert Notification.objects.filter(user=people["sys"]).exists()
    event = AuditEvent.objects.get(action="account.credential_reset")
    assert event.actor_id == people["sec"].pk and event.details["requested_by"] == people["sys"].pk


@pytest.mark.django_db
def test_the_requester_or_another_bureau_cannot_approve(people, org):
    sys_client, officer = login(Client(), people["sys"]), people["officer"]
    ask(sys_client, officer)
    grant = pending_reset(officer)
    # the system administrator has no approval duty at all
    assert approve(sys_client, grant).status_code == 403
    with pytest.raises(PermissionDenied):
        credential_reset_approve(actor=people["sys"], request=grant)
    # a security administrator who made the request themselves is refused (a second person)
    GrantRequest.objects.filter(pk=grant.pk).update(requested_by=people["sec"])
    response = approve(login(Client(), people["sec"]), grant)
    assert response.status_code == 302
    assert "temporary-password" not in response.content.decode()
    # another bureau's security administrator: the request does not exist for them
    GrantRequest.objects.filter(pk=grant.pk).update(requested_by=people["sys"])
    assert approve(login(Client(), people["sec_other"]), grant).status_code == 404
    assert pending_reset(officer).pk == grant.pk
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD) and not officer.must_change_password


@pytest.mark.django_db
def test_temporary_password_works_once_then_own_password_and_new_phone(people):
    ask(login(Client(), people["sys"]), people["officer"])
    password = credential_reset_approve(
        actor=people["sec"], request=pending_reset(people["officer"])
    )
    first = Client()
    response = first.post(LOGIN, {"username": "300001", "password": password})
    assert response["Location"].startswith("/accounts/login/password/")
    # a second login with the same temporary password is refused
    again = Client().post(LOGIN, {"username": "300001", "password": password})
    assert again.status_code == 200 and "_auth_user_id" not in again.wsgi_request.session
    new = "a quiet passphrase of my own"
    response = first.post("/accounts/login/password/", {"new_password": new, "new_password2": new})
    # the officer's role needs no second factor, but after a reset they enrol a new phone
    assert response["Location"].startswith("/accounts/login/enrol/")
    assert "_auth_user_id" not in first.session
    first.get("/accounts/login/enrol/")
    device = TOTPDevice.objects.get(user=people["officer"], confirmed=False)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = first.post("/accounts/login/enrol/", {"token": f"{code:06d}"})
    assert first.session["_auth_user_id"] == str(people["officer"].pk)
    officer = User.objects.get(pk=people["officer"].pk)
    assert officer.check_password(new) and not officer.must_change_password
    assert officer.temporary_password_until is None


@pytest.mark.django_db
def test_temporary_password_expires_after_hours(people):
    ask(login(Client(), people["sys"]), people["officer"])
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        password = credential_reset_approve(
            actor=people["sec"], request=pending_reset(people["officer"])
        )
        traveller.shift(timedelta(hours=9))
        response = Client().post(LOGIN, {"username": "300001", "password": password})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="auth.login", outcome="denied", details__reason="temporary_password_expired"
    ).exists()


@pytest.mark.django_db
def test_break_glass_command_still_resets_on_the_server(people):
    call_command("reset_credentials", "300001", "--mfa")
    officer = User.objects.get(pk=people["officer"].pk)
    assert officer.must_change_password and not TOTPDevice.objects.filter(user=officer).exists()
