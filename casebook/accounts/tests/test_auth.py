"""Login, lockout, two factors, sessions (SECURITY.md S1–S6) and their audit events."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.models import RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import grant_request_approve, user_set_active, user_set_roles
from casebook.audit.models import AuditEvent
from conftest import PASSWORD, login

LOGIN = "/accounts/login/"


def post_login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time_machine_time()
    return f"{totp.token():06d}"


def time_machine_time() -> float:
    import time

    return time.time()


def events(action, **kw):
    return AuditEvent.objects.filter(action=action, **kw)


@pytest.fixture(autouse=True)
def _no_mfa_by_default(db):
    """Most tests here are about passwords; the MFA tests switch the policy on themselves."""
    RolePolicy.objects.update(mfa_required=False)


@pytest.mark.django_db
class TestPasswords:
    def test_common_password_refused_passphrase_accepted(self, org):  # S2
        user = User(username="123456", real_name="张三", unit=org["a"])
        with pytest.raises(ValidationError):
            validate_password("password1234", user)
        with pytest.raises(ValidationError):
            validate_password("short", user)
        validate_password("春眠不觉晓，处处闻啼鸟。", user)  # no composition rules
        validate_password("the river runs east at dawn", user)

    def test_argon2_hashes(self, make_user, settings):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        user = make_user()
        user.set_password("a long enough passphrase")
        assert user.password.startswith("argon2")


@pytest.mark.django_db
class TestLogin:
    def test_login_page_is_chinese_by_default(self, client):
        page = client.get(LOGIN).content.decode()
        assert 'lang="zh-CN"' in page
        assert "警号" in page and "登录" in page

    def test_login_page_in_english_when_chosen(self, client):
        client.cookies["casebook_language"] = "en"
        page = client.get(LOGIN).content.decode()
        assert "Police number" in page and "Log in" in page

    def test_good_login_new_session_and_event(self, client, make_user):
        user = make_user()
        client.get(LOGIN)
        before = client.cookies.get("casebook_session")
        response = post_login(client, user.username)
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.session["_auth_user_id"] == str(user.pk)
        after = client.cookies["casebook_session"].value
        assert before is None or before.value != after  # S5: new session id at login
        assert events("auth.login", actor_id=user.pk, outcome="success").count() == 1

    def test_wrong_password_clear_message_nothing_but_event(self, client, make_user):
        user = make_user()
        users_before = User.objects.count()
        response = post_login(client, user.username, "wrong password here")
        page = response.content.decode()
        assert response.status_code == 200
        assert "警号或密码不正确" in page or "not correct" in page
        assert "_auth_user_id" not in client.session
        assert User.objects.count() == users_before
        event = events("auth.login", outcome="failure").get()
        assert event.actor_name == user.username and event.actor_id is None

    def test_lockout_after_five_failures_then_released_after_ten_minutes(self, make_user):  # S3
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(5):
                post_login(client, user.username, "wrong password here")
            response = post_login(client, user.username)  # the right password, 6th try
            assert response.status_code == 429
            assert "锁定" in response.content.decode() or "locked" in response.content.decode()
            assert "_auth_user_id" not in client.session
            assert events("auth.login", outcome="denied").exists()
            traveller.shift(timedelta(minutes=9))
            assert post_login(client, user.username).status_code == 429
            # the lock runs ten minutes from the latest attempt
            traveller.shift(timedelta(minutes=10, seconds=1))
            response = post_login(client, user.username)
            assert response.status_code == 302
            assert client.session["_auth_user_id"] == str(user.pk)

    def test_lockout_is_per_account(self, make_user):
        victim, other = make_user(), make_user()
        client = Client()
        for _ in range(5):
            post_login(client, victim.username, "wrong password here")
        assert post_login(Client(), other.username).status_code == 302

    def test_disabled_user_cannot_log_in(self, client, make_user):
        admin = make_user(Role.SYSTEM_ADMIN)
        user = make_user()
        user_set_active(actor=admin, user=user, active=False, reason="离职")
        assert post_login(client, user.username).status_code == 200
        assert "_auth_user_id" not in client.session

    def test_open_redirect_refused(self, client, make_user):
        user = make_user()
        response = client.post(
            LOGIN + "?next=https://evil.example/", {"username": user.username, "password": PASSWORD}
        )
        assert response["Location"] == "/"

    def test_logout_ends_session_and_old_cookie_fails(self, make_user):  # S5
        user = make_user()
        client = Client()
        post_login(client, user.username)
        old_cookie = client.cookies["casebook_session"].value
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
        assert events("auth.logout", actor_id=user.pk).count() == 1
        replay = Client()
        replay.cookies["casebook_session"] = old_cookie
        assert replay.get("/").status_code == 302

    def test_logout_needs_post(self, make_user):
        client = login(Client(), make_user())
        assert client.get("/accounts/logout/").status_code == 405


@pytest.mark.django_db
class TestTwoFactor:
    @pytest.fixture(autouse=True)
    def _policy(self, db):
        RolePolicy.objects.filter(role=Role.STATION_LEADER).update(mfa_required=True)

    def test_password_alone_gives_no_session(self, make_user):  # S1
        leader = make_user(Role.STATION_LEADER)
        device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
        client = Client()
        response = post_login(client, leader.username)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/verify/"
        )
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302  # still anonymous
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            # a wrong code: refused with a message, still no session
            wrong = "000000" if code_for(device) != "000000" else "111111"
            response = client.post("/accounts/login/verify/", {"token": wrong})
            assert response.status_code == 200
            assert "_auth_user_id" not in client.session
            assert events("auth.mfa", outcome="failure").exists()
            traveller.shift(timedelta(seconds=3))  # django-otp throttles after a failure
            # the right code completes the login
            response = client.post("/accounts/login/verify/", {"token": code_for(device)})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(leader.pk)
        assert client.get("/").status_code == 200

    def test_missing_code_is_a_clear_error(self, make_user):
        leader = make_user(Role.STATION_LEADER)
        TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
        client = Client()
        post_login(client, leader.username)
        response = client.post("/accounts/login/verify/", {"token": ""})
        assert response.status_code == 200
        assert (
            "errorlist" in response.content.decode()
            or "invalid-feedback" in response.content.decode()
        )
        assert "_auth_user_id" not in client.session

    def test_enrolment_required_then_login(self, make_user):
        leader = make_user(Role.STATION_LEADER)
        client = Client()
        response = post_login(client, leader.username)
        assert response["Location"].startswith("/accounts/login/enrol/")
        page = client.get("/accounts/login/enrol/").content.decode()
        assert "data:image/svg+xml" in page  # the QR code, served inline, no external call
        device = TOTPDevice.objects.get(user=leader, confirmed=False)
        response = client.post("/accounts/login/enrol/", {"token": code_for(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.session["_auth_user_id"] == str(leader.pk)
        assert events("mfa.enrol", outcome="success").exists()

    def test_policy_switched_on_ends_unverified_session(self, make_user):
        officer = make_user(Role.TRACKING_OFFICER)
        client = Client()
        post_login(client, officer.username)
        assert client.get("/").status_code == 200
        RolePolicy.objects.filter(role=Role.TRACKING_OFFICER).update(mfa_required=True)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert events("auth.session_end", details__reason="mfa").exists()

    def test_pending_login_expires(self, make_user):
        leader = make_user(Role.STATION_LEADER)
        device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, leader.username)
            traveller.shift(timedelta(minutes=6))
            response = client.post("/accounts/login/verify/", {"token": code_for(device)})
            assert response.status_code == 302 and response["Location"] == LOGIN
            assert "_auth_user_id" not in client.session


@pytest.mark.django_db
class TestSessions:
    def test_idle_timeout(self, make_user):  # S4
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            traveller.shift(timedelta(minutes=29))
            assert client.get("/").status_code == 200
            traveller.shift(timedelta(minutes=31))
            response = client.get("/")
            assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert events("auth.session_end", details__reason="idle").exists()

    def test_absolute_timeout(self, make_user):  # S4
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            for _ in range(12 * 3 + 1):  # active every 20 minutes for over 12 hours
                traveller.shift(timedelta(minutes=20))
                client.get("/")
            response = client.get("/")
            assert response.status_code == 302
        assert events("auth.session_end", details__reason="absolute").exists()

    def test_disabling_takes_effect_on_next_request(self, make_user):  # S5
        admin = make_user(Role.SYSTEM_ADMIN)
        user = make_user()
        client = login(Client(), user)
        assert client.get("/").status_code == 200
        user_set_active(actor=admin, user=user, active=False, reason="调离")
        assert client.get("/").status_code == 302

    def test_revoking_a_role_takes_effect_on_next_request(self, org, make_user):  # S5
        admin = make_user(Role.SYSTEM_ADMIN, org["bureau"])
        secadmin = make_user(Role.SECURITY_ADMIN, org["bureau"])
        auditor = make_user(Role.AUDIT_ADMIN, org["bureau"])
        client = login(Client(), auditor)
        assert client.get("/audit/").status_code == 200
        # revoking an administrator role needs the security administrator (三员分立)
        request = user_set_roles(actor=admin, user=auditor, roles=set())
        assert client.get("/audit/").status_code == 200
        grant_request_approve(actor=secadmin, request=request)
        assert client.get("/audit/").status_code == 403

    def test_step_up_asks_for_password_when_stale(self, make_user):  # S6
        user = make_user()
        client = Client()
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            post_login(client, user.username)
            assert client.get("/accounts/profile/2fa/").status_code == 200
            traveller.shift(timedelta(minutes=6))
            response = client.get("/accounts/profile/2fa/")
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/reauth/")
            wrong = client.post(response["Location"], {"password": "not my password"})
            assert wrong.status_code == 200
            ok = client.post(response["Location"], {"password": PASSWORD})
            assert ok.status_code == 302 and ok["Location"] == "/accounts/profile/2fa/"
            assert client.get("/accounts/profile/2fa/").status_code == 200
        assert events("auth.step_up", outcome="failure").count() == 1


@pytest.mark.django_db
def test_forged_csrf_token_refused_and_logged(make_user):
    user = make_user()
    client = login(Client(enforce_csrf_checks=True), user)
    response = client.post(
        "/accounts/profile/",
        {
            "change_password": "1",
            "old_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
            "csrfmiddlewaretoken": "forged",
        },
    )
    assert response.status_code == 403
    assert "拒绝" in response.content.decode() or "refused" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # nothing written…
    assert events("security.csrf", outcome="denied").count() == 1  # …but the audit event


@pytest.mark.django_db
def test_change_own_password(make_user):
    user = make_user()
    client = login(Client(), user)
    response = client.post(
        "/accounts/profile/",
        {
            "change_password": "1",
            "old_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    assert client.get("/").status_code == 200  # the session survives its own password change
    bad = client.post(
        "/accounts/profile/",
        {
            "change_password": "1",
            "old_password": "a brand new passphrase",
            "new_password": "12345678",
            "new_password2": "12345678",
        },
    )
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


@pytest.mark.django_db
def test_reverse_urls_exist():
    for name in (
        "accounts:login",
        "accounts:logout",
        "accounts:profile",
        "accounts:users",
        "accounts:security",
        "audit:log",
        "accounts:units",
    ):
        assert reverse(name)


@pytest.mark.django_db
def test_account_check_lists_demo_dormant_and_unprotected(make_user, settings, capsys):
    from django.core.management import call_command

    RolePolicy.objects.filter(role=Role.STATION_LEADER).update(mfa_required=True)
    demo = make_user(Role.TRACKING_OFFICER, is_demo=True)
    old = make_user(Role.TRACKING_OFFICER)
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=200))
    leader = make_user(Role.STATION_LEADER)
    call_command("account_check")
    out = capsys.readouterr().out
    assert "demo accounts: 1" in out and demo.username in out
    assert "dormant accounts (90 days): 1" in out and old.username in out
    assert "not enrolled: 1" in out and leader.username in out
    settings.PRODUCTION = True
    with pytest.raises(SystemExit) as exc:
        call_command("account_check")
    assert exc.value.code == 1
