"""Separation of duties (三员分立, SECURITY.md A3) and administration inside the bureau.

The system administrator asks, the security administrator of the same bureau decides; nothing
changes before the approval. Administrator and case roles never meet in one account; nobody
changes their own access; new accounts start with a temporary password that only gives way to
the officer's own; another bureau's accounts and units are absent (404, never listed)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casebook.accounts.choices import GrantStatus
from casebook.accounts.models import Compartment, GrantRequest, RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import (
    grant_request_approve,
    grant_request_reject,
    mfa_reset,
    user_change_access,
    user_create,
    user_issue_temporary_password,
    user_set_password,
)
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification as C
from casebook.core.models import Unit
from conftest import PASSWORD, login

R = Role


def english(client: Client) -> Client:
    client.cookies["casebook_language"] = "en"
    return client


@pytest.fixture
def admins(org, make_user):
    """The bureau's three administrators (two security administrators), logged in."""
    bureau = org["bureau"]
    sysadmin = make_user(R.SYSTEM_ADMIN, bureau, clearance=C.PUBLIC)
    secadmin = make_user(R.SECURITY_ADMIN, bureau, clearance=C.PUBLIC)
    secadmin2 = make_user(R.SECURITY_ADMIN, bureau, clearance=C.PUBLIC)
    return {
        "sys": sysadmin,
        "sec": secadmin,
        "sec2": secadmin2,
        "sys_client": english(login(Client(), sysadmin)),
        "sec_client": english(login(Client(), secadmin)),
    }


def new_account(client, unit, roles, **extra):
    data = {"username": "700001", "real_name": "新人", "unit": unit.pk, "clearance": 1}
    data.update(roles=roles, **extra)
    return client.post("/accounts/users/new/", data)


@pytest.mark.django_db
class TestApproval:
    def test_sysadmin_grants_audit_role_pending_not_effective(self, org, admins):
        response = new_account(admins["sys_client"], org["bureau"], [R.AUDIT_ADMIN])
        assert response.status_code == 200
        user = User.objects.get(username="700001")
        assert user.role_set == frozenset()  # not effective before the approval
        grant = GrantRequest.objects.get(user=user)
        assert grant.status == GrantStatus.PENDING and grant.roles == [R.AUDIT_ADMIN]
        assert grant.requested_by == admins["sys"] and grant.bureau == org["bureau"]
        assert AuditEvent.objects.filter(
            action="account.grant_request", actor_id=admins["sys"].pk, object_id=str(user.pk)
        ).exists()
        # the account, logged in, still cannot read the audit log
        RolePolicy.objects.update(mfa_required=False)
        assert login(Client(), user).get("/audit/").status_code == 403

    def test_security_admin_approves_then_effective_and_audited(self, org, admins):
        new_account(admins["sys_client"], org["bureau"], [R.AUDIT_ADMIN], reason="新任审计管理员")
        user = User.objects.get(username="700001")
        grant = GrantRequest.objects.get(user=user)
        queue = admins["sec_client"].get("/accounts/grants/")
        assert queue.status_code == 200
        html = queue.content.decode()
        assert f'data-testid="grant-{grant.pk}"' in html and "新任审计管理员" in html
        assert 'data-testid="nav-badge">1<' in html  # the badge on the menu link
        response = admins["sec_client"].post(
            f"/accounts/grants/{grant.pk}/approve/", {"note": "核实身份"}
        )
        assert response.status_code == 302
        user = User.objects.get(pk=user.pk)
        assert user.role_set == {R.AUDIT_ADMIN}
        grant.refresh_from_db()
        assert grant.status == GrantStatus.APPROVED and grant.decided_by == admins["sec"]
        event = AuditEvent.objects.get(action="account.grant_approve", object_id=str(user.pk))
        assert event.actor_id == admins["sec"].pk
        assert event.details["roles"]["granted"] == [R.AUDIT_ADMIN]
        assert event.details["requested_by"] == admins["sys"].pk
        page = admins["sec_client"].get("/accounts/grants/").content.decode()
        assert "核实身份" in page and 'data-testid="nav-badge"' not in page
        # decided once: a second approval is refused
        with pytest.raises(ValidationError):
            grant_request_approve(actor=admins["sec2"], request=grant)

    def test_clearance_and_compartments_wait_for_approval(self, org, admins, make_user):
        leader = make_user(R.STATION_LEADER, clearance=C.INTERNAL)
        informants = Compartment.objects.get(code="informants")
        grant = user_change_access(
            actor=admins["sys"],
            user=leader,
            clearance=C.SECRET,
            compartments=[informants],
        )
        leader = User.objects.get(pk=leader.pk)
        assert grant is not None and grant.is_pending
        assert leader.clearance == C.INTERNAL and leader.compartment_codes == frozenset()
        grant_request_approve(actor=admins["sec"], request=grant)
        leader = User.objects.get(pk=leader.pk)
        assert leader.clearance == C.SECRET and leader.compartment_codes == {"informants"}

    def test_reject_needs_a_note_and_keeps_access(self, org, admins, make_user):
        officer = make_user(R.TRACKING_OFFICER, clearance=C.INTERNAL)
        grant = user_change_access(actor=admins["sys"], user=officer, clearance=C.SECRET)
        response = admins["sec_client"].post(f"/accounts/grants/{grant.pk}/reject/", {"note": ""})
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.is_pending  # a rejection says why
        grant_request_reject(actor=admins["sec"], request=grant, note="无此需要")
        grant.refresh_from_db()
        assert grant.status == GrantStatus.REJECTED
        assert User.objects.get(pk=officer.pk).clearance == C.INTERNAL
        assert AuditEvent.objects.filter(action="account.grant_reject").exists()

    def test_case_roles_and_lowering_take_effect_at_once(self, admins, make_user):
        officer = make_user(R.TRACKING_OFFICER, clearance=C.CONFIDENTIAL)
        grant = user_change_access(
            actor=admins["sys"],
            user=officer,
            roles={R.TRACKING_OFFICER, R.ANALYST},
            clearance=C.INTERNAL,
        )
        assert grant is None
        officer = User.objects.get(pk=officer.pk)
        assert officer.role_set == {R.TRACKING_OFFICER, R.ANALYST}
        assert officer.clearance == C.INTERNAL

    def test_a_pending_request_blocks_other_changes_until_withdrawn(self, admins, make_user):
        officer = make_user(R.TRACKING_OFFICER, clearance=C.INTERNAL)
        grant = user_change_access(actor=admins["sys"], user=officer, clearance=C.CONFIDENTIAL)
        detail = admins["sys_client"].get(f"/accounts/users/{officer.pk}/").content.decode()
        assert 'data-testid="pending-request"' in detail
        listing = admins["sys_client"].get("/accounts/users/").content.decode()
        assert "Awaiting approval" in listing or "待审批" in listing
        with pytest.raises(ValidationError):
            user_change_access(actor=admins["sys"], user=officer, roles={R.ANALYST})
        assert User.objects.get(pk=officer.pk).role_set == {R.TRACKING_OFFICER}
        response = admins["sys_client"].post(f"/accounts/grants/{grant.pk}/withdraw/")
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.status == GrantStatus.WITHDRAWN
        assert user_change_access(actor=admins["sys"], user=officer, roles={R.ANALYST}) is None


