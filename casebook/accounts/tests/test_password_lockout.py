"""The step-up prompt and the password change lock like the login (SECURITY.md S3)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casebook.accounts.models import RolePolicy
from casebook.accounts.roles import Role
from casebook.audit.models import AuditEvent
from conftest import PASSWORD, login

REAUTH = "/accounts/reauth/?next=/accounts/profile/"
WRONG = "not my password at all"


@pytest.fixture
def officer(make_user):
    RolePolicy.objects.update_or_create(
        role=Role.TRACKING_OFFICER, defaults={"mfa_required": False}
    )
    return make_user(Role.TRACKING_OFFICER)


def change(client, old):
    return client.post(
        "/accounts/profile/",
        {
            "change_password": "1",
            "old_password": old,
            "new_password": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )


def can_log_in(user) -> bool:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_reauth_guesses_lock_the_account_and_end_the_session(officer):
    client = login(Client(), officer)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            assert client.post(REAUTH, {"password": WRONG}).status_code == 200
        locked = client.post(REAUTH, {"password": WRONG})  # the fifth wrong answer
        assert locked.status_code == 429
        assert "_auth_user_id" not in client.session  # logged out
        assert client.get("/accounts/profile/").status_code == 302  # to the login page
        assert not can_log_in(officer)  # the account is locked, as after five bad logins
        assert (
            AuditEvent.objects.filter(
                action="auth.step_up", outcome="failure", actor_id=officer.pk
            ).count()
            == 5
        )
        denied = AuditEvent.objects.get(action="auth.step_up", outcome="denied")
        assert denied.details == {"reason": "locked"} and denied.actor_id == officer.pk
        traveller.shift(timedelta(minutes=10, seconds=1))
        assert can_log_in(officer)


# Sessions are opened before the failures: a login (force_login too) clears them, as it should.


@pytest.mark.django_db
def test_right_password_in_reauth_refused_while_locked(officer):
    client = login(Client(), officer)  # a session opened before the lock
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            Client().post("/accounts/login/", {"username": officer.username, "password": WRONG})
        response = client.post(REAUTH, {"password": PASSWORD})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failures_at_login_and_reauth_add_up(officer):
    client = login(Client(), officer)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(4):
            Client().post("/accounts/login/", {"username": officer.username, "password": WRONG})
        assert client.post(REAUTH, {"password": WRONG}).status_code == 429
        assert not can_log_in(officer)


@pytest.mark.django_db
def test_right_password_in_reauth_clears_the_failures(officer):
    client = login(Client(), officer)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            Client().post("/accounts/login/", {"username": officer.username, "password": WRONG})
        assert client.post(REAUTH, {"password": PASSWORD}).status_code == 302
        for _ in range(4):
            assert client.post(REAUTH, {"password": WRONG}).status_code == 200
        assert client.post(REAUTH, {"password": WRONG}).status_code == 429


@pytest.mark.django_db
def test_password_change_guesses_lock_the_account(officer):
    client, other_session = login(Client(), officer), login(Client(), officer)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(4):
            assert change(client, WRONG).status_code == 200
        assert change(client, WRONG).status_code == 429
        assert "_auth_user_id" not in client.session
        officer.refresh_from_db()
        assert officer.check_password(PASSWORD)  # nothing changed
        assert (
            AuditEvent.objects.filter(
                action="account.password", outcome="failure", actor_id=officer.pk
            ).count()
            == 5
        )
        assert AuditEvent.objects.filter(action="account.password", outcome="denied").exists()
        # even the right current password is refused while the lock lasts
        assert change(other_session, PASSWORD).status_code == 429
        officer.refresh_from_db()
        assert officer.check_password(PASSWORD)
        assert not can_log_in(officer)
