"""The accounts' pages under /accounts/, and the two that sit at the site's root: the home page
(one per role) and the organisation (the system administrator's units)."""

from django.urls import include, path

from . import admin_views, home_views, views

app_name = "accounts"
account_patterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="verify"),
    path("login/enrol/", views.enrol_view, name="enrol"),
    path("login/password/", views.password_set_view, name="password_set"),
    path("logout/", views.logout_view, name="logout"),
    path("reauth/", views.reauth_view, name="reauth"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/2fa/", views.mfa_setup_view, name="mfa_setup"),
    path("profile/2fa/remove/", views.mfa_remove_view, name="mfa_remove"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("users/", admin_views.user_list, name="users"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", admin_views.user_toggle_active, name="user_toggle_active"),
    path(
        "users/<int:pk>/credential-reset/",
        admin_views.user_credential_reset,
        name="user_credential_reset",
    ),
    path(
        "users/<int:pk>/temporary-password/",
        admin_views.user_temporary_password,
        name="user_temporary_password",
    ),
    path("grants/", admin_views.grant_list, name="grants"),
    path(
        "grants/<int:pk>/approve/",
        admin_views.grant_decide,
        {"decision": "approve"},
        name="grant_approve",
    ),
    path(
        "grants/<int:pk>/reject/",
        admin_views.grant_decide,
        {"decision": "reject"},
        name="grant_reject",
    ),
    path("grants/<int:pk>/withdraw/", admin_views.grant_withdraw, name="grant_withdraw"),
    path("security/", admin_views.security_policies, name="security"),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("organisation/", admin_views.unit_list, name="units"),
    path("organisation/new/", admin_views.unit_edit, name="unit_create"),
    path("organisation/<int:pk>/", admin_views.unit_edit, name="unit_edit"),
    path("accounts/", include(account_patterns)),
]