@pytest.mark.django_db
class TestSecondPerson:
    def test_no_decision_on_a_request_about_oneself(self, admins):
        """A request about a security administrator is decided by another one."""
        grant = user_change_access(actor=admins["sys"], user=admins["sec"], clearance=C.SECRET)
        assert grant is not None  # changing an administrator needs approval
        response = admins["sec_client"].post(f"/accounts/grants/{grant.pk}/approve/")
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.is_pending
        assert User.objects.get(pk=admins["sec"].pk).clearance == C.PUBLIC
        assert AuditEvent.objects.filter(
            action="account.grant_approve", outcome="denied", actor_id=admins["sec"].pk
        ).exists()
        grant_request_approve(actor=admins["sec2"], request=grant)
        assert User.objects.get(pk=admins["sec"].pk).clearance == C.SECRET

    def test_no_approval_of_ones_own_request(self, org, admins, make_user):
        """Whoever asked (say, before moving from system to security administration) never
        decides the same request."""
        officer = make_user(R.TRACKING_OFFICER)
        grant = GrantRequest.objects.create(
            user=officer,
            bureau=org["bureau"],
            roles=[R.TRACKING_OFFICER],
            clearance=C.SECRET,
            previous={"roles": [R.TRACKING_OFFICER], "clearance": 1, "compartments": []},
            requested_by=admins["sec"],
        )
        with pytest.raises(PermissionDenied):
            grant_request_approve(actor=admins["sec"], request=grant)
        grant.refresh_from_db()
        assert grant.is_pending
        assert User.objects.get(pk=officer.pk).clearance == C.CONFIDENTIAL

    def test_the_system_admin_cannot_decide(self, admins, make_user):
        officer = make_user(R.TRACKING_OFFICER, clearance=C.INTERNAL)
        grant = user_change_access(actor=admins["sys"], user=officer, clearance=C.SECRET)
        assert admins["sys_client"].get("/accounts/grants/").status_code == 403
        response = admins["sys_client"].post(f"/accounts/grants/{grant.pk}/approve/")
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            grant_request_approve(actor=admins["sys"], request=grant)
        assert User.objects.get(pk=officer.pk).clearance == C.INTERNAL

    def test_admin_cannot_reset_another_administrators_credentials(self, org, admins, make_user):
        auditor = make_user(R.AUDIT_ADMIN, org["bureau"], clearance=C.PUBLIC)
        TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
        client = admins["sys_client"]
        client.post(f"/accounts/users/{auditor.pk}/temporary-password/")
        client.post(f"/accounts/users/{auditor.pk}/credential-reset/")
        auditor = User.objects.get(pk=auditor.pk)
        assert auditor.check_password(PASSWORD) and not auditor.must_change_password
        assert TOTPDevice.objects.filter(user=auditor, confirmed=True).exists()
        with pytest.raises(PermissionDenied):
            mfa_reset(actor=admins["sys"], user=auditor)
        # the operator on the server can (manage.py reset_credentials)
        call_command("reset_credentials", auditor.username, "--mfa")
        auditor = User.objects.get(pk=auditor.pk)
        assert auditor.must_change_password and not auditor.check_password(PASSWORD)
        assert not TOTPDevice.objects.filter(user=auditor).exists()

    def test_admin_never_chooses_another_persons_password(self, admins, make_user):
        officer = make_user(R.TRACKING_OFFICER)
        with pytest.raises(PermissionDenied):
            user_set_password(actor=admins["sys"], user=officer, password="a chosen passphrase")
        assert User.objects.get(pk=officer.pk).check_password(PASSWORD)


