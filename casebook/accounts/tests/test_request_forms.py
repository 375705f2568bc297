"""Administration pages: every POST through a form and the one service helper; bad input gives
a clear error and changes nothing; a refusal is still recorded as refused."""

import pytest
from django.contrib.messages import get_messages

from casebook.accounts.choices import GrantStatus
from casebook.accounts.models import RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import user_change_access
from casebook.accounts.tests import test_duties
from casebook.audit.models import AuditEvent
from casebook.core.choices import Classification as C

pytestmark = pytest.mark.django_db
admins, new_account = test_duties.admins, test_duties.new_account  # a fixture, a helper


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_disabling_needs_a_short_reason(admins, make_user):
    officer = make_user(Role.TRACKING_OFFICER)
    for data in ({}, {"reason": ""}, {"reason": "x" * 201}):
        response = admins["sys_client"].post(f"/accounts/users/{officer.pk}/active/", data)
        assert response.status_code == 302 and _errors(response)
        assert User.objects.get(pk=officer.pk).is_active
        admins["sys_client"].get("/accounts/users/")  # shows (and so clears) the messages
    admins["sys_client"].post(f"/accounts/users/{officer.pk}/active/", {"reason": "调离"})
    assert not User.objects.get(pk=officer.pk).is_active
    admins["sys_client"].post(f"/accounts/users/{officer.pk}/active/", {})  # enabling: no reason
    assert User.objects.get(pk=officer.pk).is_active


def test_grant_decision_note_is_bounded(admins, make_user):
    officer = make_user(Role.TRACKING_OFFICER, clearance=C.INTERNAL)
    grant = user_change_access(actor=admins["sys"], user=officer, clearance=C.SECRET)
    response = admins["sec_client"].post(
        f"/accounts/grants/{grant.pk}/approve/", {"note": "x" * 201}
    )
    assert response.status_code == 302 and _errors(response)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert User.objects.get(pk=officer.pk).clearance == C.INTERNAL


def test_refused_grant_decision_is_still_recorded(admins):
    """No decision on a request about oneself: the refusal goes to the audit log."""
    grant = user_change_access(actor=admins["sys"], user=admins["sec"], clearance=C.SECRET)
    response = admins["sec_client"].post(f"/accounts/grants/{grant.pk}/approve/", {"note": "x"})
    assert response.status_code == 302 and _errors(response)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert AuditEvent.objects.filter(action="account.grant_approve", outcome="denied").exists()


def test_security_policy_refuses_an_unknown_role(admins):
    before = dict(RolePolicy.objects.values_list("role", "mfa_required"))
    response = admins["sec_client"].post(
        "/accounts/security/", {"save_policies": "1", "mfa": [Role.TRACKING_OFFICER, "root"]}
    )
    assert response.status_code == 302 and _errors(response)
    assert dict(RolePolicy.objects.values_list("role", "mfa_required")) == before
    admins["sec_client"].post(
        "/accounts/security/", {"save_policies": "1", "mfa": [Role.TRACKING_OFFICER]}
    )
    assert RolePolicy.objects.get(role=Role.TRACKING_OFFICER).mfa_required
    assert not RolePolicy.objects.get(role=Role.SYSTEM_ADMIN).mfa_required


def test_a_refused_new_account_shows_on_the_form_and_writes_nothing(org, admins):
    """Administrator and case roles never meet in one account: the service refuses, the
    form shows why, and neither the account nor a temporary password exists."""
    response = new_account(
        admins["sys_client"], org["a"], [Role.SYSTEM_ADMIN, Role.TRACKING_OFFICER]
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(username="700001").exists()
