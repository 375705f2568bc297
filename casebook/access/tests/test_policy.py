"""The access matrix: role × action × scope, denials included (table-driven)."""

from dataclasses import dataclass

import pytest
from django.http import Http404

from casebook.access import policy, registry
from casebook.access.policy import Action, ObjectScope
from casebook.accounts.models import Compartment
from casebook.accounts.roles import Role
from casebook.core.choices import Classification as C

R = Role


@dataclass
class Thing:
    """A stand-in for any protected object (subjects etc. offer the same method)."""

    scope: ObjectScope

    def access_scope(self):
        return self.scope


# Where the object lives relative to the user (the user sits in station A, or in the bureau).
OWN, SIBLING, FOREIGN = "own station", "other station, same bureau", "station of another bureau"

# (role, action, where) -> expected. Written out by hand from the regulation's duties, not
# derived from policy.RULES, so that a change to the rules shows up here.
VIEW = Action.SUBJECT_VIEW
EDIT = Action.SUBJECT_EDIT
CREATE = Action.SUBJECT_CREATE
APPROVE = Action.SUBJECT_APPROVE
EXPORT = Action.SUBJECT_EXPORT
MATRIX = [
    # tracking officer: sees the station, edits only what is assigned to them
    (R.TRACKING_OFFICER, VIEW, OWN, True),
    (R.TRACKING_OFFICER, VIEW, SIBLING, False),
    (R.TRACKING_OFFICER, VIEW, FOREIGN, False),
    (R.TRACKING_OFFICER, CREATE, OWN, True),
    (R.TRACKING_OFFICER, EDIT, OWN, False),
    (R.TRACKING_OFFICER, APPROVE, OWN, False),
    (R.TRACKING_OFFICER, EXPORT, OWN, False),
    (R.COMMUNITY_OFFICER, VIEW, OWN, True),
    (R.COMMUNITY_OFFICER, VIEW, SIBLING, False),
    (R.COMMUNITY_OFFICER, EDIT, OWN, False),
    (R.COMMUNITY_OFFICER, APPROVE, OWN, False),
    (R.ANALYST, VIEW, OWN, True),
    (R.ANALYST, VIEW, SIBLING, False),
    (R.ANALYST, EDIT, OWN, False),
    (R.ANALYST, CREATE, OWN, False),
    (R.ANALYST, EXPORT, OWN, True),
    (R.STATION_LEADER, VIEW, OWN, True),
    (R.STATION_LEADER, VIEW, SIBLING, False),
    (R.STATION_LEADER, EDIT, OWN, True),
    (R.STATION_LEADER, EDIT, SIBLING, False),
    (R.STATION_LEADER, APPROVE, OWN, True),
    (R.STATION_LEADER, APPROVE, SIBLING, False),
    (R.STATION_LEADER, EXPORT, OWN, True),
    (R.BUREAU_LEADER, VIEW, OWN, True),
    (R.BUREAU_LEADER, VIEW, SIBLING, True),
    (R.BUREAU_LEADER, VIEW, FOREIGN, False),
    (R.BUREAU_LEADER, EDIT, SIBLING, False),
    (R.BUREAU_LEADER, EXPORT, SIBLING, True),
    (R.BUREAU_LEADER, APPROVE, OWN, False),
    (R.SUPERVISOR, VIEW, SIBLING, True),
    (R.SUPERVISOR, VIEW, FOREIGN, False),
    (R.SUPERVISOR, EDIT, OWN, False),
    (R.SUPERVISOR, EXPORT, OWN, False),
    # the administrators see no case data at all
    (R.SYSTEM_ADMIN, VIEW, OWN, False),
    (R.SECURITY_ADMIN, VIEW, OWN, False),
    (R.AUDIT_ADMIN, VIEW, OWN, False),
    (R.SYSTEM_ADMIN, EDIT, OWN, False),
    (R.AUDIT_ADMIN, EXPORT, OWN, False),
]
BUREAU_ROLES = {R.BUREAU_LEADER, R.SUPERVISOR, R.SYSTEM_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN}


def _station(org, where):
    return {OWN: org["a"], SIBLING: org["b"], FOREIGN: org["c"]}[where]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "action", "where", "expected"), MATRIX, ids=[f"{r}-{a}-{w}" for r, a, w, _ in MATRIX]
)
def test_role_action_scope(org, make_user, role, action, where, expected):
    unit = org["bureau"] if role in BUREAU_ROLES else org["a"]
    user = make_user(role, unit, clearance=C.INTERNAL)
    thing = Thing(ObjectScope(station_id=_station(org, where).pk, classification=C.INTERNAL))
    assert policy.can(user, action, thing) is expected