@pytest.mark.django_db
class TestRolesApart:
    @pytest.mark.parametrize(
        "roles",
        [{R.SYSTEM_ADMIN, R.STATION_LEADER}, {R.AUDIT_ADMIN, R.SUPERVISOR}],
        ids=["sysadmin+leader", "auditor+supervisor"],
    )
    def test_admin_and_case_role_refused_nothing_written(self, org, roles):
        with pytest.raises(ValidationError):
            user_create(
                actor=None,
                username="700009",
                real_name="兼任",
                unit=org["bureau"],
                password=PASSWORD,
                roles=roles,
            )
        assert not User.objects.filter(username="700009").exists()

    def test_admin_and_case_role_refused_on_the_page(self, org, admins, make_user):
        officer = make_user(R.SUPERVISOR, org["bureau"])
        response = admins["sys_client"].post(
            f"/accounts/users/{officer.pk}/",
            {
                "real_name": officer.real_name,
                "unit": officer.unit_id,
                "clearance": officer.clearance,
                "roles": [R.SUPERVISOR, R.AUDIT_ADMIN],
            },
        )
        assert response.status_code == 200
        assert "administrator role cannot be held together" in response.content.decode()
        assert not GrantRequest.objects.filter(user=officer).exists()
        assert User.objects.get(pk=officer.pk).role_set == {R.SUPERVISOR}

    def test_no_self_raise_of_clearance_or_compartments(self, admins):
        sysadmin = admins["sys"]
        response = admins["sys_client"].post(
            f"/accounts/users/{sysadmin.pk}/",
            {
                "real_name": sysadmin.real_name,
                "unit": sysadmin.unit_id,
                "clearance": C.SECRET,
                "compartments": [Compartment.objects.get(code="informants").pk],
                "roles": [R.SYSTEM_ADMIN],
            },
        )
        assert response.status_code == 200
        sysadmin = User.objects.get(pk=sysadmin.pk)
        assert sysadmin.clearance == C.PUBLIC and sysadmin.compartment_codes == frozenset()
        assert not GrantRequest.objects.filter(user=sysadmin).exists()
        assert AuditEvent.objects.filter(
            action="account.roles", outcome="denied", object_id=str(sysadmin.pk)
        ).exists()
        with pytest.raises(PermissionDenied):
            user_change_access(actor=sysadmin, user=sysadmin, clearance=C.SECRET)

    def test_profile_change_cannot_carry_clearance(self, admins, make_user):
        """The profile service writes only profile fields, whatever the caller's instance holds."""
        from casebook.accounts.services import user_update

        officer = make_user(R.TRACKING_OFFICER, clearance=C.INTERNAL)
        officer.clearance = C.SECRET  # e.g. set by a bound form on the instance
        user_update(actor=admins["sys"], user=officer, title="副所长")
        officer = User.objects.get(pk=officer.pk)
        assert officer.title == "副所长" and officer.clearance == C.INTERNAL


