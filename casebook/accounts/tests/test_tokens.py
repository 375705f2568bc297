"""API tokens are no stronger than their owner's login (issue #11, lower findings)."""

import pytest
from django.test import Client

from casebook.accounts.models import ApiToken, RolePolicy
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create, role_policy_set, user_set_active
from casebook.audit.models import AuditEvent
from conftest import second_factor

ME = "/api/v1/me/"


def call(key):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.django_db
def test_token_refused_once_2fa_is_required_without_a_second_factor(make_user):
    RolePolicy.objects.update_or_create(
        role=Role.TRACKING_OFFICER, defaults={"mfa_required": False}
    )
    officer = make_user(Role.TRACKING_OFFICER)
    security = make_user(Role.SECURITY_ADMIN)
    _token, key = api_token_create(actor=officer, name="integration")
    assert call(key).status_code == 200
    role_policy_set(actor=security, role=Role.TRACKING_OFFICER, mfa_required=True)
    refused = call(key)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert officer.username not in refused.content.decode()
    second_factor(officer)  # once enrolled, the token works again
    assert call(key).status_code == 200


@pytest.mark.django_db
def test_leader_token_needs_a_second_factor(make_user):
    leader = make_user(Role.STATION_LEADER)  # 2FA required by default
    _token, key = api_token_create(actor=leader, name="t")
    assert call(key).status_code == 401
    second_factor(leader)
    assert call(key).status_code == 200


@pytest.mark.django_db
def test_disabling_revokes_tokens_so_reenabling_does_not_revive_them(make_user):
    admin = make_user(Role.SYSTEM_ADMIN)
    officer = make_user(Role.TRACKING_OFFICER)
    RolePolicy.objects.update_or_create(
        role=Role.TRACKING_OFFICER, defaults={"mfa_required": False}
    )
    token, key = api_token_create(actor=officer, name="t")
    assert call(key).status_code == 200
    user_set_active(actor=admin, user=officer, active=False, reason="离职")
    assert call(key).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.filter(action="account.disable", object_id=str(officer.pk)).get()
    assert event.details["tokens_revoked"] == 1
    user_set_active(actor=admin, user=officer, active=True)
    assert call(key).status_code == 401
    assert not ApiToken.objects.filter(user=officer, revoked_at__isnull=True).exists()
