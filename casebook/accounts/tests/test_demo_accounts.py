"""No demo or shared accounts in production (SECURITY.md S7; issue #11 item 9).

The demo password is published in the README: production refuses to start while a demo account
is active, the login form refuses demo credentials, and `account_check` finds accounts whose
password was set to a demo password by hand."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command

from casebook.accounts.checks import demo_accounts_check
from casebook.accounts.demo import (
    DEMO_PASSWORD,
    accounts_with_demo_password,
    refuse_demo_accounts,
)
from casebook.accounts.models import ApiToken, RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create, demo_accounts_disable
from casebook.audit.models import AuditEvent

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _password_only(db):
    """These tests are about the password step; 2FA has tests of its own."""
    RolePolicy.objects.update(mfa_required=False)


def test_load_demo_password_is_in_the_known_list():
    from casebook.site.management.commands import load_demo

    assert load_demo.DEMO_PASSWORD == DEMO_PASSWORD == "jiangzhou-demo-2026"


@pytest.mark.django_db
class TestStartUp:
    def test_production_refuses_to_start_with_an_active_demo_account(self, make_user, settings):
        demo = make_user(Role.TRACKING_OFFICER, is_demo=True)
        settings.PRODUCTION = True
        with pytest.raises(ImproperlyConfigured, match=demo.username):
            refuse_demo_accounts()
        # the WSGI and ASGI entry points (gunicorn casebook.wsgi) run the guard
        for module in ("casebook.wsgi", "casebook.asgi"):
            sys.modules.pop(module, None)
            with pytest.raises(ImproperlyConfigured, match="Demo accounts are active"):
                importlib.import_module(module)
            sys.modules.pop(module, None)

    def test_check_deploy_reports_accounts_e001(self, make_user, settings):
        make_user(Role.TRACKING_OFFICER, is_demo=True)
        settings.PRODUCTION = True
        errors = demo_accounts_check()
        assert [e.id for e in errors] == ["accounts.E001"]
        assert errors[0].is_serious()

    def test_starts_without_demo_accounts_or_outside_production(self, make_user, settings):
        demo = make_user(Role.TRACKING_OFFICER, is_demo=True)
        make_user(Role.TRACKING_OFFICER)
        refuse_demo_accounts()  # embedded / demo mode: demo accounts are the point
        assert demo_accounts_check() == []
        settings.PRODUCTION = True
        User.objects.filter(pk=demo.pk).update(is_active=False)  # a disabled one is harmless
        refuse_demo_accounts()
        assert demo_accounts_check() == []


@pytest.mark.django_db
class TestLogin:
    def test_demo_account_cannot_log_in_in_production(self, client, make_user, settings):
        demo = make_user(Role.TRACKING_OFFICER, is_demo=True)
        settings.PRODUCTION = True
        response = client.post(
            LOGIN, {"username": demo.username, "password": "correct horse battery staple"}
        )
        assert response.status_code == 200  # the form again, with the reason
        assert "_auth_user_id" not in client.session
        assert client.get("/").status_code == 302  # still anonymous
        event = AuditEvent.objects.filter(action="auth.login", outcome="denied").latest("pk")
        assert event.details == {"reason": "demo_credentials"}
        assert event.object_id == str(demo.pk)

    def test_published_password_refused_on_any_account_in_production(
        self, client, make_user, settings
    ):
        real = make_user(Role.STATION_LEADER, password=DEMO_PASSWORD)  # not flagged
        settings.PRODUCTION = True
        client.post(LOGIN, {"username": real.username, "password": DEMO_PASSWORD})
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(
            action="auth.login", outcome="denied", details__reason="demo_credentials"
        ).exists()

    def test_demo_account_logs_in_outside_production(self, client, make_user):
        demo = make_user(Role.TRACKING_OFFICER, is_demo=True, password=DEMO_PASSWORD)
        response = client.post(LOGIN, {"username": demo.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(demo.pk)


@pytest.mark.django_db
class TestAccountCheck:
    def test_finds_a_demo_password_set_by_hand_and_exits_1_in_production(
        self, make_user, settings, capsys
    ):
        hidden = make_user(Role.TRACKING_OFFICER, password=DEMO_PASSWORD)  # not flagged
        fine = make_user(Role.TRACKING_OFFICER)
        stored = User.objects.get(pk=hidden.pk).password
        call_command("account_check")
        out = capsys.readouterr().out
        assert "demo accounts: 0" in out
        assert "accounts with a known demo password: 1" in out
        assert hidden.username in out and fine.username not in out
        assert User.objects.get(pk=hidden.pk).password == stored  # the scan rewrote nothing
        settings.PRODUCTION = True
        with pytest.raises(SystemExit) as exc:
            call_command("account_check")
        assert exc.value.code == 1
        assert "account_check --disable-demo" in capsys.readouterr().err

    def test_clean_installation_passes_in_production(self, make_user, settings, capsys):
        make_user(Role.SYSTEM_ADMIN)
        settings.PRODUCTION = True
        call_command("account_check")  # no SystemExit
        assert "accounts with a known demo password: 0" in capsys.readouterr().out

    def test_skip_password_scan_lists_flagged_accounts_only(self, make_user, capsys):
        make_user(Role.TRACKING_OFFICER, password=DEMO_PASSWORD)
        call_command("account_check", "--skip-password-scan")
        assert "known demo password" not in capsys.readouterr().out

    def test_disable_demo_disables_both_kinds_audited_and_kills_tokens(
        self, make_user, settings, capsys
    ):
        flagged = make_user(Role.TRACKING_OFFICER, is_demo=True)
        by_hand = make_user(Role.TRACKING_OFFICER, password=DEMO_PASSWORD)
        keep = make_user(Role.TRACKING_OFFICER)
        api_token_create(actor=flagged, name="integration")
        settings.PRODUCTION = True
        call_command("account_check", "--disable-demo")
        assert "disabled 2 demo account(s)" in capsys.readouterr().out
        assert set(User.objects.filter(is_active=False).values_list("pk", flat=True)) == {
            flagged.pk,
            by_hand.pk,
        }
        assert User.objects.get(pk=keep.pk).is_active
        assert not ApiToken.objects.filter(user=flagged, revoked_at__isnull=True).exists()
        disabled = AuditEvent.objects.filter(action="account.disable")
        assert {e.object_id for e in disabled} == {str(flagged.pk), str(by_hand.pk)}
        assert {e.actor_name for e in disabled} == {"installer"}
        call_command("account_check")  # production is clean now: no SystemExit
        refuse_demo_accounts()

    def test_disabling_needs_the_user_management_right(self, make_user):
        demo = make_user(Role.TRACKING_OFFICER, is_demo=True)
        officer = make_user(Role.TRACKING_OFFICER)
        with pytest.raises(PermissionDenied):
            demo_accounts_disable(actor=officer, users=[demo])
        assert User.objects.get(pk=demo.pk).is_active
        assert not AuditEvent.objects.filter(action="account.disable").exists()


def test_scan_skips_unusable_passwords(db, make_user):
    user = make_user(Role.TRACKING_OFFICER)
    User.objects.filter(pk=user.pk).update(password="!unusable")
    assert accounts_with_demo_password() == []