@pytest.mark.django_db
class TestOwnBureau:
    def test_other_bureaus_accounts_absent(self, org, admins, make_user):
        stranger = make_user(R.TRACKING_OFFICER, org["c"], real_name="外局民警")
        mine = make_user(R.TRACKING_OFFICER, org["b"], real_name="本局民警")
        client = admins["sys_client"]
        listing = client.get("/accounts/users/").content.decode()
        assert "本局民警" in listing and "外局民警" not in listing
        assert "外局民警" not in client.get("/accounts/users/?q=外局").content.decode()
        assert client.get(f"/accounts/users/{mine.pk}/").status_code == 200
        for url, method in [
            (f"/accounts/users/{stranger.pk}/", "get"),
            (f"/accounts/users/{stranger.pk}/", "post"),
            (f"/accounts/users/{stranger.pk}/active/", "post"),
            (f"/accounts/users/{stranger.pk}/credential-reset/", "post"),
            (f"/accounts/users/{stranger.pk}/temporary-password/", "post"),
        ]:
            assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, url
        stranger = User.objects.get(pk=stranger.pk)
        assert stranger.is_active and stranger.check_password(PASSWORD)
        with pytest.raises(PermissionDenied):
            user_change_access(actor=admins["sys"], user=stranger, roles={R.ANALYST})

    def test_no_account_created_in_another_bureau(self, org, admins):
        response = new_account(admins["sys_client"], org["c"], [R.TRACKING_OFFICER])
        assert response.status_code == 200
        assert 'data-testid="error-unit"' in response.content.decode()
        assert "丙派出所" not in response.content.decode()  # not even offered
        assert not User.objects.filter(username="700001").exists()
        with pytest.raises(ValidationError):
            user_create(actor=admins["sys"], username="700002", real_name="外", unit=org["c"])
        assert not User.objects.filter(username="700002").exists()

    def test_other_bureaus_units_absent(self, org, admins):
        client = admins["sys_client"]
        listing = client.get("/organisation/").content.decode()
        assert "甲派出所" in listing
        assert "他市公安局" not in listing and "丙派出所" not in listing
        assert client.get(f"/organisation/{org['c'].pk}/").status_code == 404
        assert client.get(f"/organisation/{org['other_bureau'].pk}/").status_code == 404
        response = client.post(
            f"/organisation/{org['c'].pk}/",
            {"kind": "station", "name": "改名", "code": "OC", "parent": org["other_bureau"].pk},
        )
        assert response.status_code == 404
        assert Unit.objects.get(pk=org["c"].pk).name == "丙派出所"
        # no station under another bureau, no new bureau, no move out of the bureau
        for data in (
            {"kind": "station", "name": "丁", "code": "X1", "parent": org["other_bureau"].pk},
            {"kind": "bureau", "name": "新局", "code": "X2"},
        ):
            response = client.post("/organisation/new/", {**data, "is_active": "on"})
            assert response.status_code == 200
        assert not Unit.objects.filter(code__in=["X1", "X2"]).exists()
        from casebook.accounts.services import unit_update

        with pytest.raises(ValidationError):
            unit_update(actor=admins["sys"], unit=org["b"], parent=org["other_bureau"])
        with pytest.raises(ValidationError):
            unit_update(actor=admins["sys"], unit=org["b"], kind="bureau", parent=None)
        assert Unit.objects.get(pk=org["b"].pk).parent == org["bureau"]

    def test_other_bureaus_requests_absent(self, org, make_user, admins):
        other_sys = make_user(R.SYSTEM_ADMIN, org["other_bureau"], clearance=C.PUBLIC)
        other_sec = make_user(R.SECURITY_ADMIN, org["other_bureau"], clearance=C.PUBLIC)
        stranger = make_user(R.TRACKING_OFFICER, org["c"], clearance=C.INTERNAL)
        grant = user_change_access(actor=other_sys, user=stranger, clearance=C.SECRET)
        client = admins["sec_client"]
        assert (
            f'data-testid="grant-{grant.pk}"'
            not in client.get("/accounts/grants/").content.decode()
        )
        assert client.post(f"/accounts/grants/{grant.pk}/approve/").status_code == 404
        with pytest.raises(PermissionDenied):
            grant_request_approve(actor=admins["sec"], request=grant)
        assert User.objects.get(pk=stranger.pk).clearance == C.INTERNAL
        grant_request_approve(actor=other_sec, request=grant)  # its own bureau decides
        assert User.objects.get(pk=stranger.pk).clearance == C.SECRET


