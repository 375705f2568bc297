"""Home pages per role, navigation without dead links, organisation and account management,
the API. Each administrator is refused outside their duty (SECURITY.md A3)."""

import pytest
from django.test import Client

from casebook.accounts.models import ApiToken, RolePolicy, User
from casebook.accounts.roles import Role
from casebook.accounts.services import api_token_create
from casebook.audit.models import AuditEvent
from casebook.core.models import Unit
from conftest import login

R = Role
ADMIN_PAGES = {
    "/accounts/users/": R.SYSTEM_ADMIN,
    "/accounts/users/new/": R.SYSTEM_ADMIN,
    "/organisation/": R.SYSTEM_ADMIN,
    "/organisation/new/": R.SYSTEM_ADMIN,
    "/subjects/categories/": R.SYSTEM_ADMIN,
    "/analysis/rules/": R.SYSTEM_ADMIN,
    "/accounts/security/": R.SECURITY_ADMIN,
    "/accounts/grants/": R.SECURITY_ADMIN,
    "/audit/": R.AUDIT_ADMIN,
}
# What each role's home page says it is (English source; the test client asks for English).
HOME_TITLES = {
    R.TRACKING_OFFICER: "My work",
    R.COMMUNITY_OFFICER: "My work",
    R.ANALYST: "Analysis desk",
    R.STATION_LEADER: "Station overview",
    R.BUREAU_LEADER: "Bureau overview",
    R.SUPERVISOR: "Supervision overview",
    R.SYSTEM_ADMIN: "System administration",
    R.SECURITY_ADMIN: "Security administration",
    R.AUDIT_ADMIN: "Audit",
}
BUREAU_LEVEL = {R.BUREAU_LEADER, R.SUPERVISOR, R.SYSTEM_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN}


def english(client: Client) -> Client:
    client.cookies["casebook_language"] = "en"
    return client


@pytest.fixture
def as_role(org, make_user):
    def make(role):
        user = make_user(role, org["bureau"] if role in BUREAU_LEVEL else org["a"])
        return english(login(Client(), user)), user

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R), ids=[r.value for r in R])
def test_each_role_lands_on_its_home_and_every_nav_link_works(as_role, role):
    client, user = as_role(role)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="home-title">{HOME_TITLES[role]}<' in html
    assert user.real_name in html
    links = [item["url"] for item in page.context["nav_items"]]
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
    for url, owner in ADMIN_PAGES.items():
        if owner != role:
            assert url not in links
            assert client.get(url).status_code == 403, (role, url)


@pytest.mark.django_db
def test_home_of_bureau_leader_lists_the_bureau_stations_only(as_role, org):
    client, _ = as_role(R.BUREAU_LEADER)
    html = client.get("/").content.decode()
    assert "甲派出所" in html and "乙派出所" in html
    assert "丙派出所" not in html  # another bureau's station


@pytest.mark.django_db
def test_403_page_explains_in_chinese(org, make_user):
    client = login(Client(), make_user(R.TRACKING_OFFICER))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "无权" in response.content.decode() or "不允许" in response.content.decode()


@pytest.mark.django_db
def test_404_page(org, make_user):
    client = english(login(Client(), make_user(R.TRACKING_OFFICER)))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
class TestOrganisation:
    def test_sysadmin_adds_station_and_area(self, as_role, org):
        client, admin = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/organisation/new/",
            {
                "kind": "station",
                "name": "丁派出所",
                "code": "TD",
                "parent": org["bureau"].pk,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        station = Unit.objects.get(code="TD")
        assert station.parent == org["bureau"]
        assert AuditEvent.objects.filter(
            action="unit.create", actor_id=admin.pk, object_id=str(station.pk)
        ).exists()
        listing = client.get("/organisation/").content.decode()
        assert "丁派出所" in listing

    def test_area_under_a_bureau_refused_nothing_saved(self, as_role, org):
        client, _ = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/organisation/new/",
            {
                "kind": "area",
                "name": "错社区",
                "code": "BAD",
                "parent": org["bureau"].pk,
                "is_active": "on",
            },
        )
        assert response.status_code == 200
        assert 'data-testid="error-parent"' in response.content.decode()
        assert not Unit.objects.filter(code="BAD").exists()

    def test_duplicate_code_refused(self, as_role, org):
        client, _ = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/organisation/new/",
            {"kind": "station", "name": "重复", "code": "TA", "parent": org["bureau"].pk},
        )
        assert response.status_code == 200
        assert 'data-testid="error-code"' in response.content.decode()


