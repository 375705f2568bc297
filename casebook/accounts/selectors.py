"""Reads of the accounts app that pages use."""

from casebook.access.policy import Action, can_decide_grant

from .choices import GrantStatus
from .models import GrantRequest, RolePolicy


def pending_grants(user):
    """Pending access requests of the user's bureau (none for who may not see them)."""
    return GrantRequest.objects.filter(status=GrantStatus.PENDING).restrict(
        user, Action.GRANT_APPROVE
    )


def pending_grant_count(user) -> int:
    """How many pending requests this security administrator may decide (the nav badge)."""
    return sum(
        1
        for request in pending_grants(user).only("pk", "bureau_id", "requested_by_id", "user_id")
        if can_decide_grant(user, request)
    )


def mfa_required(user) -> bool:
    """Does any of the user's roles require two factors (the policy of the security
    administrator of the user's bureau, else the role's default, SECURITY.md S1)?"""
    policies = RolePolicy.of_unit(user.unit_id)
    return any(policies.get(role, RolePolicy.default_for(role)) for role in user.role_set)