@pytest.mark.django_db
class TestFirstLogin:
    LOGIN = "/accounts/login/"

    def test_new_user_must_change_password_at_first_login(self, org, admins):
        response = new_account(admins["sys_client"], org["a"], [R.TRACKING_OFFICER])
        temporary = response.context["password"]
        user = User.objects.get(username="700001")
        client = Client()
        response = client.post(self.LOGIN, {"username": "700001", "password": temporary})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/password/")
        assert "_auth_user_id" not in client.session  # no session on a temporary password
        assert client.get("/").status_code == 302
        # the second step cannot be reached round the password change
        for step in ("/accounts/login/enrol/", "/accounts/login/verify/"):
            response = client.get(step)
            assert response["Location"].startswith("/accounts/login/password/"), step
        assert not TOTPDevice.objects.filter(user=user).exists()
        # the temporary one is refused as the new password; a weak one too
        for bad in (temporary, "12345678"):
            page = client.post(
                "/accounts/login/password/", {"new_password": bad, "new_password2": bad}
            )
            assert page.status_code == 200 and "_auth_user_id" not in client.session
        new = "my own quiet passphrase"
        response = client.post(
            "/accounts/login/password/", {"new_password": new, "new_password2": new}
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        user.refresh_from_db()
        assert user.check_password(new) and not user.must_change_password
        assert AuditEvent.objects.filter(
            action="account.password", actor_id=user.pk, details__by="self"
        ).exists()

    def test_leader_enrols_own_second_factor_after_choosing_password(self, org, admins):
        RolePolicy.objects.filter(role=R.STATION_LEADER).update(mfa_required=True)
        new_account(admins["sys_client"], org["a"], [R.STATION_LEADER])
        user = User.objects.get(username="700001")
        assert not TOTPDevice.objects.filter(user=user).exists()  # nobody enrolled for them
        temporary = user_issue_temporary_password(actor=admins["sys"], user=user)
        client = Client()
        client.post(self.LOGIN, {"username": "700001", "password": temporary})
        new = "my own quiet passphrase"
        response = client.post(
            "/accounts/login/password/", {"new_password": new, "new_password2": new}
        )
        assert response["Location"].startswith("/accounts/login/enrol/")
        assert "_auth_user_id" not in client.session

    def test_temporary_password_expires(self, org, admins):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            response = new_account(admins["sys_client"], org["a"], [R.TRACKING_OFFICER])
            temporary = response.context["password"]
            traveller.shift(timedelta(days=3, minutes=1))
            client = Client()
            response = client.post(self.LOGIN, {"username": "700001", "password": temporary})
            assert response.status_code == 200
            assert "_auth_user_id" not in client.session
            assert client.get("/accounts/login/password/").status_code == 302
        assert AuditEvent.objects.filter(
            action="auth.login", outcome="denied", details__reason="temporary_password_expired"
        ).exists()

    def test_installer_accounts_log_in_directly(self, make_user):
        """Demo and create_admin accounts (actor None) keep their given password."""
        user = make_user(R.TRACKING_OFFICER)
        assert not user.must_change_password
        client = Client()
        response = client.post(self.LOGIN, {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
class TestReviewFindings:
    def test_saving_ones_own_page_unchanged_is_no_refusal(self, admins):
        sysadmin = admins["sys"]
        response = admins["sys_client"].post(
            f"/accounts/users/{sysadmin.pk}/",
            {
                "real_name": "孙丽丽",
                "unit": sysadmin.unit_id,
                "clearance": sysadmin.clearance,
                "roles": [R.SYSTEM_ADMIN],
            },
        )
        assert response.status_code in (200, 302)
        assert User.objects.get(pk=sysadmin.pk).real_name == "孙丽丽"
        assert not AuditEvent.objects.filter(
            action="account.roles", outcome="denied", object_id=str(sysadmin.pk)
        ).exists()

    def test_own_second_factor_is_not_reset_from_the_admin_page(self, admins):
        sysadmin = admins["sys"]
        TOTPDevice.objects.create(user=sysadmin, name="phone", confirmed=True)
        response = admins["sys_client"].post(f"/accounts/users/{sysadmin.pk}/credential-reset/")
        assert response.status_code == 403
        assert TOTPDevice.objects.filter(user=sysadmin).exists()

    def test_phone_and_email_never_enter_the_audit_log(self, admins, make_user):
        from casebook.accounts.services import user_update

        officer = make_user(R.TRACKING_OFFICER)
        user_update(actor=admins["sys"], user=officer, phone="13800138000", email="li@example.org")
        event = AuditEvent.objects.filter(action="account.update").latest("seq")
        text = str(event.details)
        assert "13800138000" not in text and "li@example.org" not in text
        assert event.details["phone"] == {"changed": True}