@pytest.mark.django_db
class TestAccountsAdmin:
    def test_create_account_with_roles(self, as_role, org):
        client, admin = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/accounts/users/new/",
            {
                "username": "123456",
                "real_name": "钱七",
                "unit": org["a"].pk,
                "clearance": 1,
                "roles": [R.TRACKING_OFFICER],
            },
        )
        # the temporary password is shown once, on this page, and never stored in clear
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        temporary = response.context["password"]
        assert temporary in response.content.decode()
        user = User.objects.get(username="123456")
        assert user.role_set == {R.TRACKING_OFFICER}
        assert user.must_change_password and user.check_password(temporary)
        event = AuditEvent.objects.get(action="account.create", object_id=str(user.pk))
        assert event.actor_id == admin.pk
        assert temporary not in str(list(AuditEvent.objects.values_list("details", flat=True)))

    def test_bad_police_number_refused(self, as_role, org):
        client, _ = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/accounts/users/new/",
            {
                "username": "12-34",
                "real_name": "钱七",
                "unit": org["a"].pk,
                "clearance": 1,
                "roles": [R.TRACKING_OFFICER],
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="error-username"' in html
        assert not User.objects.filter(real_name="钱七").exists()

    def test_incompatible_roles_refused(self, as_role, org):
        client, _ = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            "/accounts/users/new/",
            {
                "username": "123458",
                "real_name": "钱八",
                "unit": org["bureau"].pk,
                "clearance": 0,
                "roles": [R.AUDIT_ADMIN, R.SYSTEM_ADMIN],
            },
        )
        assert response.status_code == 200
        assert not User.objects.filter(username="123458").exists()

    def test_no_one_grants_themselves_a_role(self, as_role):
        client, admin = as_role(R.SYSTEM_ADMIN)
        response = client.post(
            f"/accounts/users/{admin.pk}/",
            {
                "real_name": admin.real_name,
                "unit": admin.unit_id,
                "clearance": 0,
                "roles": [R.SYSTEM_ADMIN, R.AUDIT_ADMIN],
            },
        )
        assert response.status_code == 200
        admin = User.objects.get(pk=admin.pk)
        assert R.AUDIT_ADMIN not in admin.role_set
        assert AuditEvent.objects.filter(action="account.roles", outcome="denied").exists()

    def test_disable_needs_reason_and_is_logged(self, as_role, make_user):
        client, _ = as_role(R.SYSTEM_ADMIN)
        officer = make_user(R.TRACKING_OFFICER)
        client.post(f"/accounts/users/{officer.pk}/active/", {"reason": ""})
        officer.refresh_from_db()
        assert officer.is_active
        client.post(f"/accounts/users/{officer.pk}/active/", {"reason": "调离本单位"})
        officer.refresh_from_db()
        assert not officer.is_active and officer.disabled_reason == "调离本单位"
        assert AuditEvent.objects.filter(
            action="account.disable", object_id=str(officer.pk)
        ).exists()

    def test_security_admin_sets_mfa_policy(self, as_role):
        client, secadmin = as_role(R.SECURITY_ADMIN)
        response = client.post(
            "/accounts/security/", {"save_policies": "1", "mfa": [R.TRACKING_OFFICER]}
        )
        assert response.status_code == 302
        assert RolePolicy.objects.get(role=R.TRACKING_OFFICER).mfa_required
        assert not RolePolicy.objects.get(role=R.STATION_LEADER).mfa_required
        assert AuditEvent.objects.filter(action="policy.mfa", actor_id=secadmin.pk).count() >= 2
        page = client.get("/accounts/security/").content.decode()
        assert "AES-256-GCM" in page  # key status shown, never the key itself


@pytest.mark.django_db
class TestAuditAdmin:
    def test_viewing_and_exporting_are_logged(self, as_role):
        client, auditor = as_role(R.AUDIT_ADMIN)
        page = client.get("/audit/?action=auth.login")
        assert page.status_code == 200
        viewed = AuditEvent.objects.filter(action="audit.view", actor_id=auditor.pk).get()
        assert viewed.details["filters"] == {"action": "auth.login"}
        refused = client.get("/audit/export/?action=account.create")
        assert refused.status_code == 302  # a purpose is required
        export = client.get("/audit/export/?action=account.create&purpose=季度审计")
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        assert body.splitlines()[0].startswith("seq,occurred_at")
        assert "account.create" in body and "auth.login" not in body
        assert AuditEvent.objects.filter(action="audit.export", purpose="季度审计").exists()

    def test_verify_button(self, as_role):
        client, _ = as_role(R.AUDIT_ADMIN)
        response = client.post("/audit/verify/", follow=True)
        assert "verified" in response.content.decode()

    def test_bad_date_range_is_a_clear_error(self, as_role):
        client, _ = as_role(R.AUDIT_ADMIN)
        page = client.get("/audit/?since=2026-02-01&until=2026-01-01").content.decode()
        assert "before the start date" in page


@pytest.mark.django_db
class TestApi:
    def test_token_auth_and_problem_details(self, make_user):
        user = make_user(R.TRACKING_OFFICER)
        _token, key = api_token_create(actor=user, name="integration")
        assert not ApiToken.objects.filter(digest=key).exists()  # only the digest is stored
        client = Client()
        me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert me.status_code == 200 and me.json()["username"] == user.username
        bad = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token cb_nonsense")
        assert bad.status_code == 401
        assert bad["Content-Type"] == "application/problem+json"
        assert bad.json()["status"] == 401
        assert client.get("/api/v1/me/").status_code in (401, 403)

    def test_revoked_token_refused(self, make_user):
        from casebook.accounts.services import api_token_revoke

        user = make_user(R.TRACKING_OFFICER)
        token, key = api_token_create(actor=user, name="x")
        api_token_revoke(actor=user, token=token)
        assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

    def test_units_scoped_to_own_bureau(self, org, make_user):
        user = make_user(R.TRACKING_OFFICER)
        _t, key = api_token_create(actor=user, name="x")
        codes = {
            u["code"]
            for u in Client().get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {key}").json()
        }
        assert codes == {"T", "TA", "TB", "TA-1"}

    def test_openapi_schema(self, client_for):
        client, _user = client_for()  # the schema and the docs are for logged-in users only
        schema = client.get("/api/schema/?format=json").json()
        assert "/api/v1/me/" in schema["paths"]
        docs = client.get("/api/docs/")
        assert docs.status_code == 200 and b"swagger" in docs.content.lower()
