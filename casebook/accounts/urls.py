from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
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
    path("users/<int:pk>/reset-2fa/", admin_views.user_reset_mfa, name="user_reset_mfa"),
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