# Object-less administrative actions: each administrator only inside their duty (A3).
ADMIN = [
    (
        R.SYSTEM_ADMIN,
        {Action.USER_MANAGE, Action.UNIT_MANAGE, Action.ROLE_GRANT, Action.CATEGORY_MANAGE},
    ),
    (R.SECURITY_ADMIN, {Action.POLICY_MANAGE, Action.KEY_VIEW, Action.GRANT_APPROVE}),
    (R.AUDIT_ADMIN, {Action.AUDIT_VIEW, Action.AUDIT_EXPORT}),
    (R.STATION_LEADER, set()),
    (R.BUREAU_LEADER, set()),
    (R.SUPERVISOR, set()),
    (R.TRACKING_OFFICER, set()),
    (R.ANALYST, set()),
    (R.COMMUNITY_OFFICER, set()),
]
ADMIN_ACTIONS = [
    Action.USER_MANAGE,
    Action.UNIT_MANAGE,
    Action.CATEGORY_MANAGE,
    Action.ROLE_GRANT,
    Action.GRANT_APPROVE,
    Action.POLICY_MANAGE,
    Action.KEY_VIEW,
    Action.AUDIT_VIEW,
    Action.AUDIT_EXPORT,
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "allowed"), ADMIN, ids=[r for r, _ in ADMIN])
def test_separation_of_duties(org, make_user, role, allowed):
    user = make_user(role, org["bureau"])
    for action in ADMIN_ACTIONS:
        assert policy.can(user, action) is (action in allowed), action


@pytest.mark.django_db
class TestProtection:
    def test_clearance_below_classification_denies(self, org, make_user):
        leader = make_user(R.STATION_LEADER, clearance=C.CONFIDENTIAL)
        assert policy.can(
            leader, VIEW, Thing(ObjectScope(org["a"].pk, classification=C.CONFIDENTIAL))
        )
        assert not policy.can(
            leader, VIEW, Thing(ObjectScope(org["a"].pk, classification=C.SECRET))
        )

    def test_compartment_required(self, org, make_user):
        informants = Compartment.objects.get(code="informants")
        holder = make_user(R.STATION_LEADER, compartments=[informants])
        lacking = make_user(R.STATION_LEADER)
        thing = Thing(ObjectScope(org["a"].pk, compartments=frozenset({"informants"})))
        assert policy.can(holder, VIEW, thing)
        assert not policy.can(lacking, VIEW, thing)

    def test_need_to_know_for_secret(self, org, make_user):
        officer = make_user(R.TRACKING_OFFICER, clearance=C.SECRET)
        leader = make_user(R.STATION_LEADER, clearance=C.SECRET)
        unassigned = Thing(ObjectScope(org["a"].pk, classification=C.CONFIDENTIAL))
        assigned = Thing(
            ObjectScope(
                org["a"].pk, classification=C.CONFIDENTIAL, assignee_ids=frozenset({officer.pk})
            )
        )
        assert not policy.can(officer, VIEW, unassigned)
        assert policy.can(officer, VIEW, assigned)
        assert policy.can(leader, VIEW, unassigned)  # oversight role needs no assignment

    def test_assigned_edit(self, org, make_user):
        officer = make_user(R.TRACKING_OFFICER)
        mine = Thing(ObjectScope(org["a"].pk, assignee_ids=frozenset({officer.pk})))
        assert policy.can(officer, EDIT, mine)
        assert not policy.can(officer, EDIT, Thing(ObjectScope(org["a"].pk)))

    def test_community_officer_edits_own_area(self, org, make_user):
        officer = make_user(R.COMMUNITY_OFFICER, org["area"])
        in_area = Thing(ObjectScope(org["a"].pk, area_id=org["area"].pk))
        assert policy.can(officer, VIEW, in_area)
        assert policy.can(officer, EDIT, in_area)
        assert not policy.can(officer, EDIT, Thing(ObjectScope(org["a"].pk)))

    def test_disabled_user_can_nothing(self, org, make_user):
        leader = make_user(R.STATION_LEADER)
        leader.is_active = False
        assert not policy.can(leader, VIEW, Thing(ObjectScope(org["a"].pk)))

    def test_anonymous_can_nothing(self, org):
        from django.contrib.auth.models import AnonymousUser

        assert not policy.can(AnonymousUser(), VIEW, Thing(ObjectScope(org["a"].pk)))
        assert policy.reach(None, VIEW) is None


@pytest.mark.django_db
def test_scope_queryset_matches_can_for_users(org, make_user):
    """The queryset side of the policy on a real model (accounts have no station scope, so we
    use the Unit table through a throwaway AccessPaths) returns nothing for admins."""
    from casebook.core.models import Unit

    class Paths:
        access_paths = policy.AccessPaths(station="pk")

    qs = Unit.objects.filter(kind="station")
    qs.model.access_paths = Paths.access_paths
    try:
        officer = make_user(R.TRACKING_OFFICER)
        bureau_leader = make_user(R.BUREAU_LEADER, org["bureau"])
        admin = make_user(R.SYSTEM_ADMIN, org["bureau"])
        assert set(registry.scope_queryset(officer, qs)) == {org["a"]}
        assert set(registry.scope_queryset(bureau_leader, qs)) == {org["a"], org["b"]}
        assert list(registry.scope_queryset(admin, qs)) == []
        with pytest.raises(Http404):
            registry.get_or_404(officer, qs, VIEW, pk=org["b"].pk)
        assert registry.get_or_404(officer, qs, VIEW, pk=org["a"].pk) == org["a"]
    finally:
        del qs.model.access_paths
